"""Sex hormone-binding globulin: a slow state that androgens lower and estrogens raise.

SHBG is made by the liver. Androgens suppress its synthesis and estrogens induce it, so
total testosterone and the share of it that is free move with treatment: TE 200 mg every
two weeks lowered SHBG by a third in normal men while hCG (which raises E2) raised it by
30 % (Plymate 1983); men using androgens have about 40 % of non-users' SHBG
(Shankara-Narayana 2020: 17.2 vs 42.0 nmol/L). A man's set point (``shbg_set_point_nmol_l``) carries
age (higher with age) and adiposity (lower with BMI) from ``patients``; this module moves
him away from it as his total testosterone and estradiol move away from the reference
man's, and SERMs, which act as estrogens on the liver, raise it. Free T then follows through
Vermeulen's binding model (``testosterone``). Total rather than free T drives it: with free
T the loop would feed on itself (less SHBG, more free T, less SHBG), which overshoots the
androgen users' 40 % several-fold.
"""

import math

from ..compiled import kernel
from ..parameters import table
from .response import power

PARAMETERS = table(
    "shbg",
    "Sex hormone-binding globulin",
    [
        ("shbg_half_life_d", 7.0, "d", 3.0, 12.0,
         "assumed: plasma SHBG turns over in about a week (half-life reported 5-7 days); treatment changes it over weeks, as measured at 3 months (Plymate 1983)",
         "half-time of SHBG's approach to its target"),
        ("shbg_androgen_exponent", 0.75, "1", 0.0, 1.5,
         "calibrated by hand: shbg_response (TE 200 mg every 2 weeks: -34 %, Plymate SR et al. JCEM 1983) and former_users_recovery (androgen users 17.2 vs 42.0 nmol/L, Shankara-Narayana 2020); 0.7 fitted as well, 0.75 is computed with square roots (a general power costs a tenth of a right-hand side)",
         "power of total T (relative to the reference man) lowering SHBG synthesis"),
        ("shbg_estrogen_exponent", 0.25, "1", 0.0, 1.5,
         "assumed: a modest estrogen effect in men (aromatase inhibitors move SHBG little; no published change, clinic_literature D4); hCG's +30 % (Plymate 1983) is not reproduced, see the limitations",
         "power of E2 (relative to the reference man) raising SHBG synthesis"),
        ("shbg_serm_gain", 1.0, "1", 0.0, 2.0,
         "assumed: SERMs are estrogen agonists in the liver and raise SHBG (tamoxifen, clomiphene; direction only, no figure in men); set so that clomiphene 50 mg daily raises SHBG by about a fifth while T doubles",
         "fractional rise of SHBG synthesis at full SERM occupancy"),
        ("shbg_signal_floor", 0.05, "1", 0.01, 0.3,
         "assumed: bounds the rise of SHBG in castrate or estrogen-deprived men (a hormone signal below 5 % of normal acts as 5 %)",
         "lowest relative hormone signal the liver responds to"),
    ],
)


@kernel
def target_nmol_l(theta, P, t_rel, e2_rel, serm_load):
    """SHBG the liver settles at for this man's total T and E2 (each relative to the
    reference man's) and SERM load (sum of concentration over K_i), around his set point."""
    floor = theta[P.shbg_signal_floor]
    androgen = power(max(t_rel, floor), theta[P.shbg_androgen_exponent])
    estrogen = power(max(e2_rel, floor), theta[P.shbg_estrogen_exponent])
    serm = 1.0 + theta[P.shbg_serm_gain] * serm_load / (1.0 + serm_load)
    return theta[P.shbg_set_point_nmol_l] * estrogen * serm / androgen


@kernel
def shbg_rate(theta, P, shbg, t_rel, e2_rel, serm_load):
    """d(SHBG)/dt: first-order approach to :func:`target_nmol_l`."""
    k = math.log(2.0) / theta[P.shbg_half_life_d]
    return k * (target_nmol_l(theta, P, t_rel, e2_rel, serm_load) - shbg)
