"""Tests of hpgsim.endpoints on synthetic curves with known crossing times."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hpgsim.endpoints import KEY_TIME_SPECS, KeyTime, first_time, key_times, recovery_time
from hpgsim.report import DosingPeriod

# Sperm: 60 M/mL falling with a 40-day time constant from day -365 (TRT),
# 0 from day 0 to 60, then a logistic recovery to 60 M/mL centred on day 200.
SPERM0, TAU_FALL, MID, WIDTH = 60.0, 40.0, 200.0, 30.0


def logistic_crossing(level: float, mid: float = MID) -> float:
    """Day at which 60/(1+exp(-(t-mid)/30)) equals ``level``."""
    return mid - WIDTH * math.log(SPERM0 / level - 1.0)


def sperm_curve(t: np.ndarray, mid: float = MID, recovers: bool = True) -> np.ndarray:
    """Exponential fall before day 0, zero, then (optionally) logistic recovery."""
    fall = SPERM0 * np.exp(-(t + 365.0) / TAU_FALL)
    rise = SPERM0 / (1.0 + np.exp(-(t - mid) / WIDTH)) if recovers else np.zeros_like(t)
    return np.where(t < 0, fall, np.where(t < 60, 0.0, rise))


def make_frame(step_d: float = 1.0, patients: dict[int, dict] | None = None) -> pd.DataFrame:
    """A table with the key-time columns; ``patients`` maps id -> sperm_curve kwargs."""
    t = np.arange(-365.0, 730.0 + step_d / 2, step_d)
    parts = []
    for pid, kwargs in (patients or {0: {}}).items():
        parts.append(pd.DataFrame({
            "patient": pid,
            "time_d": t,
            "sperm_concentration_m_ml": sperm_curve(t, **kwargs),
            # T: 150 ng/dL at day 0 rising linearly by 5 ng/dL/day -> 300 at day 30.
            "testosterone_total_ng_dl": np.where(t < 0, 700.0, 150.0 + 5.0 * t),
            # LH never below 1.5 after day 0 in this frame.
            "lh_iu_l": np.full_like(t, 5.0),
        }))
    return pd.concat(parts, ignore_index=True)


PERIODS = [
    DosingPeriod("testosterone_cypionate", "TRT", -365.0, 0.0, "im"),
    DosingPeriod("hcg", "hCG", 0.0, 180.0, "sc"),
]


def by_label(keys: list[KeyTime]) -> dict[str, KeyTime]:
    return {k.label: k for k in keys}


# --- first_time ---------------------------------------------------------


def test_first_time_below_matches_exponential_crossing():
    frame = make_frame()
    expected = -365.0 + TAU_FALL * math.log(SPERM0 / 1.0)  # about -201.2
    got = first_time(frame, "sperm_concentration_m_ml", 1.0, after_d=-365.0)
    assert got == pytest.approx(expected, abs=0.5)


def test_first_time_interpolates_between_coarse_rows():
    # Straight line sampled every 30 days: interpolation must be exact.
    frame = pd.DataFrame({"time_d": np.arange(0.0, 301.0, 30.0)})
    frame["x"] = 100.0 - frame["time_d"] / 3.0  # crosses 50 at day 150, 42 at 174
    assert first_time(frame, "x", 42.0) == pytest.approx(174.0, abs=1e-9)
    assert first_time(frame, "x", 80.0, direction="at_or_above", after_d=0.0) == 0.0


def test_first_time_at_or_above_matches_logistic_recovery():
    frame = make_frame(step_d=7.0)
    got = first_time(frame, "sperm_concentration_m_ml", 15.0, direction="at_or_above")
    assert got == pytest.approx(logistic_crossing(15.0), abs=0.5)  # about 167.0


def test_first_time_returns_after_d_when_condition_already_holds():
    frame = make_frame()
    assert first_time(frame, "sperm_concentration_m_ml", 1.0, after_d=0.0) == 0.0
    assert first_time(frame, "sperm_concentration_m_ml", 1.0, after_d=12.5) == 12.5


def test_first_time_none_when_never_reached_or_after_end():
    frame = make_frame()
    assert first_time(frame, "sperm_concentration_m_ml", 100.0, direction="at_or_above") is None
    assert first_time(frame, "lh_iu_l", 1.5) is None
    assert first_time(frame, "lh_iu_l", 10.0, after_d=1000.0) is None


def test_first_time_ignores_missing_values():
    frame = pd.DataFrame({"time_d": [0.0, 10.0, 20.0, 30.0], "x": [10.0, np.nan, 6.0, 2.0]})
    # Interpolated between day 0 (10) and day 20 (6): 8 is reached at day 10.
    assert first_time(frame, "x", 8.0) == pytest.approx(10.0)


def test_first_time_selects_patient_and_refuses_ambiguous_frame():
    frame = make_frame(patients={0: {}, 1: {"mid": 260.0}})
    t1 = first_time(frame, "sperm_concentration_m_ml", 15.0, direction="at_or_above", patient=1)
    assert t1 == pytest.approx(logistic_crossing(15.0, 260.0), abs=0.5)
    with pytest.raises(ValueError):
        first_time(frame, "sperm_concentration_m_ml", 15.0)
    with pytest.raises(ValueError):
        first_time(frame, "sperm_concentration_m_ml", 15.0, direction="sideways")  # type: ignore[arg-type]


# --- recovery_time and key_times -----------------------------------------


def test_recovery_time_statuses():
    frame = make_frame()
    t, status = recovery_time(frame, "sperm_concentration_m_ml", 20.0)
    assert status == "recovered"
    assert t == pytest.approx(logistic_crossing(20.0), abs=0.5)  # about 179.2
    assert recovery_time(frame, "lh_iu_l", 1.5) == (0.0, "never below")
    no_back = make_frame(patients={0: {"recovers": False}})
    assert recovery_time(no_back, "sperm_concentration_m_ml", 15.0) == (None, "not recovered")


def test_recovery_counts_from_first_dip_after_day_0():
    # Above at day 0, dips below on day 10-20, back on day 20, dips again later.
    frame = pd.DataFrame({"time_d": [0.0, 10.0, 20.0, 30.0, 40.0],
                          "x": [30.0, 10.0, 30.0, 10.0, 30.0]})
    t, status = recovery_time(frame, "x", 20.0)
    assert status == "recovered"
    assert t == pytest.approx(15.0)  # first return, not the last one (35)


def test_key_times_typical_patient():
    keys = key_times(make_frame(), PERIODS)
    assert [k.label for k in keys] == [s.label for s in KEY_TIME_SPECS]
    k = by_label(keys)
    below1 = k["Sperm concentration < 1 M/mL"]
    assert below1.value_d == 0.0 and "already below at day 0" in below1.note
    back15 = k["Sperm concentration back ≥ 15 M/mL"]
    assert back15.value_d == pytest.approx(logistic_crossing(15.0), abs=0.5)
    assert "during hCG" in back15.note  # day 167 < 180
    back20 = k["Sperm concentration back ≥ 20 M/mL"]
    assert back20.value_d == pytest.approx(logistic_crossing(20.0), abs=0.5)
    testo = k["Total testosterone back ≥ 300 ng/dL"]
    assert testo.value_d == pytest.approx(30.0, abs=0.5)
    lh = k["LH back ≥ 1.5 IU/L"]
    assert lh.value_d == 0.0 and lh.note == "never below"


def test_key_times_never_below_and_never_recovered():
    t = np.arange(0.0, 401.0, 5.0)
    flat = pd.DataFrame({"patient": 0, "time_d": t, "sperm_concentration_m_ml": 50.0,
                         "testosterone_total_ng_dl": 100.0, "lh_iu_l": 0.2})
    k = by_label(key_times(flat, []))
    fall = k["Sperm concentration < 1 M/mL"]
    assert fall.value_d is None and "never below" in fall.note
    assert k["Sperm concentration back ≥ 15 M/mL"].value_d == 0.0
    assert k["Sperm concentration back ≥ 15 M/mL"].note == "never below"
    testo = k["Total testosterone back ≥ 300 ng/dL"]
    assert testo.value_d is None and "not reached by day 400" in testo.note
    assert k["LH back ≥ 1.5 IU/L"].value_d is None


def test_key_times_population_median_and_counts():
    mids = {0: 180.0, 1: 220.0, 2: 260.0}
    frame = make_frame(patients={pid: {"mid": m} for pid, m in mids.items()})
    back15 = by_label(key_times(frame, PERIODS))["Sperm concentration back ≥ 15 M/mL"]
    assert back15.value_d == pytest.approx(logistic_crossing(15.0, 220.0), abs=0.5)
    assert "median of 3 patients" in back15.note and "reached by 3/3" in back15.note
    assert "off treatment" in back15.note  # median day ~187 is after hCG stopped


def test_key_times_population_counts_non_recovered_as_late():
    one_of_three = make_frame(patients={0: {}, 1: {"recovers": False}, 2: {"recovers": False}})
    back = by_label(key_times(one_of_three, PERIODS))["Sperm concentration back ≥ 15 M/mL"]
    assert back.value_d is None
    assert "reached by 1/3" in back.note
    two_of_three = make_frame(patients={0: {}, 1: {"mid": 300.0}, 2: {"recovers": False}})
    back = by_label(key_times(two_of_three, PERIODS))["Sperm concentration back ≥ 15 M/mL"]
    assert back.value_d == pytest.approx(logistic_crossing(15.0, 300.0), abs=0.5)
    assert "reached by 2/3" in back.note
