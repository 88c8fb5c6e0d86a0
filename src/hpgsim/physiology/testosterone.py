"""Serum testosterone: secretion, exogenous input, clearance, SHBG/albumin binding.

Clearance is linear (metabolic clearance rate), so exogenous testosterone adds to serum T
without touching the testis: the gap between serum T and ITT under TRT comes from here.
Free T follows Vermeulen's mass-action model (SHBG and albumin).
"""

import math

from ..compiled import kernel
from ..parameters import table

PARAMETERS = table(
    "testosterone",
    "Serum testosterone and its binding",
    [
        ("t_ref_nmol_l", 18.4, "nmol/L", 13.9, 24.3,
         "Travison 2017: median 531 ng/dL in healthy men 19-39", "serum total T of the reference man"),
        ("t_clearance_l_d", 1250.0, "L/d", 980.0, 1821.0,
         "between Saez 1972 (516 L/m²/d ≈ 980 L/d) and 1821 L/d in young men on TE (JCEM 2006); gives 6.6 mg/d production; checked against testosterone_products",
         "metabolic clearance rate of testosterone"),
        ("t_half_life_h", 3, "h", 0.2, 7.7,
         "assumed: between the 10-100 min plasma half-life and Tornøe's effective 7.7 h",
         "serum T half-life (sets the apparent volume)"),
        ("t_adrenal_nmol_l", 0.5, "nmol/L", 0.2, 1.5,
         "assumed: serum T without testicular secretion (castrate levels on GnRH agonists are typically < 20-50 ng/dL)",
         "serum T from adrenal and peripheral sources"),
        ("shbg_ref_nmol_l", 22.0, "nmol/L", 15.0, 60.0,
         "Yu 2018 median 29.4 nmol/L (11.5-66.3); set low in that range so the calculated (Vermeulen) free T of the reference man, which runs below dialysis values, is ~135 pg/mL (dialysis 120-368, Jasuja 2022)", "SHBG of the reference man aged 35, BMI 25"),
        ("shbg_assoc_l_mol", 1.0e9, "L/mol", 0.5e9, 2.0e9,
         "Vermeulen 1999 mass-action model", "T-SHBG association constant"),
        ("albumin_assoc_l_mol", 3.6e4, "L/mol", 2.0e4, 5.0e4,
         "Vermeulen 1999 mass-action model", "T-albumin association constant"),
        ("albumin_g_l", 43.0, "g/L", 35.0, 50.0, "normal serum albumin (assumed textbook value)", "serum albumin"),
    ],
)

ALBUMIN_MOLAR_MASS_G_MOL = 66_500.0


@kernel
def free_testosterone_pmol_l(theta, P, total_nmol_l, shbg_nmol_l):
    """Vermeulen's quadratic for free T (returned in pmol/L)."""
    tt = total_nmol_l * 1e-9
    shbg = shbg_nmol_l * 1e-9
    k_shbg = theta[P.shbg_assoc_l_mol]
    n_alb = 1.0 + theta[P.albumin_assoc_l_mol] * theta[P.albumin_g_l] / ALBUMIN_MOLAR_MASS_G_MOL
    a = n_alb * k_shbg
    b = n_alb + k_shbg * (shbg - tt)
    free = (-b + math.sqrt(b * b + 4.0 * a * tt)) / (2.0 * a)
    return free * 1e12


@kernel
def elimination_per_d(theta, P):
    """First-order rate at which serum T is cleared (with ITT and E2, the fastest averaged rate)."""
    return math.log(2.0) / (theta[P.t_half_life_h] / 24.0)


@kernel
def serum_t_rate(theta, P, serum_t, secretion_rel, exogenous_nmol_d):
    """dT/dt: testicular secretion (relative to the reference production) + exogenous input."""
    k = elimination_per_d(theta, P)
    volume = theta[P.t_clearance_l_d] / k
    adrenal = theta[P.t_adrenal_nmol_l]
    target = adrenal + (theta[P.t_ref_nmol_l] - adrenal) * secretion_rel
    return k * (target - serum_t) + exogenous_nmol_d / volume
