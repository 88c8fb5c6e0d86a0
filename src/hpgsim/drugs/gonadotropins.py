"""Exogenous gonadotropins: recombinant/urinary FSH and hMG (FSH + LH activity).

Exogenous FSH adds to serum FSH (immunoassays measure it) and drives the Sertoli FSH
receptor; hMG's LH activity adds to the Leydig LH receptor as LH. Doses are IU of FSH.
"""

from .pk import FSH_RECEPTOR, LH_RECEPTOR, Effect, Product, Release, Route, Species

SPECIES = (
    Species(
        "fsh_exogenous", "IU/L", half_life_d=24.6 / 24.0, volume_l=30.0,
        effect=Effect(FSH_RECEPTOR, 1.0, source="IU/L of FSH, as endogenous"),
        source="urinary FSH IM in men: t½ 24.6 h, peak +3.8 IU/L 9.7 h after 150 IU (V/F fitted to it)",
    ),
    Species(
        "lh_exogenous", "IU/L", half_life_d=10.0 / 24.0, volume_l=14.0,
        effect=Effect(LH_RECEPTOR, 1.0, source="IU/L of LH, as endogenous"),
        source="recombinant LH: terminal t½ 10-12 h, Vss 14 L (le Cotonnec 1998)",
    ),
)

_FSH_ABS = "le Cotonnec 1993: absorption t½ ~3 h, relative F ~100 % IM and SC"
_LH_ABS = "le Cotonnec 1998: F 0.54-0.56 IM/SC; Tmax 5-9 h"

PRODUCTS = (
    Product(
        "fsh", "gonadotropins", "Follicle-stimulating hormone (recombinant or urinary)", "activity",
        routes=(
            Route("sc", (Release("fsh_exogenous", 1.0, 1.0, 0.125, _FSH_ABS),), (75.0, 300.0), 1500.0,
                  "2-3 times weekly (150 IU 3×/wk, Bouloux 2003)"),
            Route("im", (Release("fsh_exogenous", 1.0, 1.0, 0.125, _FSH_ABS),), (75.0, 300.0), 1500.0,
                  "2-3 times weekly"),
        ),
        source="Bouloux 2003; Gonal-f SmPC",
    ),
    Product(
        "hmg", "gonadotropins", "Human menopausal gonadotropin (75 IU FSH + 75 IU LH per ampoule)", "activity",
        routes=(
            Route("sc", (Release("fsh_exogenous", 1.0, 1.0, 0.125, _FSH_ABS),
                         Release("lh_exogenous", 1.0, 0.55, 0.15, _LH_ABS + "; 1:1 FSH:LH assumed (composition not retrieved)")),
                  (75.0, 150.0), 1500.0, "2-3 times weekly (Mao 2017 hCG/hMG arm)"),
            Route("im", (Release("fsh_exogenous", 1.0, 1.0, 0.125, _FSH_ABS),
                         Release("lh_exogenous", 1.0, 0.55, 0.15, _LH_ABS)),
                  (75.0, 150.0), 1500.0, "2-3 times weekly"),
        ),
        source="Mao 2017; le Cotonnec 1993, 1998",
    ),
)
