"""The two resolutions agree on daily means, and both tell pulses from continuous GnRH.

Tolerance: daily means of LH, FSH and total T within 10 % (relative to at least 0.5 IU/L or
50 ng/dL, below which a difference is an absolute one). The averaged resolution uses the
exact periodic mean of the pulse profile, so the remaining difference comes from nonlinear
responses within a pulse (pool depletion, occupancy-dependent desensitization) and from
the quadrature; 10 % is well inside the day-to-day variation of single LH measurements.
"""

import math

import numpy as np
import pytest

import hpgsim
from conftest import TE200, run
from hpgsim import model
from hpgsim.physiology import gnrh_receptor as g
from hpgsim.simulate import patient_theta

COLUMNS = ("lh_iu_l", "fsh_iu_l", "testosterone_total_ng_dl")


def daily_means(frame, start, stop):
    f = frame[(frame.time_d >= start) & (frame.time_d < stop)]
    return f.groupby(np.floor(f.time_d + 1e-9))[list(COLUMNS)].mean()


@pytest.mark.parametrize("regimens, tolerance", [([], 0.10), ([TE200], 0.30)], ids=["baseline", "te200_weekly"])
def test_daily_means_agree(regimens, tolerance):
    """Under TE the androgen term works near its steep threshold, where T's pulse-by-pulse
    ripple changes the average suppression; the days when LH escapes before the next
    injection then differ by up to ~30 %, hence the wider tolerance there."""
    pulsatile = run(regimens, until="14 d", resolution="pulsatile", output_every="10 min")
    averaged = run(regimens, until="14 d", output_every="10 min")
    p, a = daily_means(pulsatile, 0, 14), daily_means(averaged, 0, 14)
    floor = {"lh_iu_l": 0.5, "fsh_iu_l": 0.5, "testosterone_total_ng_dl": 50.0}  # assay-relevant levels
    rel = (p - a).abs() / np.maximum(a.abs(), [floor[c] for c in a.columns])
    assert rel.max().max() <= tolerance, rel.max()


def gonadorelin(route_fields, resolution, until="14 d", every=None):
    return run([{"drug": "gonadorelin", **route_fields}], until=until, resolution=resolution,
               output_every=every, patient={"phenotype": "congenital_hh", "age_years": 25})


PUMP = {"route": "pump", "dose": "10 ug", "every": "90 min"}
SAME_DAILY_INFUSION = {"route": "infusion", "rate": "6.67 ug/h"}  # the pump's daily amount
INFUSION = {"route": "infusion", "rate": "66.7 ug/h"}  # enough to occupy the receptor
DAILY = {"route": "sc", "dose": "100 ug", "every": "1 d"}


@pytest.mark.parametrize("resolution, every", [("averaged", "1 h"), ("pulsatile", "5 min")])
def test_pump_stimulates_while_infusion_desensitizes(resolution, every):
    """Same daily gonadorelin dose: the pump keeps driving LH and T, the infusion fades."""
    pump = gonadorelin(PUMP, resolution, until="28 d", every=every)
    infusion = gonadorelin(INFUSION, resolution, until="28 d", every=every)
    last = lambda f, c: f[f.time_d >= 27][c].mean()  # noqa: E731
    first_day_infusion = infusion[(infusion.time_d > 0) & (infusion.time_d < 1)].lh_iu_l.max()
    assert last(pump, "lh_iu_l") > 1.5 * last(infusion, "lh_iu_l")
    assert last(pump, "testosterone_total_ng_dl") > 1.3 * last(infusion, "testosterone_total_ng_dl")
    assert first_day_infusion > 2 * last(infusion, "lh_iu_l")  # flare, then desensitization
    same_daily = gonadorelin(SAME_DAILY_INFUSION, resolution, until="28 d", every=every)
    assert last(pump, "lh_iu_l") > 4 * last(same_daily, "lh_iu_l")  # a plateau that low hardly signals


def test_daily_injection_gives_only_brief_lh_bumps():
    daily = gonadorelin(DAILY, "pulsatile", every="5 min")
    pump = gonadorelin(PUMP, "pulsatile", every="5 min")
    last = daily[daily.time_d >= 13]
    pump_last = pump[pump.time_d >= 13]
    assert last.lh_iu_l.max() > 5 * last.lh_iu_l.median()  # a brief bump after each injection
    assert (last.lh_iu_l > 0.5 * last.lh_iu_l.max()).mean() < 0.1  # above half its peak < 2.4 h a day
    assert last.lh_iu_l.median() < 0.2 * pump_last.lh_iu_l.mean()  # near baseline most of the day
    assert last.testosterone_total_ng_dl.mean() < 0.5 * pump_last.testosterone_total_ng_dl.mean()


@pytest.mark.parametrize("background, antagonist, availability", [(0.0, 0.0, 1.0), (0.3, 0.0, 0.7), (0.0, 2.0, 0.9)])
@pytest.mark.parametrize("frequency_per_d", [27.0, 15.0, 4.0])
def test_pulse_train_average_matches_its_quadrature_written_out(frequency_per_d, background, antagonist,
                                                                availability):
    """The averaged resolution's pulse-train mean takes shortcuts that must not change its
    value: a table of node exponentials, the receptor exponents dispatched once per call, and
    exponentials too small to change a double left out. Here the same quadrature is written
    out plainly (every exponential computed, the response and permission of every node taken
    from the receptor's own functions) and the two must agree to rounding."""
    params, _, _ = model.build()
    P = params.index
    theta = patient_theta(hpgsim.load_scenario({"name": "x", "simulate": {"until": "1 d"}}).patient, None)
    ref = model.reference(theta, P)
    k_slow, k_fast = theta[P.gnrh_decay_per_d], theta[P.gnrh_rise_per_d]
    period, coef = 1.0 / frequency_per_d, ref[model.R.amplitude] * ref[model.R.pulse_peak_scale]

    def plain():
        edges = g._panel_edges(period, k_slow, k_fast)
        slow = coef / (1.0 - math.exp(-k_slow * period))
        fast = coef / (1.0 - math.exp(-k_fast * period))
        sums = np.zeros(3)
        for panel, (x, w) in enumerate(((g._GL_X, g._GL_W), (g._GL_X, g._GL_W), (g._TAIL_X, g._TAIL_W))):
            a, b = edges[panel], edges[panel + 1]
            for xi, wi in zip(x, w):
                tau = 0.5 * (a + b) + 0.5 * (b - a) * xi
                occ = g.occupancy(background + slow * math.exp(-k_slow * tau) - fast * math.exp(-k_fast * tau),
                                  antagonist)
                node = (g.gonadotrope_response(theta, P, availability, occ), occ,
                        g.recovery_permission(theta, P, occ))
                sums += wi * 0.5 * (b - a) * np.array(node)
        return sums / period

    expected = plain()
    for table in (ref[model.PULSE_TABLE:], model.NO_TABLE):  # the man's own table, or none
        got = np.array(g.train_average(theta, P, period, coef, k_slow, k_fast, background, antagonist,
                                       availability, table))
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0.0)
