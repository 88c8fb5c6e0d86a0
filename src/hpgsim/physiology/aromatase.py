"""Aromatase: estradiol made from testosterone, in fat and in the testis.

Peripheral aromatization scales with serum T (endogenous or exogenous) and with adiposity
(BMI); a fraction of E2 is secreted by the testis and follows ITT. Aromatase inhibitors
reduce both. E2 then feeds back through the estrogen receptor (``feedback``).
"""

import math

from ..compiled import kernel
from ..parameters import table

PARAMETERS = table(
    "aromatase",
    "Aromatase and estradiol",
    [
        ("e2_at_ref_pg_ml", 25.0, "pg/mL", 15.0, 35.0,
         "Verdonk 2019 (LC-MS/MS 3-37 pg/mL); commercial 8-35 pg/mL", "E2 of the reference man"),
        ("e2_testicular_fraction", 0.2, "1", 0.05, 0.35,
         "assumed: textbook ~15-20 % of male E2 is secreted directly by the testis",
         "share of E2 from testicular aromatase"),
        ("aromatase_bmi_slope", 0.03, "1/(kg/m²)", 0.0, 0.08,
         "assumed: adipose aromatase raises E2 by ~3 % per BMI unit (obese men have ~30 % higher E2)",
         "log-linear effect of BMI on peripheral aromatization"),
        ("e2_half_life_h", 3, "h", 0.5, 6.0,
         "assumed: E2 metabolic clearance gives a half-life of hours", "E2 equilibration half-life"),
    ],
)


@kernel
def elimination_per_d(theta, P):
    """First-order rate at which E2 equilibrates."""
    return math.log(2.0) / (theta[P.e2_half_life_h] / 24.0)


@kernel
def adiposity(theta, P):
    """Peripheral aromatase relative to a BMI of 25 (one number per man)."""
    return math.exp(theta[P.aromatase_bmi_slope] * (theta[P.bmi] - 25.0))


@kernel
def e2_rate(theta, P, e2, serum_t, secretion_rel, adiposity, inhibition):
    """dE2/dt: relax towards aromatized T (peripheral + testicular), times (1 - inhibition).

    ``adiposity`` is :func:`adiposity`, computed once per man."""
    k = elimination_per_d(theta, P)
    f_test = theta[P.e2_testicular_fraction]
    peripheral = (1.0 - f_test) * adiposity * serum_t / theta[P.t_ref_nmol_l]
    target = theta[P.e2_at_ref_pg_ml] * (1.0 - inhibition) * (peripheral + f_test * secretion_rel)
    return k * (target - e2)
