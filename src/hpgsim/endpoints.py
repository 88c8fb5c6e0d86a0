"""Clinically meaningful time points read off a simulation table.

A simulation table (``pandas.DataFrame``) has one row per patient and output
time, a ``patient`` column (0..N-1), a ``time_d`` column (days since the
decision point; negative values are history) and one column per simulated
quantity.  The functions here are pure: they never modify the frame.

Times between output rows are found by linear interpolation of the value
between the two neighbouring rows, so the answer does not depend on the
output grid more than the grid itself resolves the curve.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import pandas as pd

__all__ = [
    "Direction",
    "KeyTime",
    "KeyTimeSpec",
    "KEY_TIME_SPECS",
    "first_time",
    "recovery_time",
    "key_times",
]

Direction = Literal["below", "at_or_above"]


class _Period(Protocol):
    """What ``key_times`` needs from a dosing period (see ``report.DosingPeriod``).

    A protocol rather than an import keeps this module free of the plotting
    dependencies of ``hpgsim.report``.  Read-only properties, so frozen
    dataclasses satisfy it.
    """

    @property
    def label(self) -> str: ...

    @property
    def start_d(self) -> float: ...

    @property
    def stop_d(self) -> float: ...


@dataclass(frozen=True)
class KeyTime:
    """One reported time point.

    ``value_d`` is in days since the decision point (day 0), or ``None`` when
    the event was not reached within the simulated time.  ``note`` explains
    how to read the value (already true at day 0, never below, number of
    patients that reached it, treatment active at that time...).
    """

    label: str
    value_d: float | None
    note: str


@dataclass(frozen=True)
class KeyTimeSpec:
    """Definition of one key time: which column, which threshold, which rule.

    ``kind`` is ``"fall"`` (first time below the threshold at or after day 0,
    see :func:`first_time`) or ``"recovery"`` (first time back at or above
    the threshold after having been below it, see :func:`recovery_time`).
    """

    label: str
    column: str
    threshold: float
    kind: Literal["fall", "recovery"]


#: The key times of a report, in display order.
KEY_TIME_SPECS: tuple[KeyTimeSpec, ...] = (
    KeyTimeSpec("Sperm concentration < 1 M/mL", "sperm_concentration_m_ml", 1.0, "fall"),
    KeyTimeSpec("Sperm concentration < 15 M/mL", "sperm_concentration_m_ml", 15.0, "fall"),
    KeyTimeSpec("Sperm concentration back ≥ 15 M/mL", "sperm_concentration_m_ml", 15.0, "recovery"),
    KeyTimeSpec("Sperm concentration back ≥ 20 M/mL", "sperm_concentration_m_ml", 20.0, "recovery"),
    KeyTimeSpec("Total testosterone back ≥ 300 ng/dL", "testosterone_total_ng_dl", 300.0, "recovery"),
    KeyTimeSpec("LH back ≥ 1.5 IU/L", "lh_iu_l", 1.5, "recovery"),
)


# --------------------------------------------------------------------------
# Single-curve primitives
# --------------------------------------------------------------------------


def _holds(value: float, threshold: float, direction: Direction) -> bool:
    """The crossing condition, in one place so both directions share code."""
    if direction == "below":
        return value < threshold
    if direction == "at_or_above":
        return value >= threshold
    raise ValueError(f"direction must be 'below' or 'at_or_above', not {direction!r}")


def _curve(frame: pd.DataFrame, column: str, patient: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Time-sorted (time, value) arrays of one patient, NaN rows dropped.

    With ``patient=None`` the frame must hold a single patient: silently
    picking one of several would give a plausible but wrong number.
    """
    if column not in frame.columns:
        raise KeyError(f"column {column!r} not in frame")
    rows = frame
    if "patient" in frame.columns:
        if patient is None:
            ids = frame["patient"].unique()
            if len(ids) > 1:
                raise ValueError(
                    f"frame holds {len(ids)} patients; pass patient= to choose one"
                )
        else:
            rows = frame[frame["patient"] == patient]
    elif patient not in (None, 0):
        raise ValueError("frame has no 'patient' column; only patient 0/None is valid")
    rows = rows[["time_d", column]].dropna().sort_values("time_d", kind="stable")
    return rows["time_d"].to_numpy(float), rows[column].to_numpy(float)


def _first_crossing(
    t: np.ndarray, v: np.ndarray, threshold: float, direction: Direction, after_d: float
) -> float | None:
    """First time >= ``after_d`` at which the condition holds on a sampled curve.

    The curve is taken as piecewise linear between samples.  The search
    starts at ``max(after_d, t[0])`` (nothing is known before the first
    sample); if the condition holds there, that start time is returned.
    """
    if t.size == 0 or after_d > t[-1]:
        return None
    start = max(float(after_d), float(t[0]))
    v_start = float(np.interp(start, t, v))
    if _holds(v_start, threshold, direction):
        return start
    later = t > start
    ts = np.concatenate(([start], t[later]))
    vs = np.concatenate(([v_start], v[later]))
    hits = vs < threshold if direction == "below" else vs >= threshold
    idx = int(np.argmax(hits))
    if not hits[idx]:
        return None
    # Segment (idx-1, idx) goes from "condition false" to "condition true":
    # solve the straight line for the threshold.
    t0, t1, v0, v1 = ts[idx - 1], ts[idx], vs[idx - 1], vs[idx]
    frac = (threshold - v0) / (v1 - v0)
    return float(t0 + min(max(frac, 0.0), 1.0) * (t1 - t0))


def first_time(
    frame: pd.DataFrame,
    column: str,
    threshold: float,
    *,
    direction: Direction = "below",
    after_d: float = 0.0,
    patient: int | None = None,
) -> float | None:
    """First ``time_d`` >= ``after_d`` at which ``column`` crosses ``threshold``.

    ``direction="below"`` looks for ``value < threshold``;
    ``direction="at_or_above"`` for ``value >= threshold``.  The crossing is
    linearly interpolated between output rows.  If the condition already
    holds at ``after_d`` (value interpolated there), ``after_d`` is returned.
    Returns ``None`` if the condition is never met within the table.

    ``patient`` selects one patient of a multi-patient frame; ``None`` is
    only allowed when the frame holds a single patient (a ``ValueError`` is
    raised otherwise, rather than silently choosing one).
    """
    t, v = _curve(frame, column, patient)
    return _first_crossing(t, v, threshold, direction, after_d)


def recovery_time(
    frame: pd.DataFrame,
    column: str,
    threshold: float,
    *,
    after_d: float = 0.0,
    patient: int | None = None,
) -> tuple[float | None, str]:
    """Time at which ``column`` is back at or above ``threshold``.

    Rule ("time to X back"): let ``t_below`` be the first time at or after
    ``after_d`` at which the value is below the threshold.  The recovery time
    is the first time at or after ``t_below`` at which the value is at or
    above the threshold again.  A later dip below the threshold after that
    first return does not move the answer: the report asks "when did it come
    back", not "when did it come back for good".

    Returns ``(time, status)`` where ``status`` is one of:

    - ``"recovered"``: ``time`` is the recovery time;
    - ``"never below"``: the value never went below the threshold after
      ``after_d``; ``time`` is ``after_d`` (nothing had to recover);
    - ``"not recovered"``: it went below and did not come back within the
      table; ``time`` is ``None``.
    """
    t, v = _curve(frame, column, patient)
    return _recovery(t, v, threshold, after_d)


def _recovery(
    t: np.ndarray, v: np.ndarray, threshold: float, after_d: float
) -> tuple[float | None, str]:
    """:func:`recovery_time` on a sampled curve."""
    t_below = _first_crossing(t, v, threshold, "below", after_d)
    if t_below is None:
        return float(after_d), "never below"
    search_from = t_below
    if np.interp(t_below, t, v) >= threshold:
        # t_below is the interpolated crossing itself, where the value equals
        # the threshold; the curve is below from there to the next sample.
        search_from = float(t[t > t_below][0])
    t_back = _first_crossing(t, v, threshold, "at_or_above", search_from)
    if t_back is None:
        return None, "not recovered"
    return t_back, "recovered"


# --------------------------------------------------------------------------
# Report-level key times
# --------------------------------------------------------------------------


def _patient_ids(frame: pd.DataFrame) -> list[int | None]:
    """Patients to evaluate; ``[None]`` for a frame without a patient column."""
    if "patient" not in frame.columns:
        return [None]
    ids: list[int | None] = [int(p) for p in sorted(frame["patient"].unique())]
    return ids


def _survival_median(values: Sequence[float | None]) -> float | None:
    """Median time counting 'not reached' as later than any simulated time.

    Dropping the patients who never reached an event would make the median
    look early; counting them as +infinity gives the usual time-to-event
    median, which is ``None`` when fewer than half of the patients reached it.
    """
    arr = np.array([math.inf if x is None else x for x in values], dtype=float)
    med = float(np.median(arr))
    return None if math.isinf(med) or math.isnan(med) else med


def _active_drugs(periods: Iterable[_Period], time_d: float) -> list[str]:
    """Labels of the dosing periods that cover ``time_d`` (start inclusive)."""
    return [p.label for p in periods if p.start_d <= time_d < p.stop_d]


def _treatment_note(periods: Sequence[_Period], time_d: float | None) -> str:
    """Say which treatment was running when the event happened.

    This is why ``key_times`` takes the dosing periods: 'reached on day 120'
    reads very differently if hCG was still being given then.
    """
    if time_d is None or not periods:
        return ""
    active = _active_drugs(periods, time_d)
    return f"during {', '.join(active)}" if active else "off treatment"


def _event(t: np.ndarray, v: np.ndarray, spec: KeyTimeSpec) -> tuple[float | None, str]:
    """Evaluate one spec on one patient's sampled curve, from day 0.

    Returns ``(time, status)``; status is ``"reached"``, ``"already below at
    day 0"`` (falls only), ``"never below"``, ``"recovered"`` or ``"not
    recovered"``.  A fall that never happens is ``(None, "never below")``.
    """
    if spec.kind == "recovery":
        return _recovery(t, v, spec.threshold, 0.0)
    time = _first_crossing(t, v, spec.threshold, "below", 0.0)
    if time is None:
        return None, "never below"
    # _first_crossing returns exactly the start (0.0) when the value is below there.
    return time, "already below at day 0" if time == 0.0 else "reached"


def _curves_by_patient(frame: pd.DataFrame, column: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(time, value) arrays of every patient, from one sort of the table.

    Filtering the table once per patient and key time made population
    reports slow; one sort and a split is linear in the table size.
    """
    rows = frame[["patient", "time_d", column]].dropna().sort_values(["patient", "time_d"], kind="stable")
    cuts = np.flatnonzero(np.diff(rows["patient"].to_numpy())) + 1
    times = np.split(rows["time_d"].to_numpy(float), cuts)
    values = np.split(rows[column].to_numpy(float), cuts)
    return list(zip(times, values, strict=True))


def _join(*parts: str) -> str:
    """Join non-empty note fragments with '; '."""
    return "; ".join(p for p in parts if p)


def _end_note(frame: pd.DataFrame) -> str:
    """'not reached by day N' with N the last simulated day."""
    return f"not reached by day {frame['time_d'].max():.0f}"


def _single_key_time(
    frame: pd.DataFrame, spec: KeyTimeSpec, periods: Sequence[_Period]
) -> KeyTime:
    """Key time of a one-patient frame (the typical patient)."""
    time, status = _event(*_curve(frame, spec.column, _patient_ids(frame)[0]), spec)
    if status == "never below":
        if spec.kind == "recovery":
            return KeyTime(spec.label, 0.0, "never below")
        return KeyTime(spec.label, None, _join("never below", _end_note(frame)))
    if time is None:
        return KeyTime(spec.label, None, _end_note(frame))
    if status == "already below at day 0":
        return KeyTime(spec.label, time, status)
    return KeyTime(spec.label, time, _treatment_note(periods, time))


def _population_key_time(frame: pd.DataFrame, spec: KeyTimeSpec, periods: Sequence[_Period]) -> KeyTime:
    """Median key time over several patients, with how many reached it."""
    curves = _curves_by_patient(frame, spec.column)
    times: list[float | None] = []
    counts = {"never below": 0, "already below at day 0": 0}
    for t, v in curves:
        time, status = _event(t, v, spec)
        if status in counts:
            counts[status] += 1
        if status == "never below" and spec.kind == "recovery":
            time = 0.0  # nothing had to recover
        times.append(time)
    n = len(curves)
    reached = sum(t is not None for t in times)
    median = _survival_median(times)
    parts = [f"median of {n} patients; reached by {reached}/{n}"]
    parts += [f"{what} in {k}/{n}" for what, k in counts.items() if k]
    if median is None:
        parts.append(f"fewer than half reached it by day {frame['time_d'].max():.0f}")
    if median != 0.0:  # "during X" at day 0 says nothing about the patients
        parts.append(_treatment_note(periods, median))
    return KeyTime(spec.label, median, _join(*parts))


def key_times(
    frame: pd.DataFrame,
    dosing_periods: Sequence[_Period],
    specs: Sequence[KeyTimeSpec] = KEY_TIME_SPECS,
) -> list[KeyTime]:
    """The key times of a report, all in days since the decision point (day 0).

    For each entry of ``specs`` (default :data:`KEY_TIME_SPECS`):

    - *fall* ("Sperm concentration < 1 M/mL"): first time at or after day 0
      at which the value is below the threshold (:func:`first_time`).  If
      it is already below at day 0 the value is 0 with the note "already
      below at day 0"; if it never falls, the value is ``None`` ("never
      below").
    - *recovery* ("... back ≥ 15 M/mL"): :func:`recovery_time` from day 0,
      i.e. the first time at or above the threshold after the first time
      below it at or after day 0.  If the value never went below after
      day 0, the value is 0 with the note "never below"; if it went below and
      did not come back, the value is ``None``.

    With one patient (the typical patient) the patient's own time is
    reported.  With several patients the value is the median over patients,
    with patients that never reached the event counted as later than the end
    of the simulation (so the median is ``None`` if fewer than half reached
    it); the note gives how many patients reached it.  The dosing periods
    are used to say which treatment was running at the reported time.
    """
    if frame.empty:
        raise ValueError("empty simulation table")
    ids = _patient_ids(frame)
    if len(ids) <= 1:
        return [_single_key_time(frame, spec, dosing_periods) for spec in specs]
    return [_population_key_time(frame, spec, dosing_periods) for spec in specs]
