"""Testosterone products: esters in oil (IM/SC depots), gel, undecanoate.

Doses are mg of the ester (or of testosterone for the gel); the testosterone content
follows from molar masses (T 288.42 g/mol; cypionate 412.61, enanthate 400.60,
undecanoate 456.71). Depot release is first-order with the product's apparent half-life
(flip-flop kinetics), after which testosterone is cleared with the body's own. An ester in
oil also passes a transit compartment (leaving the oil, hydrolysis) with a half-life of
one day, so serum T peaks days after an injection rather than hours.
"""

from .pk import SERUM_TESTOSTERONE, Effect, Product, Release, Route, Species

T_MW = 288.42
CYPIONATE_T = T_MW / 412.61
ENANTHATE_T = T_MW / 400.60
UNDECANOATE_T = T_MW / 456.71
_MW_SOURCE = "derived: testosterone content from molar masses"

SPECIES = (
    Species(
        "testosterone", "nmol/L", half_life_d=1.0, volume_l=1.0,
        effect=Effect(SERUM_TESTOSTERONE, 1.0, source="adds to serum total T"),
        source="cleared by the physiology's testosterone module (metabolic clearance rate)",
    ),
)


OIL_TRANSIT_HALF_LIFE_D = 1.0
_OIL_TRANSIT_SOURCE = (
    "transit half-life 1 d assumed: one value for every ester in oil that puts the peak where "
    "the notes place it (model, primary hypogonadism): cypionate 200 mg peaks on days 2-5 "
    "(secondary source; model day 3.1); enanthate 125 mg gives 762 ng/dL on day 1 in hypogonadal "
    "men (Endocr J 2006;53:305; model 709); undecanoate 750 mg Tmax 4 d (Aveed; Drug Healthc "
    "Patient Saf 2023 review; model day 4.0)")


def _depot(half_life_d: float, share: float, source: str, bioavailability: float = 1.0,
           in_oil: bool = False) -> Release:
    if in_oil:
        return Release("testosterone", share, bioavailability, half_life_d, source + "; " + _OIL_TRANSIT_SOURCE,
                       transit_half_life_d=OIL_TRANSIT_HALF_LIFE_D)
    return Release("testosterone", share, bioavailability, half_life_d, source)


PRODUCTS = (
    Product(
        "testosterone_cypionate", "testosterone", "Testosterone cypionate in oil (Depo-Testosterone)", "mass",
        routes=(
            Route("im", (_depot(8.0, CYPIONATE_T, "Davis Drug Guide: half-life 8 days (IM); " + _MW_SOURCE, in_oil=True),),
                  (50.0, 200.0), 1000.0, "every 7-14 d (label: 50-400 mg every 2-4 wk)",
                  "Depo-Testosterone label"),
            Route("sc", (_depot(8.0, CYPIONATE_T, "assumed: same depot as IM; " + _MW_SOURCE, in_oil=True),),
                  (50.0, 200.0), 1000.0, "every 7 d"),
        ),
        source="Depo-Testosterone label; Davis Drug Guide",
    ),
    Product(
        "testosterone_enanthate", "testosterone", "Testosterone enanthate in oil (IM; SC autoinjector Xyosted)", "mass",
        routes=(
            Route("im", (_depot(4.5, ENANTHATE_T, "secondary sources: IM half-life ~4.5 d; " + _MW_SOURCE, in_oil=True),),
                  (50.0, 250.0), 1000.0, "every 7-14 d",
                  "Snyder & Lawrence 1980; WHO Task Force 1990"),
            Route("sc", (_depot(4.5, ENANTHATE_T, "assumed as IM; checked against Kaminetsky 2015 (50/100 mg weekly → 422/896 ng/dL); " + _MW_SOURCE, in_oil=True),),
                  (50.0, 100.0), 1000.0, "every 7 d (Xyosted 50-100 mg weekly)", "Xyosted label"),
        ),
        source="Kaminetsky 2015; Xyosted label",
    ),
    Product(
        "testosterone_undecanoate", "testosterone", "Testosterone undecanoate (Aveed/Nebido IM; oral capsules)", "mass",
        routes=(
            Route("im", (_depot(33.9, UNDECANOATE_T, "Behre/Zhang via secondary source: 33.9 d in castor oil; " + _MW_SOURCE, in_oil=True),),
                  (750.0, 1000.0), 2000.0, "750 mg at 0 and 4 wk, then every 10 wk (Aveed)", "Aveed label"),
            Route("oral", (_depot(0.2, UNDECANOATE_T, "secondary source: oral bioavailability 3-7 %; absorption assumed over hours", bioavailability=0.05),),
                  (40.0, 400.0), 1500.0, "twice daily"),
        ),
        source="Aveed label; Drug Healthc Patient Saf 2023 review",
    ),
    Product(
        "testosterone_gel", "testosterone", "Testosterone gel (dose = mg testosterone applied)", "mass",
        routes=(
            Route("transdermal", (_depot(0.5, 1.0, "AndroGel 1 % label: ~10 % absorbed over 24 h; 16 % calibrated to the AndroGel 1.62 % titrated Cavg 561 ng/dL at 60.75 mg/d (the 1.62 % gel is more efficient); release over about a day (assumed)", bioavailability=0.16),),
                  (20.25, 100.0), 300.0, "every 1 d (AndroGel 1.62 %: 20.25-81 mg)", "AndroGel labels"),
        ),
        source="AndroGel 1 % and 1.62 % labels",
    ),
)
