"""Leydig cells: LH-receptor activation and down-regulation, capacity, intratesticular T.

LH and hCG (as LH equivalents) activate the LH receptor; receptor availability is
down-regulated by high occupancy (the hCG-induced refractoriness: a second 6000 IU dose
within 48 h adds nothing, Saez & Forest 1979). Steroidogenic output also depends on two
trophic capacities: a medium one (days, enzyme induction: the delayed second T peak 72-96 h
after hCG) and a slow one (months: Leydig atrophy during long suppression, so longer TRT
recovers slower). Intratesticular T (ITT) is local secretion plus serum T.
"""

import math

from ..compiled import kernel
from ..parameters import table
from .response import hill, power

PARAMETERS = table(
    "leydig",
    "Leydig cells and intratesticular testosterone",
    [
        ("lh_half_effect_iu_l", 2.264, "IU/L", 2.0, 15.0,
         "calibrated: te_hcg_itt, hcg_6000_biphasic, clomiphene_50_healthy (Tornøe 2007 estimated L50 = 5.18 IU/L in a model without receptor down-regulation)", "LH giving half-maximal T secretion"),
        ("lh_effect_hill", 0.625, "1", 0.5, 2.5,
         "Tornøe 2007 κ = 1.9; lowered (calibrated: te_hcg_itt dose-linearity)", "Hill exponent of LH on T secretion"),
        ("hcg_lh_equivalence", 0.2206, "IU LH per IU hCG", 0.1, 8.0,
         "calibrated: te_hcg_itt (Coviello 2005); serum immunoassay IU of hCG and LH are not bioequivalent units",
         "serum hCG expressed as LH-receptor agonist load"),
        ("lhr_downreg_per_d", 0.1857, "1/d", 0.1, 10.0,
         "calibrated: hcg_6000_biphasic (plateau after the 4 h peak, no gain from a second dose)",
         "LH-receptor loss per unit occupancy"),
        ("lhr_recovery_per_d", 0.1207, "1/d", 0.1, 3.0,
         "calibrated: hcg_6000_biphasic (Gries 1999 down-regulation model, values not retrieved)",
         "LH-receptor re-synthesis rate"),
        ("steroidogenic_induction_per_d", 0.4504, "1/d", 0.1, 3.0,
         "calibrated: hcg_6000_biphasic second peak at 72-96 h", "rate of the medium (days) steroidogenic capacity"),
        ("steroidogenic_induction_gain", 1.331, "1", 0.0, 2.0,
         "calibrated: hcg_6000_biphasic (2.4-fold second peak vs 1.6-fold first)",
         "exponent of LH-receptor drive on the medium capacity target"),
        ("steroidogenic_capacity_max", 2.984, "1", 1.0, 3.0,
         "calibrated: hcg_6000_biphasic", "ceiling of the medium capacity"),
        ("steroidogenic_capacity_floor", 0.05, "1", 0.0, 1.0,
         "assumed: steroidogenic enzymes fall with LH withdrawal but are not lost", "floor of the medium capacity"),
        ("leydig_trophic_per_d", 0.00301, "1/d", 0.003, 0.05,
         "calibrated: liu2006_recovery (longer treatment, slower recovery); Leydig atrophy over months (assumed half-time ~2 months)",
         "rate of the slow Leydig capacity"),
        ("leydig_trophic_gain", 0.3818, "1", 0.1, 2.0,
         "calibrated: liu2006_recovery (longer treatment, slower recovery)", "exponent of drive on the slow capacity target"),
        ("leydig_capacity_floor", 0.15, "1", 0.0, 0.6,
         "assumed: Leydig cells persist through suppression and can be restarted (hCG works after years of TRT)",
         "lowest slow capacity"),
        ("itt_ref_nmol_l", 1174.0, "nmol/L", 800.0, 2500.0,
         "Coviello 2005: baseline ITT 1174 nmol/L, serum 1.2 % of ITT", "ITT of the reference man"),
        ("itt_half_life_h", 3, "h", 0.5, 6.0,
         "assumed: testicular interstitial fluid turnover of hours (T rises with a 97 min half-time under LH pulses)",
         "ITT equilibration half-life"),
    ],
)


@kernel
def lh_activation(theta, P, lh_equivalent, receptor_availability):
    """Fraction of maximal steroidogenic stimulation by available, occupied LH receptors."""
    return hill(receptor_availability * lh_equivalent, theta[P.lh_half_effect_iu_l], theta[P.lh_effect_hill])


@kernel
def lhr_occupancy(theta, P, lh_equivalent):
    return lh_equivalent / (lh_equivalent + theta[P.lh_half_effect_iu_l])


@kernel
def lhr_availability_rate(theta, P, availability, lh_equivalent):
    occ = lhr_occupancy(theta, P, lh_equivalent)
    return theta[P.lhr_recovery_per_d] * (1.0 - availability) - theta[
        P.lhr_downreg_per_d
    ] * occ * availability


@kernel
def lhr_availability_steady(theta, P, lh_equivalent):
    occ = lhr_occupancy(theta, P, lh_equivalent)
    k = theta[P.lhr_recovery_per_d]
    return k / (k + theta[P.lhr_downreg_per_d] * occ)


@kernel
def capacity_rate(capacity, drive_rel, rate, gain, floor, ceiling):
    """Trophic capacity relaxing to (drive relative to reference)^gain, within bounds.

    Shared by the medium (days) and slow (months) Leydig capacities, which differ only in
    rate, gain and bounds.
    """
    target = min(ceiling, max(floor, power(drive_rel, gain)))
    return rate * (target - capacity)


@kernel
def secretion_rel(theta, P, medium, slow, stimulation):
    """Testicular T secretion relative to the reference man: the man's Leydig capacity times
    the medium and slow trophic capacities times LH-receptor stimulation."""
    return theta[P.leydig_capacity] * max(medium, 0.0) * max(slow, 0.0) * stimulation


@kernel
def itt_elimination_per_d(theta, P):
    """First-order rate at which ITT equilibrates."""
    return math.log(2.0) / (theta[P.itt_half_life_h] / 24.0)


@kernel
def itt_rate(theta, P, itt, secretion_rel, serum_t):
    """ITT relaxes to local secretion (scaled to the reference) plus the serum T that reaches
    the tubules (``testis_t_uptake``; each man's untreated ITT stays at the reference)."""
    k = itt_elimination_per_d(theta, P)
    uptake = theta[P.testis_t_uptake]
    local_ref = theta[P.itt_ref_nmol_l] - uptake * theta[P.t_ref_nmol_l]
    return k * (local_ref * secretion_rel + uptake * serum_t - itt)
