"""GnRH-receptor ligands: gonadorelin (native GnRH), leuprolide (agonist), degarelix (antagonist).

All three act on the one pituitary GnRH receptor (``physiology.gnrh_receptor``):
gonadorelin exactly as endogenous GnRH, leuprolide as a high-affinity agonist (flare then
down-regulation), degarelix as a competitive antagonist (no signal, no flare).
"""

from .pk import GNRH_AGONIST, GNRH_ANTAGONIST, Effect, Product, Release, Route, Species

SPECIES = (
    Species(
        "gonadorelin", "pg/mL", half_life_d=4.0 / 1440.0, volume_l=9.2,
        effect=Effect(GNRH_AGONIST, None, source="native GnRH: the receptor's own K_D"),
        source="Lutrelef SmPC: IV half-life ~4 min, MCR 1.6 L/min (V = MCR × t½ / ln 2)",
    ),
    Species(
        "leuprolide", "ng/mL", half_life_d=3.0 / 24.0, volume_l=27.0,
        effect=Effect(GNRH_AGONIST, 0.05, source="Tornøe 2007 triptorelin EC50 0.047 ng/mL (superagonist potency, assumed alike)"),
        source="assumed: label-typical leuprolide t½ ~3 h and V ~27 L (not in the project's references)",
    ),
    Species(
        "degarelix", "ng/mL", half_life_d=1.5, volume_l=500.0,
        effect=Effect(GNRH_ANTAGONIST, 0.08, source="calibrated: castrate T maintained on 80 mg monthly (label); Tornøe 2007 reports 1.49 ng/mL as potency on LH-pool release in a model without endogenous GnRH competition"),
        source="assumed: depot-limited kinetics with a short central half-life; trough ~10 ng/mL on 80 mg monthly",
    ),
)

_GONADORELIN_SC = "Lutrelef SmPC: SC bioavailability 87.5 %, Tmax ~15 min (absorption half-life 17 min fitted to it)"

PRODUCTS = (
    Product(
        "gonadorelin", "gnrh_analogues", "Gonadorelin (synthetic native GnRH): pump, injection or infusion", "mass",
        routes=(
            Route("pump", (Release("gonadorelin", 1.0, 0.875, 0.0116, _GONADORELIN_SC),),
                  (0.001, 0.02), 0.2, "one pulse every 60-120 min (5-20 ug per pulse)",
                  "Niu 2024: 7-15 ug every 90 min; Mao 2017"),
            Route("sc", (Release("gonadorelin", 1.0, 0.875, 0.0116, _GONADORELIN_SC),),
                  (0.025, 0.5), 5.0, "single test doses of 100 ug (Factrel)", "Factrel label"),
            Route("infusion", (Release("gonadorelin", 1.0, 0.875, None, "continuous SC infusion; SC losses as for injection"),),
                  (0.001, 0.02), 1.0, "continuous, rate in ug/h (dose range per hour)", "Handelsman 1984 (3.17 ug/h)"),
        ),
        source="Lutrelef and Factrel labels; Mao 2017",
        pump_species="gonadorelin",
    ),
    Product(
        "leuprolide", "gnrh_analogues", "Leuprolide acetate depot (1- or 3-month)", "mass",
        routes=(
            Route("im", (
                Release("leuprolide", 0.1, 1.0, 0.1, "assumed: initial burst (Tornøe 2007 depot model has a burst fraction)"),
                Release("leuprolide", 0.9, 1.0, 25.0, "assumed: sustained release over 1-3 months"),
            ), (3.75, 45.0), 100.0, "7.5 mg every 1 mo or 22.5 mg every 3 mo", "Lupron Depot label"),
            Route("sc", (
                Release("leuprolide", 0.1, 1.0, 0.1, "assumed as IM"),
                Release("leuprolide", 0.9, 1.0, 25.0, "assumed as IM"),
            ), (7.5, 45.0), 100.0, "every 1-6 mo"),
        ),
        source="Lupron Depot label",
    ),
    Product(
        "degarelix", "gnrh_analogues", "Degarelix (Firmagon)", "mass",
        routes=(
            Route("sc", (
                Release("degarelix", 0.2, 1.0, 0.5, "assumed: early release from the SC gel depot"),
                Release("degarelix", 0.8, 1.0, 30.0, "assumed: slow release (label-typical t½ ~ 1-2 months)"),
            ), (80.0, 240.0), 480.0, "240 mg once, then 80 mg every 1 mo", "Firmagon label"),
        ),
        source="Tornøe 2007; Firmagon label",
    ),
)
