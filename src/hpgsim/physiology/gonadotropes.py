"""Pituitary gonadotropes: separate LH and FSH pools with separate control.

Each hormone has a pituitary store (synthesis in, release out) and a blood compartment.
LH synthesis and release follow the GnRH-receptor drive; FSH synthesis is favoured by
slower pulse frequency (GynCycle's frequency decoding), inhibited by inhibin B, and FSH is
released largely constitutively. Androgen and estrogen act here too, as separate terms.
All factors are normalized to 1 in the reference man, so the reference LH and FSH are the
steady state of an untreated eugonadal man.
"""

import math

from ..compiled import kernel
from ..parameters import table
from .response import hill_inhibition, power

PARAMETERS = table(
    "gonadotropes",
    "Pituitary LH and FSH pools",
    [
        ("lh_ref_iu_l", 5.0, "IU/L", 3.0, 8.0,
         "Shankara-Narayana 2020 control men: mean LH 5.2 IU/L", "LH of the reference man"),
        ("fsh_ref_iu_l", 4.5, "IU/L", 3.0, 8.0,
         "Shankara-Narayana 2020 control men: mean FSH 4.9 IU/L; fertile US men 3.5 IU/L",
         "FSH of the reference man"),
        ("lh_half_life_min", 60.0, "min", 20.0, 90.0,
         "Tornøe 2007 LH half-life 1.3 h; Keenan 1998 distributional 7-40 min; ref_pulses tolerance 20-90 min",
         "serum LH elimination half-life"),
        ("fsh_half_life_h", 12.0, "h", 3.0, 36.0,
         "bioactive FSH half-life 13.4 h after IM urinary FSH in men (immunoreactive 24.6 h)",
         "serum FSH elimination half-life"),
        ("lh_pool_turnover_d", 2.0, "d", 0.5, 10.0,
         "assumed: pituitary LH content of ~2 days of secretion; sets the size of an agonist flare",
         "LH store / daily LH secretion in the reference man"),
        ("fsh_pool_turnover_d", 1.0, "d", 0.2, 5.0,
         "assumed: FSH is secreted largely constitutively from a small store",
         "FSH store / daily FSH secretion"),
        ("gonadotrope_priming_per_d", 0.05, "1/d", 0.02, 0.5,
         "calibrated: gnrh_pump_chh (LH 0.5 → 3.4 IU/L after one week of pump, Huang 2015); GnRH self-priming of gonadotropes",
         "rate at which GnRH-driven synthesis capacity follows GnRH drive"),
        ("lh_basal_synthesis", 0.001, "1", 0.0, 0.2,
         "calibrated: leuprolide_flare castration; congenital HH LH ~0.5 IU/L (Huang 2015)",
         "LH synthesis without GnRH drive, relative to reference"),
        ("lh_basal_release", 0.05, "1", 0.0, 0.3,
         "assumed: small constitutive LH release",
         "LH release without GnRH drive, relative to the driven rate"),
        ("fsh_basal_synthesis", 0.00899, "1", 0.0, 0.3,
         "calibrated: te200_gonadotropins_itt (FSH 3 % of baseline); congenital HH FSH ~1.3 IU/L (Huang 2015)",
         "FSH synthesis without GnRH drive, relative to reference"),
        ("fsh_freq_half_per_d", 12.0, "1/d", 5.0, 25.0,
         "GynCycle (Röblitz 2013) frequency decoding, p11 = 10/day",
         "pulse frequency above which FSH synthesis falls"),
        ("fsh_freq_hill", 2.0, "1", 1.0, 4.0,
         "GynCycle p13 = 3; softened (assumed)", "Hill exponent of FSH frequency decoding"),
        ("lh_pit_androgen_gain", 1.613e+04, "1", 0.0, 1e6,
         "calibrated: te200_gonadotropins_itt, letrozole_young_men", "androgen feedback on LH synthesis"),
        ("lh_pit_estrogen_gain", 6.324, "1", 0.0, 20.0,
         "calibrated: anastrozole_men, tamoxifen_10", "estrogen feedback on LH synthesis"),
        ("fsh_pit_androgen_gain", 5.217e+04, "1", 0.0, 1e6,
         "calibrated: te200_gonadotropins_itt", "androgen feedback on FSH synthesis"),
        ("fsh_pit_estrogen_gain", 4.877, "1", 0.0, 20.0,
         "calibrated: clomiphene_50_healthy, tamoxifen_10", "estrogen feedback on FSH synthesis"),
        ("pit_estrogen_hill", 2.898, "1", 1.0, 4.0,
         "calibrated: anastrozole_men, clomiphene_50_healthy, tamoxifen_10", "Hill exponent of the pituitary estrogen terms"),
        ("inhibin_half_pg_ml", 150.0, "pg/mL", 50.0, 400.0,
         "assumed: inhibin B acts around its normal level (fertile mean 132 pg/mL)",
         "inhibin B giving half-maximal FSH inhibition"),
        ("inhibin_hill", 1.5, "1", 1.0, 4.0,
         "assumed: FSH vs inhibin B R² 0.33 in fertile men implies a moderate slope",
         "Hill exponent of inhibin B on FSH"),
    ],
)


@kernel
def estrogen_term(theta, P, estrogen):
    """The estrogen signal's action on gonadotropes (signal^hill), shared by LH and FSH."""
    return power(estrogen, theta[P.pit_estrogen_hill])


@kernel
def steroid_factor(androgen_gain, estrogen_gain, exposure, exposure_ref, estrogen_action):
    """Pituitary steroid inhibition, 1 in the reference man (exposure_ref, estrogen signal 1).

    The androgen part uses the integrated androgen exposure shared with the hypothalamus;
    ``estrogen_action`` is :func:`estrogen_term`.
    """
    return (1.0 + androgen_gain * exposure_ref + estrogen_gain) / (
        1.0 + androgen_gain * exposure + estrogen_gain * estrogen_action
    )


@kernel
def capacity_rate(theta, P, capacity, drive_rel):
    """GnRH self-priming: driven synthesis capacity follows GnRH drive, up to normal.

    A pituitary deprived of GnRH (congenital HH, months of TRT) makes little LH or FSH
    for the first days of renewed GnRH exposure, and regains capacity over weeks.
    """
    return theta[P.gonadotrope_priming_per_d] * (drive_rel - capacity)


@kernel
def primed_fraction(capacity):
    """Synthesis capacity in use: the primed state saturates at normal.

    The state follows the drive linearly (so pulse-by-pulse and pulse-averaged runs agree)
    and is capped only where it is used.
    """
    return min(max(capacity, 0.0), 1.0)


@kernel
def lh_rates(theta, P, pool, drive_rel, androgen_exposure, exposure_ref, estrogen_action, capacity):
    """(d pool/dt, release into blood, LH clearance rate).

    ``drive_rel`` is the GnRH drive relative to the reference man. The caller either
    integrates serum LH (pulsatile) or takes it as quasi-steady, release / clearance
    (averaged: LH's one-hour half-life is fast against pulse-averaged dynamics).
    """
    k_lh = lh_clearance_per_d(theta, P)
    k_release = 1.0 / theta[P.lh_pool_turnover_d]
    basal = theta[P.lh_basal_synthesis]
    steroid = steroid_factor(theta[P.lh_pit_androgen_gain], theta[P.lh_pit_estrogen_gain], androgen_exposure,
                             exposure_ref, estrogen_action)
    synthesis = theta[P.lh_ref_iu_l] * k_lh * (basal + (1.0 - basal) * drive_rel * capacity) * steroid
    b = theta[P.lh_basal_release]
    release = k_release * pool * (b + (1.0 - b) * drive_rel)
    return synthesis - release, release, k_lh


@kernel
def fsh_clearance_per_d(theta, P):
    return math.log(2.0) / (theta[P.fsh_half_life_h] / 24.0)


@kernel
def lh_clearance_per_d(theta, P):
    return math.log(2.0) / (theta[P.lh_half_life_min] / 1440.0)


@kernel
def frequency_decoding(theta, P, frequency):
    """FSH synthesis favoured by slow GnRH pulses (an inhibition by pulse frequency)."""
    return hill_inhibition(frequency, theta[P.fsh_freq_half_per_d], theta[P.fsh_freq_hill])


@kernel
def inhibin_action(theta, P, inhibin_b):
    """The share of FSH synthesis inhibin B leaves."""
    return hill_inhibition(inhibin_b, theta[P.inhibin_half_pg_ml], theta[P.inhibin_hill])


@kernel
def fsh_rates(theta, P, pool, fsh, drive_rel, frequency, decoding_ref, androgen_exposure,
              exposure_ref, estrogen_action, inhibin_b, inhibin_ref, capacity):
    """(d pool/dt, d FSH/dt): GnRH-dependent, frequency-decoded, inhibin-inhibited synthesis.

    ``decoding_ref`` and ``inhibin_ref`` are :func:`frequency_decoding` and
    :func:`inhibin_action` in the reference man, computed once per man."""
    k_fsh = fsh_clearance_per_d(theta, P)
    k_release = 1.0 / theta[P.fsh_pool_turnover_d]
    basal = theta[P.fsh_basal_synthesis]
    decoding = frequency_decoding(theta, P, frequency) / decoding_ref
    steroid = steroid_factor(theta[P.fsh_pit_androgen_gain], theta[P.fsh_pit_estrogen_gain], androgen_exposure,
                             exposure_ref, estrogen_action)
    inhibin = inhibin_action(theta, P, inhibin_b) / inhibin_ref
    synthesis = (
        theta[P.fsh_ref_iu_l] * k_fsh * (basal + (1.0 - basal) * drive_rel * capacity)
        * decoding * steroid * inhibin
    )
    release = k_release * pool
    return synthesis - release, release - k_fsh * fsh


@kernel
def lh_pool_ref(theta, P):
    """LH store of the reference man (IU/L equivalents)."""
    k_lh = lh_clearance_per_d(theta, P)
    return theta[P.lh_ref_iu_l] * k_lh * theta[P.lh_pool_turnover_d]


@kernel
def fsh_pool_ref(theta, P):
    k_fsh = fsh_clearance_per_d(theta, P)
    return theta[P.fsh_ref_iu_l] * k_fsh * theta[P.fsh_pool_turnover_d]
