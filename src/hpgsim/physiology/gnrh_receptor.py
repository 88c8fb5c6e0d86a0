"""Pituitary GnRH receptor: shared by GnRH, gonadorelin, agonists and antagonists.

All ligands compete for one receptor (occupancy a/(1 + a + b), agonist load a, antagonist
load b, each as concentration over its K_D). Agonist-bound receptor signals; antagonist-
bound receptor does not. Receptor *availability* N is down-regulated in proportion to
mean agonist occupancy and recovers slowly (receptor synthesis, Romero 2012's mechanism),
and the gonadotrope responds steeply to the signalling receptor N·occ. Brief pulses
(endogenous, pump) keep mean occupancy low, so N stays high and each pulse crosses the
response threshold; continuous exposure (infusion, depot agonist) first flares, then
down-regulates N until even full occupancy stays below threshold.
"""

import math

import numpy as np

from ..compiled import kernel
from ..parameters import table
from .response import hill, power, shortcut

PARAMETERS = table(
    "gnrh_receptor",
    "Pituitary GnRH receptor with desensitization",
    [
        ("gnrh_kd_pg_ml", 1100, "pg/mL", 50.0, 2000.0,
         "calibrated by hand: gnrh_pump_chh (LH 3.4 ± 2.4 and FSH 5.8 ± 3.8 IU/L after one week of 10 ug SC pulses, Huang 2015; T on the pump 8.3 ± 4.6 nmol/L, Mao 2017); peripheral gonadorelin level that half-occupies the receptor (10 ug SC pulses peak near 190 pg/mL, Handelsman 1984 scaling; endogenous GnRH is in K_D units, so adult men do not depend on it); a continuous infusion at the pump's daily amount then hardly signals, ten times that flares and desensitizes",
         "receptor K_D for native GnRH / gonadorelin"),
        ("receptor_recovery_per_d", 0.06, "1/d", 0.005, 0.5,
         "calibrated: leuprolide_flare (castrate by weeks 2-4, slow recovery after depot agonists)",
         "return of receptor availability (synthesis)"),
        ("receptor_downreg_per_d", 0.36, "1/d", 0.05, 5.0,
         "calibrated: leuprolide_flare (flare confined to week 1)",
         "loss of receptor availability per unit mean agonist occupancy"),
        ("receptor_recovery_block", 8.0, "1", 1.0, 16.0,
         "assumed: receptors recycle only while mostly free (recovery × (1 - occupancy)^m), so the troughs between pulses restore them while continuous exposure (infusion, depot agonist) does not",
         "exponent m of free receptor fraction in receptor recovery"),
        ("gonadotrope_signal_half", 0.12, "1", 0.03, 0.5,
         "calibrated: gonadorelin pump vs infusion behaviour; threshold between pulse peaks and infusion plateaus",
         "signalling receptor (N x occupancy) giving half-maximal release"),
        ("gonadotrope_signal_hill", 4.0, "1", 1.0, 6.0,
         "assumed: steep frequency-decoding response of gonadotropes (Li & Goldbeter 1989)",
         "Hill exponent of the gonadotrope response"),
    ],
)

_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
_TAIL_X, _TAIL_W = np.polynomial.legendre.leggauss(3)
"""Nodes per panel: 8 on the rise and the decay, 3 on the nearly flat tail, within 0.5 % of a
fine quadrature for the pulse-averaged drive."""


@kernel
def occupancy(agonist_load, antagonist_load):
    """Fraction of receptors bound by agonists under competition."""
    return agonist_load / (1.0 + agonist_load + antagonist_load)


@kernel
def gonadotrope_response(theta, P, availability, occ):
    """Release drive (0-1) from the signalling receptor fraction."""
    return hill(availability * occ, theta[P.gonadotrope_signal_half], theta[P.gonadotrope_signal_hill])


@kernel
def recovery_permission(theta, P, occ):
    """(1 - occupancy)^m: receptor recovery proceeds only while the receptor is mostly free."""
    return power(1.0 - occ, theta[P.receptor_recovery_block])


@kernel
def availability_rate(theta, P, availability, mean_occ, mean_permission):
    """d(availability)/dt: recovery while free, loss with agonist occupancy.

    Linear in availability, so averaging occupancy and permission over a pulse period
    first (averaged resolution) gives the same slow dynamics as pulse by pulse.
    """
    return theta[P.receptor_recovery_per_d] * mean_permission * (1.0 - availability) - theta[
        P.receptor_downreg_per_d
    ] * mean_occ * availability


@kernel
def steady_availability(theta, P, mean_occ, mean_permission):
    k = theta[P.receptor_recovery_per_d] * mean_permission
    return k / (k + theta[P.receptor_downreg_per_d] * mean_occ)


N_TABLED_NODES = 2 * _GL_X.size
"""Nodes of the rise and decay panels: their times depend on the pulse rates, not the period."""
TABLE_SIZE = 3 * N_TABLED_NODES + 1


@kernel
def _panel_edges(period, k_slow, k_fast):
    t1 = min(period, 4.0 / k_fast)
    t2 = min(period, max(t1, 8.0 / k_slow))
    return (0.0, t1, t2, period)


@kernel
def node_table(k_slow, k_fast, table):
    """Fill ``table`` with what a pulse train with these rates needs at the rise- and decay-
    panel nodes (weights, exp(-k_slow·τ), exp(-k_fast·τ)), then the time those panels end.

    Valid for every period at least that long, so a man's own train is tabled once
    (:func:`hpgsim.model.reference`) instead of taking two exponentials per node per call.
    """
    edges = _panel_edges(math.inf, k_slow, k_fast)
    k = 0
    for panel in range(2):
        half = 0.5 * (edges[panel + 1] - edges[panel])
        mid = 0.5 * (edges[panel + 1] + edges[panel])
        for i in range(_GL_X.shape[0]):
            tau = mid + half * _GL_X[i]
            table[k] = _GL_W[i] * half
            table[N_TABLED_NODES + k] = math.exp(-k_slow * tau)
            table[2 * N_TABLED_NODES + k] = math.exp(-k_fast * tau)
            k += 1
    table[3 * N_TABLED_NODES] = edges[2]


@kernel
def _node(theta, P, e_slow, e_fast, slow_scale, fast_scale, background, antagonist, availability):
    """(release drive, occupancy, recovery permission) at one instant of the train."""
    occ = occupancy(background + slow_scale * e_slow - fast_scale * e_fast, antagonist)
    return (gonadotrope_response(theta, P, availability, occ), occ,
            recovery_permission(theta, P, occ))


@kernel
def _fourth_power(x, n):
    """x**4 with :func:`power`'s signature (``n`` is 4), for :func:`_tabled_sums`."""
    return power(x, 4.0)


@kernel
def _eighth_power(x, n):
    """x**8 with :func:`power`'s signature (``n`` is 8), for :func:`_tabled_sums`."""
    return power(x, 8.0)


@kernel
def _tabled_sums(theta, P, table, slow_scale, fast_scale, background, antagonist, availability,
                 response_power, permission_power):
    """Σ weight × (release drive, occupancy, recovery permission) over the tabled rise- and
    decay-panel nodes, the terms of :func:`_node` written out with the two exponents' powers
    passed in, so that a fixed exponent is dispatched once per call, not once per node."""
    half = theta[P.gonadotrope_signal_half]
    n = theta[P.gonadotrope_signal_hill]
    m = theta[P.receptor_recovery_block]
    sum_h = 0.0
    sum_occ = 0.0
    sum_permission = 0.0
    for k in range(N_TABLED_NODES):
        occ = occupancy(background + slow_scale * table[N_TABLED_NODES + k]
                        - fast_scale * table[2 * N_TABLED_NODES + k], antagonist)
        r = response_power(max(availability * occ, 0.0) / half, n)
        w = table[k]
        sum_h += w * (r / (1.0 + r))
        sum_occ += w * occ
        sum_permission += w * permission_power(1.0 - occ, m)
    return sum_h, sum_occ, sum_permission


NEGLIGIBLE_EXPONENT = 40.0
"""exp(-40) is below half a unit in the last place of 1: a term that small beside a sum's
other terms leaves the sum's double unchanged, so it is not computed."""


@kernel
def _scale(coef, rate, period):
    """Amplitude of a periodic exponential with this rate: coef / (1 - exp(-rate·period))."""
    if shortcut(rate * period > NEGLIGIBLE_EXPONENT):
        return coef
    return coef / (1.0 - math.exp(-rate * period))


@kernel(inline=True)
def train_average(theta, P, period, coef, k_slow, k_fast, background, antagonist, availability,
                  table):
    """Mean (release drive, occupancy, recovery permission) over one period of a pulse train.

    The pulse adds ``coef``·(periodic bi-exponential) to a constant ``background`` agonist
    load. Gauss-Legendre on three panels (rise, decay, tail) keeps the sharp rise exact.
    ``table`` is :func:`node_table` for these rates, or empty to compute every node here
    (the same numbers either way).
    """
    edges = _panel_edges(period, k_slow, k_fast)
    slow_scale = _scale(coef, k_slow, period)
    fast_scale = _scale(coef, k_fast, period)
    mean_h = 0.0
    mean_occ = 0.0
    mean_permission = 0.0
    first_panel = 0
    if shortcut(table.shape[0] == TABLE_SIZE and period >= table[TABLE_SIZE - 1]):
        if shortcut(theta[P.gonadotrope_signal_hill] == 4.0 and theta[P.receptor_recovery_block] == 8.0):
            sums = _tabled_sums(theta, P, table, slow_scale, fast_scale, background, antagonist,
                                availability, _fourth_power, _eighth_power)
        else:
            sums = _tabled_sums(theta, P, table, slow_scale, fast_scale, background, antagonist,
                                availability, power, power)
        mean_h, mean_occ, mean_permission = sums
        first_panel = 2
    for panel in range(first_panel, 3):
        a = edges[panel]
        b = edges[panel + 1]
        if shortcut(b <= a):  # an empty panel adds nothing
            continue
        half = 0.5 * (b - a)
        mid = 0.5 * (b + a)
        nodes, weights = (_TAIL_X, _TAIL_W) if panel == 2 else (_GL_X, _GL_W)
        # the rise has faded far below the decay over the whole panel: its term adds nothing
        fast_faded = shortcut((k_fast - k_slow) * a > NEGLIGIBLE_EXPONENT)
        for i in range(nodes.shape[0]):
            tau = mid + half * nodes[i]
            w = weights[i] * half
            e_fast = 0.0 if fast_faded else math.exp(-k_fast * tau)
            h, occ, permission = _node(theta, P, math.exp(-k_slow * tau), e_fast,
                                       slow_scale, fast_scale, background, antagonist, availability)
            mean_h += w * h
            mean_occ += w * occ
            mean_permission += w * permission
    return mean_h / period, mean_occ / period, mean_permission / period


@kernel
def train_mean_load(period, coef, k_slow, k_fast):
    """Time-mean of a periodic bi-exponential train (its area per period)."""
    return coef * (1.0 / k_slow - 1.0 / k_fast) / period


@kernel
def pump_pulse_coef(dose_per_pulse, bioavailability, ka, ke, volume):
    """Amplitude factor of one SC pulse: D·F·ka / (V·|ke - ka|) (concentration units)."""
    return dose_per_pulse * bioavailability * ka / (volume * abs(ke - ka))
