"""Selective estrogen-receptor modulators: clomiphene (two isomers), enclomiphene, tamoxifen.

They compete with E2 at hypothalamic and pituitary estrogen receptors (``feedback``).
Clomiphene citrate is enclomiphene (trans, short-lived, the antagonist) plus zuclomiphene
(cis, weeks-long half-life, weak and partly estrogenic). Volumes are apparent (V/F) and
follow from Helo 2017's steady-state levels and the half-lives: both isomers give
V/F ≈ 4300 L, which reproduces the 20:1 zuclomiphene:enclomiphene ratio.
"""

from .pk import ESTROGEN_RECEPTOR, Effect, Product, Release, Route, Species

_HELO = "Helo 2017: at 25 mg/d, enclomiphene 2.2 and zuclomiphene 44 ng/mL at steady state; V/F derived"

SPECIES = (
    Species(
        "enclomiphene", "ng/mL", half_life_d=10.0 / 24.0, volume_l=4300.0,
        effect=Effect(ESTROGEN_RECEPTOR, 1.801, 0.0, "calibrated: clomiphene_50_healthy"),
        source="elimination half-life ~10 h (enclomiphene 14-day study); " + _HELO,
    ),
    Species(
        "zuclomiphene", "ng/mL", half_life_d=14.0, volume_l=4300.0,
        effect=Effect(ESTROGEN_RECEPTOR, 150.0, 0.3, "assumed: weak antagonist with partial agonism"),
        source="half-life ~2 weeks (Fontenot comment to Wiehle 2014, secondary); " + _HELO,
    ),
    Species(
        "tamoxifen", "ng/mL", half_life_d=7.0, volume_l=1340.0,
        effect=Effect(ESTROGEN_RECEPTOR, 86.6, 0.0, "calibrated: tamoxifen_10"),
        source="Nolvadex PI: t½ ~7 d, Css ~300 ng/mL at 40 mg/d (V/F derived); Swiss Fachinfo V2/F ~1620 L",
        metabolite="tamoxifen_active_metabolites", metabolite_fraction=0.1,
    ),
    Species(
        "tamoxifen_active_metabolites", "ng/mL", half_life_d=14.0, volume_l=1340.0,
        effect=Effect(ESTROGEN_RECEPTOR, 86.6, 0.0,
                      "calibrated: tamoxifen_10 (a lumped pool; 4-OH-tamoxifen and endoxifen are 30-100x more potent than tamoxifen, Davis Drug Guide, but only a small part of it)"),
        source="N-desmethyltamoxifen t½ 14 d (Nolvadex PI); lumped active metabolites formed from 10 % of "
               "tamoxifen clearance (assumed)",
    ),
)

PRODUCTS = (
    Product(
        "clomiphene_citrate", "serms", "Clomiphene citrate (62 % enclomiphene, 38 % zuclomiphene)", "mass",
        routes=(
            Route("oral", (
                Release("enclomiphene", 0.62, 1.0, 0.05, "label: 30-50 % cis isomer; absorption ~1 h (assumed)"),
                Release("zuclomiphene", 0.38, 1.0, 0.05, "label: 30-50 % cis isomer"),
            ), (12.5, 50.0), 300.0, "every 1-2 d"),
        ),
        source="Clomiphene label; Helo 2017; Miller 2019",
    ),
    Product(
        "enclomiphene", "serms", "Enclomiphene citrate (trans-clomiphene)", "mass",
        routes=(Route("oral", (Release("enclomiphene", 1.0, 1.0, 0.05, "absorption ~1 h (assumed)"),),
                      (6.25, 25.0), 200.0, "every 1 d"),),
        source="Enclomiphene 14-day study; Wiehle 2013/2014",
    ),
    Product(
        "tamoxifen", "serms", "Tamoxifen citrate", "mass",
        routes=(Route("oral", (Release("tamoxifen", 1.0, 1.0, 0.1, "Nolvadex PI: Tmax 4-7 h"),),
                      (10.0, 20.0), 200.0, "every 1 d (10-20 mg/d for 6-9 months in male infertility)"),),
        source="Nolvadex PI; Vermeulen & Comhaire 1978",
    ),
)
