"""GnRH pulse generator: pulse frequency and amplitude under steroid feedback.

Frequency and amplitude are each lowered by separate androgen and estrogen terms
(Pitteloud/Hayes 2008: T add-back slows LH pulses 26.6 → 13.4 /day in medically castrated
men, E2 add-back 22.8 → 17.2 /day). A pulse is a bi-exponential portal GnRH profile; the
``averaged`` resolution uses its exact periodic mean, the ``pulsatile`` one its value.

Months to years of androgen excess leave the generator suppressed after the androgen is
gone: men who stop testosterone therapy or androgen abuse have low LH and low T for weeks to
months ("the crash"; LH back after a mean 10.7 months in former androgen users,
Shankara-Narayana 2020), longer after longer use, while young contraceptive volunteers
after a year of TE recover within weeks (Liu 2006). Two slow states carry that memory:
``generator_suppression`` builds while sex-steroid feedback holds the generator below its
untreated pulsing (on testosterone, not on a SERM or an aromatase inhibitor, which raise
it) and fades once feedback lets it pulse again,
and ``suppression_depth`` follows it over years and slows the fading, so that the same
dose for longer leaves a deeper, slower-fading suppression. Older men restart more slowly
(``axis_restart_factor``, from ``patients``).
"""

import math

from ..compiled import kernel
from ..parameters import table
from .response import adaptation_rate, hill, power

PARAMETERS = table(
    "hypothalamus",
    "GnRH pulse generator",
    [
        ("gnrh_freq_max_per_d", 27.0, "1/d", 20.0, 35.0,
         "Pitteloud/Hayes JCEM 2008 (PMC2266963): 13.3 pulses/12 h without sex steroids",
         "pulse frequency with no steroid feedback"),
        ("gnrh_freq_androgen_gain", 0.43, "1", 0.1, 2.0,
         "Pitteloud/Hayes 2008: T add-back halves frequency (with aromatization)",
         "androgen-receptor term slowing pulse frequency"),
        ("gnrh_freq_estrogen_gain", 0.57, "1", 0.1, 2.0,
         "Pitteloud/Hayes 2008: E2 add-back slows frequency 24 %",
         "estrogen-receptor term slowing pulse frequency"),
        ("gnrh_amp_max", 1.935, "K_D units", 0.5, 5.0,
         "calibrated: ref_lh_fsh, anastrozole_men; peak portal GnRH over the receptor K_D without feedback",
         "pulse amplitude with no steroid feedback"),
        ("gnrh_amp_androgen_gain", 89.41, "1", 0.0, 1000.0,
         "calibrated: te200_gonadotropins_itt, letrozole_young_men",
         "androgen-receptor term lowering pulse amplitude"),
        ("gnrh_amp_estrogen_gain", 1.332, "1", 0.1, 20.0,
         "calibrated: anastrozole_men, clomiphene_50_healthy",
         "estrogen-receptor term lowering pulse amplitude"),
        ("gnrh_androgen_hill", 11.76, "1", 1.0, 12.0,
         "calibrated: letrozole_young_men (T x2.5 with LH x4.4) against te200_gonadotropins_itt; the androgen term acts mainly at supraphysiological T",
         "Hill exponent of the androgen term on amplitude"),
        ("androgen_threshold", 6, "1", 2.0, 10.0,
         "assumed: androgen signal (free T relative to normal) above which suppression saturates; it only bounds the term (gains are calibrated below it)",
         "half-saturation of the androgen exposure"),
        ("androgen_exposure_per_d", 1.079, "1/d", 0.05, 3.0,
         "calibrated: te200_gonadotropins_itt and a SERM added to TE keeping LH low; mechanism assumed: androgen-receptor suppression of the GnRH network builds and fades over days, so T peaks after injections keep LH down through the trough",
         "rate of the integrated androgen exposure"),
        ("gnrh_estrogen_hill", 1.654, "1", 1.0, 4.0,
         "calibrated: anastrozole_men, letrozole_young_men, clomiphene_50_healthy, tamoxifen_10",
         "Hill exponent of the estrogen term on amplitude"),
        ("gnrh_decay_per_d", 250.0, "1/d", 190.0, 380.0,
         "IV GnRH half-life 2.6-5.2 min in 26 men (Pharmacokinetics of IV LH-RH in men)",
         "portal GnRH elimination rate (half-life 4 min)"),
        ("gnrh_rise_per_d", 1400.0, "1/d", 500.0, 3000.0,
         "assumed: a secretory burst of ~1 min (Keenan & Veldhuis burst model)",
         "rise rate of a GnRH pulse"),
        ("generator_suppression_build_per_d", 0.002, "1/d", 0.0005, 0.2,
         "calibrated by hand (2026-12-08): the fastest build tried (0.001-0.05 per day) at which liu2006_recovery, who1990_recovery, te200_azoospermia and typical_recovery_after_cypionate still pass after the sperm_recovery refit; at 0.005 a year of TE 200 mg weekly crashed the typical man for 38 days and Liu's median to 20 M/mL rose to 5.3 months (limit 4.42). So the memory needs years of use to crash T (see the limitations)",
         "rate at which the suppression memory builds under full load"),
        ("generator_suppression_fade_per_d", 0.0093, "1/d", 0.001, 0.3,
         "set by hand: the memory of a year of use fades over about 3-4 months in a man under 50; with depth, years of androgens leave LH low for 7 months or more (former_users_recovery: LH back after a mean 10.7 months)",
         "rate at which the suppression memory fades without load (typical man under 50, no depth)"),
        ("generator_suppression_gain", 4.0, "1", 0.0, 20.0,
         "set by hand (issue 28): with 4, five years of TE 500 mg weekly keep T below 300 ng/dL for about 9 months and LH below 75 % of baseline for about 7 (former androgen users: LH back after 10.7 months, T below 200 ng/dL in some men months after stopping, Kanayama 2015); with 3, LH came back in 3.5 months; with 10, T stayed castrate for years",
         "cut of the generator's ceiling at full memory (amplitude / (1 + r^2 x gain x memory))"),
        ("suppression_depth_per_d", 0.0005, "1/d", 0.0001, 0.01,
         "assumed: the depth of the memory follows it over about two years, so duration of use matters over years (Shankara-Narayana 2020: longer use, slower recovery)",
         "rate at which the depth follows the suppression memory"),
        ("suppression_depth_gain", 2.5, "1", 0.0, 8.0,
         "set by hand: after five years of use (depth about 0.5) the memory fades about three times slower than after one (Shankara-Narayana 2020: longer use, slower recovery; size assumed)",
         "slowing of the memory's fading with depth (the fade rate falls e-fold per 1/gain of depth)"),
    ],
)


@kernel
def pulse_frequency(theta, P, androgen, estrogen, generator_activity):
    """Pulses per day; an absent generator (congenital HH) has none."""
    if generator_activity <= 0.0:
        return 0.0
    return theta[P.gnrh_freq_max_per_d] / (
        1.0
        + theta[P.gnrh_freq_androgen_gain] * androgen
        + theta[P.gnrh_freq_estrogen_gain] * estrogen
    )


@kernel
def androgen_exposure_target(theta, P, androgen):
    """Steep, saturating androgen response x^n / (1 + x^n), x = signal / threshold."""
    return hill(androgen, theta[P.androgen_threshold], theta[P.gnrh_androgen_hill])


@kernel
def androgen_exposure_rate(theta, P, exposure, androgen):
    """d(exposure)/dt: relaxes to the steep androgen response, averaged over days.

    Averaging *after* the steep nonlinearity is what separates TE injections (peaks of free
    T several-fold above normal) from an aromatase inhibitor that holds T steadily at ~2.5x.
    The response saturates, which keeps the state bounded (0-1) and cheap to integrate.
    """
    return theta[P.androgen_exposure_per_d] * (androgen_exposure_target(theta, P, androgen) - exposure)


@kernel
def suppression_load(frequency_full, amplitude_full, ref_frequency, ref_amplitude):
    """Load that builds the suppression memory (0-1): how far feedback holds pulse
    frequency x amplitude below the reference man's, whatever the generator's own strength
    (both taken at full activity, so a weak generator at rest carries no load)."""
    return max(1.0 - frequency_full / ref_frequency * amplitude_full / ref_amplitude, 0.0)


@kernel
def restart_rate_per_d(theta, P):
    """The man's fade rate of the suppression memory before depth (one number per man):
    slower in men over 50 (``axis_restart_factor``) and with his own pace of regrowth after
    suppression (the square root of ``recovery_rate_factor``, which scales the Leydig and
    spermatogonial regrowth in full: with the whole factor, whose spread is wide (CV 2.6), a
    quarter of men stopping a year of TE 200 mg weekly kept LH below 90 % of baseline for a
    year)."""
    return (theta[P.generator_suppression_fade_per_d] * theta[P.axis_restart_factor]
            * math.sqrt(theta[P.recovery_rate_factor]))


@kernel
def generator_suppression_rate(theta, P, suppression, depth, load, restart_per_d):
    """d(suppression)/dt: builds while feedback silences the generator, fades without it at
    the man's :func:`restart_rate_per_d`, slower when deep."""
    fade = restart_per_d * math.exp(-theta[P.suppression_depth_gain] * max(depth, 0.0))
    return adaptation_rate(suppression, load, theta[P.generator_suppression_build_per_d], fade)


@kernel
def suppression_depth_rate(theta, P, depth, suppression):
    """d(depth)/dt: the depth follows the suppression memory over years."""
    return theta[P.suppression_depth_per_d] * (suppression - depth)


@kernel
def remembered_amplitude(theta, P, amplitude, rest_amplitude, suppression):
    """Pulse amplitude under the suppression memory: the memory lowers the ceiling the
    generator can reach, not how far feedback holds it below that.

    ``amplitude`` is what feedback allows (:func:`pulse_amplitude`), ``rest_amplitude`` the
    man's amplitude at the reference man's feedback. Where feedback holds the generator far
    down (on testosterone) the memory changes almost nothing; where feedback lets go (the
    androgen gone, T low) the amplitude is cut to about (1 - gain x memory) of it:
    ``amplitude / (1 + r^2 g s)``, ``r = amplitude / rest_amplitude``.
    """
    s = min(max(suppression, 0.0), 1.0)
    r = amplitude / max(rest_amplitude, 1e-12)
    return amplitude / (1.0 + r * r * theta[P.generator_suppression_gain] * s)


@kernel
def pulse_amplitude(theta, P, exposure, estrogen, generator_activity):
    """Peak portal GnRH in receptor K_D units, scaled by the patient's generator activity.

    ``exposure`` is the integrated androgen exposure (tiny in the reference man).
    """
    return generator_activity * theta[P.gnrh_amp_max] / (
        1.0
        + theta[P.gnrh_amp_androgen_gain] * exposure
        + theta[P.gnrh_amp_estrogen_gain] * power(estrogen, theta[P.gnrh_estrogen_hill])
    )


@kernel
def biexp_peak_scale(k_slow, k_fast):
    """1 / max of exp(-k_slow t) - exp(-k_fast t), so an amplitude is a true peak."""
    t_peak = math.log(k_fast / k_slow) / (k_fast - k_slow)
    return 1.0 / (math.exp(-k_slow * t_peak) - math.exp(-k_fast * t_peak))


@kernel
def periodic_biexp(tau, period, coef, k_slow, k_fast):
    """Level at time ``tau`` after a pulse in an endless train of identical pulses.

    Summing the tails of all earlier pulses gives the closed form below, so the averaged
    resolution sees the same profile the pulsatile one builds up pulse by pulse.
    """
    return coef * (
        math.exp(-k_slow * tau) / (1.0 - math.exp(-k_slow * period))
        - math.exp(-k_fast * tau) / (1.0 - math.exp(-k_fast * period))
    )
