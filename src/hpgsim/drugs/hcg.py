"""Human chorionic gonadotropin: an LH-receptor agonist with a long half-life.

Doses in IU; serum hCG in IU/L acts on the Leydig LH receptor as LH equivalents
(``leydig.hcg_lh_equivalence``), so it restores ITT without any FSH.
"""

from .pk import LH_RECEPTOR, Effect, Product, Release, Route, Species

SPECIES = (
    Species(
        "hcg", "IU/L", half_life_d=1.4, volume_l=6.8,
        effect=Effect(LH_RECEPTOR, None, source="LH equivalence is a Leydig-cell parameter"),
        source="half-life 32-43 h after SC dosing (Choi & Smitz 2014; Pregnyl SC 33-43 h); "
               "volume = MCR 3.38 L/d (Metabolism of hCG in man, 1969) × t½ / ln 2",
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
