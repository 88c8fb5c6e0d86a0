"""Human chorionic gonadotropin: an LH-receptor agonist with a long half-life.

Doses in IU; serum hCG in IU/L acts on the Leydig LH receptor as LH equivalents
(``leydig.hcg_lh_equivalence``), so it restores ITT without any FSH.
"""

from .pk import LH_RECEPTOR, Effect, Product, Release, Route, Species

SPECIES = (
    Species(
        "hcg", "IU/L", half_life_d=1.0, volume_l=4.9,
        effect=Effect(LH_RECEPTOR, None, source="LH equivalence is a Leydig-cell parameter"),
        source="slow-phase half-life 23.6 h and MCR 3.38 L/d after IV hCG in men (Metabolism of hCG in "
               "man, 1969; volume = MCR × t½ / ln 2); the longer SC/IM apparent half-lives (32-43 h) "
               "come from absorption, modelled in the depot",
    ),
)

_F = "Trinchard-Lugan 2002: absolute bioavailability 40-50 % IM and SC"

PRODUCTS = (
    Product(
        "hcg", "gonadotropins", "Human chorionic gonadotropin (urinary or recombinant)", "activity",
        routes=(
            Route("sc", (Release("hcg", 1.0, 0.45, 0.4, _F + "; SC peak later than IM (Saal 1991), absorption half-life assumed 10 h"),),
                  (125.0, 5000.0), 20000.0, "every 2-3 d (1000-2000 IU 2-3×/wk in HH; 125-500 IU every 2 d on TRT)"),
            Route("im", (Release("hcg", 1.0, 0.45, 0.25, _F + "; absorption half-life assumed 6 h"),),
                  (125.0, 10000.0), 20000.0, "every 2-3 d"),
        ),
        source="Coviello 2005; Trinchard-Lugan 2002",
    ),
)
