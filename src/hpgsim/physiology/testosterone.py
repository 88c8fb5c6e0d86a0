"""Serum testosterone: secretion, exogenous input, clearance, SHBG/albumin binding.

Clearance is linear (metabolic clearance rate), so exogenous testosterone adds to serum T
without touching the testis: the gap between serum T and ITT under TRT comes from here.
Free T follows Vermeulen's mass-action model (SHBG and albumin).

Testicular secretion has a daily rhythm: in men aged 30-40, T is 20-25 % lower at 16:00
than at 08:00, and about 10 % lower at 70 (Brambilla 2009); exogenous testosterone has no
such rhythm. The model's serum T state is the morning (08:00) level, the time labs are
drawn and the published values were measured; :func:`diurnal_factor` gives the testicular
share's level at other clock times (``observables``). Feedback sees the morning-equivalent
level: the rhythm's own effect on the feedback is absorbed in the calibrated gains.
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
        ("t_diurnal_acrophase_h", 7.0, "h", 5.0, 9.0,
         "assumed: testosterone peaks in the early morning (about 07:00) and is lowest in the evening (Brambilla 2009 compared 08:00 with 16:00)",
         "clock time of the daily peak of testicular secretion"),
    ],
)

MORNING_H = 8.0
"""Clock time (h) of the morning draw that the model's serum T stands for."""

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


@kernel
def diurnal_factor(theta, P, clock_h):
    """Testicular T at ``clock_h`` relative to its 08:00 level (1 at 08:00).

    A cosine of the man's amplitude ``t_diurnal_amplitude`` (age-dependent, ``patients``),
    peaking at ``t_diurnal_acrophase_h``.
    """
    a = theta[P.t_diurnal_amplitude]
    w = 2.0 * math.pi / 24.0
    phase = theta[P.t_diurnal_acrophase_h]
    return (1.0 + a * math.cos(w * (clock_h - phase))) / (1.0 + a * math.cos(w * (MORNING_H - phase)))


@kernel
def testicular_share_nmol_l(theta, P, serum_t, secretion_rel):
    """Serum T (nmol/L) that testicular secretion holds up (at most the whole serum T)."""
    return min(serum_t, (theta[P.t_ref_nmol_l] - theta[P.t_adrenal_nmol_l]) * max(secretion_rel, 0.0))
