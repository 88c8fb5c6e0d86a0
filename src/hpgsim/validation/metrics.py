"""The standard metrics of validation cases: one quantity per man, then a statistic over men.

Per-man quantities (``Metric.kind``) read the simulated outputs of an arm:

* ``value`` at a time, or the mean over a ``window``; ``fold`` and ``change`` against the
  man's own value at ``baseline_at`` (default: the start of the run, before any dose);
  ``max_fold`` and ``time_of_max`` within a window;
* ``time_below``: first time, counted from ``after`` (default day 0), that the output falls
  below ``threshold`` (absolute, or a fraction of his baseline with ``of_baseline``);
  ``time_back``: time until it is back at or above the threshold, by the trial endpoints'
  rule (:func:`hpgsim.trial.recovery_times`); a man with no event gets ``inf`` (censored);
* ``below`` (1 or 0 at a time), ``ratio`` of two outputs, ``state_mean`` of an internal
  state (typical patient only), ``pulse_interval`` (mean interval between LH peaks, min),
  ``parameter`` (a model parameter's value).

Statistics over the men of a population (``Metric.stat``): ``median`` (censored men count
as infinitely late), ``median_event`` (among men with the event), ``mean`` and ``sd`` (of finite values), ``centile``, ``fraction``,
``probability_by`` (share with an event by ``by``), ``spearman`` (rank correlation with a
covariate or with another metric's per-man values). A typical patient is one man: his
quantity is the result. Population results carry a 95 % bootstrap interval over men.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..observables import COLUMNS
from ..trial import recovery_times
from ..units import parse_time_days
from .cases import TIME_UNITS, Among, Metric

TIME_KINDS = ("time_below", "time_back", "time_of_max")
BOOTSTRAP_SAMPLES = 200


@dataclass
class ArmRun:
    """What an arm's simulation gives the metrics."""

    times: np.ndarray  # days
    values: np.ndarray  # (men, times, contract columns)
    covariates: pd.DataFrame | None  # one row per man (populations)
    result: object  # hpgsim.simulate.Result (internal states of a typical patient)

    @property
    def n(self) -> int:
        return self.values.shape[0]

    def column(self, name: str) -> np.ndarray:
        try:
            return self.values[:, :, COLUMNS.index(name)]
        except ValueError:
            raise KeyError(f"unknown output column {name!r}") from None


def interp_rows(times: np.ndarray, v: np.ndarray, t: float) -> np.ndarray:
    """Each row of ``v`` (men × times) linearly interpolated at time ``t``."""
    k = int(np.clip(np.searchsorted(times, t), 1, times.size - 1))
    t0, t1 = times[k - 1], times[k]
    w = 0.0 if t1 == t0 else min(max((t - t0) / (t1 - t0), 0.0), 1.0)
    return v[:, k - 1] * (1.0 - w) + v[:, k] * w


def _between(times: np.ndarray, window: tuple[str, str]) -> np.ndarray:
    """Output rows from the window's first time to its last, both included."""
    a, b = (parse_time_days(x) for x in window)
    return (times >= a - 1e-9) & (times <= b + 1e-9)


def _level(arm: ArmRun, metric: Metric, column: str) -> np.ndarray:
    v = arm.column(column)
    if metric.window is not None:
        return v[:, _between(arm.times, metric.window)].mean(axis=1)
    return interp_rows(arm.times, v, metric.days("at"))


def _baseline(arm: ArmRun, metric: Metric) -> np.ndarray:
    v = arm.column(metric.output)
    return v[:, 0] if metric.baseline_at is None else interp_rows(arm.times, v, metric.days("baseline_at"))


def _threshold(arm: ArmRun, metric: Metric) -> np.ndarray:
    base = _baseline(arm, metric) if metric.of_baseline else 1.0
    return np.broadcast_to(metric.threshold * base, (arm.n,)).astype(float)


def _time_below(arm: ArmRun, metric: Metric) -> np.ndarray:
    start = metric.days("after") or 0.0
    keep = arm.times >= start - 1e-9
    t, v = arm.times[keep], arm.column(metric.output)[:, keep]
    thr = _threshold(arm, metric)[:, None]
    hit = v < thr
    k = np.argmax(hit, axis=1)
    rows = np.arange(arm.n)
    k0 = np.maximum(k - 1, 0)
    v0, v1 = v[rows, k0], v[rows, k]
    frac = np.clip((v0 - thr[:, 0]) / np.where(v0 != v1, v0 - v1, 1.0), 0.0, 1.0)
    crossing = t[k0] + frac * (t[k] - t[k0])
    return np.where(hit.any(axis=1), crossing - start, np.inf)


def _time_back(arm: ArmRun, metric: Metric) -> np.ndarray:
    start = metric.days("after") or 0.0
    time, event = recovery_times(arm.times - start, arm.column(metric.output), _threshold(arm, metric))
    return np.where(event, time, np.inf)


def _pulse_interval(arm: ArmRun, metric: Metric) -> np.ndarray:
    mask = _between(arm.times, metric.window)
    t, v = arm.times[mask], arm.column(metric.output)[:, mask]
    out = np.empty(arm.n)
    for i, row in enumerate(v):
        peaks = np.flatnonzero((row[1:-1] > row[:-2]) & (row[1:-1] >= row[2:])) + 1
        out[i] = np.diff(t[peaks]).mean() * 1440.0 if peaks.size > 1 else np.inf
    return out


def per_man(metric: Metric, arm: ArmRun) -> np.ndarray:
    """The metric's quantity for each man of the arm (times in ``metric.time_unit``)."""
    kind = metric.kind
    if kind == "value":
        x = _level(arm, metric, metric.output)
    elif kind in ("fold", "change"):
        x = _level(arm, metric, metric.output) / _baseline(arm, metric) - (kind == "change")
    elif kind == "max_fold":
        x = arm.column(metric.output)[:, _between(arm.times, metric.window)].max(axis=1) / _baseline(arm, metric)
    elif kind == "time_of_max":
        mask = _between(arm.times, metric.window)
        x = arm.times[mask][np.argmax(arm.column(metric.output)[:, mask], axis=1)]
    elif kind == "time_below":
        x = _time_below(arm, metric)
    elif kind == "time_back":
        x = _time_back(arm, metric)
    elif kind == "below":
        x = (_level(arm, metric, metric.output) < _threshold(arm, metric)).astype(float)
    elif kind == "ratio":
        x = _level(arm, metric, metric.output) / _level(arm, metric, metric.denominator)
    elif kind == "state_mean":
        states = arm.result.state(metric.state)
        x = np.array([states[_between(arm.times, metric.window)].mean()])
    elif kind == "pulse_interval":
        x = _pulse_interval(arm, metric)
    else:  # pragma: no cover - the schema admits no other kind
        raise ValueError(f"no per-man rule for metric kind {kind!r}")
    x = np.asarray(x, float) * metric.scale
    if kind in TIME_KINDS:
        x = x / TIME_UNITS[metric.time_unit]
    return x


def _condition_level(arm: ArmRun, condition: Among) -> np.ndarray:
    """Each man's level for an ``among`` condition: at one time, or his lowest in a window."""
    v = arm.column(condition.output)
    if condition.at is not None:
        return interp_rows(arm.times, v, parse_time_days(condition.at))
    window = _between(arm.times, condition.lowest_between)
    if not window.any():
        raise ValueError(f"no output time between {condition.lowest_between[0]} and {condition.lowest_between[1]}")
    return v[:, window].min(axis=1)


def among(metric: Metric, arm: ArmRun) -> np.ndarray:
    """Which men the metric is computed on: those meeting every condition of
    ``metric.among`` (all men when there is none), e.g. a normal baseline and azoospermia at
    the end of treatment."""
    keep = np.ones(arm.n, bool)
    for a in metric.among:
        level = _condition_level(arm, a)
        if a.below is not None:
            keep &= level < a.below
        if a.at_least is not None:
            keep &= level >= a.at_least
    return keep


def covariate_values(name: str, arm: ArmRun, earlier: dict[str, np.ndarray]) -> np.ndarray:
    """A covariate per man: a column of the population's covariates (``asian`` is 0/1), or
    the per-man values of an earlier metric of the same arm."""
    if name in earlier:
        return earlier[name]
    cov = arm.covariates
    if cov is None:
        raise KeyError(f"covariate {name!r}: the arm is a typical patient, not a population")
    if name == "asian":
        return (cov["ethnicity"] == "asian").to_numpy(float)
    if name not in cov.columns:
        raise KeyError(f"unknown covariate {name!r}; known: asian, {', '.join(cov.columns)}")
    return cov[name].to_numpy(float)


def statistic(metric: Metric, x: np.ndarray, covariate: np.ndarray | None = None) -> float:
    """Reduce per-man values to the metric's statistic."""
    stat = metric.stat or "median"
    if x.size == 0:
        return float("nan")
    if stat == "median":
        return float(np.median(x))
    finite = x[np.isfinite(x)]
    if stat == "median_event":
        return float(np.median(finite)) if finite.size else float("nan")
    if stat == "mean":
        return float(finite.mean()) if finite.size else float("nan")
    if stat == "sd":
        return float(finite.std(ddof=1)) if finite.size > 1 else float("nan")
    if stat == "centile":
        return float(np.percentile(x, metric.q))
    if stat == "fraction":
        return float(np.mean(x))
    if stat == "probability_by":
        return float(np.mean(x <= metric.days("by") / TIME_UNITS[metric.time_unit]))
    if stat == "spearman":
        from scipy.stats import spearmanr

        if np.ptp(covariate) == 0 or np.ptp(np.nan_to_num(x, posinf=1e300)) == 0:
            return float("nan")
        return float(spearmanr(np.nan_to_num(x, posinf=1e300), covariate).statistic)
    raise ValueError(f"unknown statistic {stat!r}")  # pragma: no cover - schema checks it


def bootstrap_interval(metric: Metric, x: np.ndarray, covariate: np.ndarray | None = None,
                       seed: int = 0) -> tuple[float, float]:
    """95 % percentile bootstrap interval of the statistic over men (same resamples for a
    covariate and its values)."""
    if x.size < 2:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(BOOTSTRAP_SAMPLES):
        idx = rng.integers(0, x.size, x.size)
        draws.append(statistic(metric, x[idx], None if covariate is None else covariate[idx]))
    draws = np.asarray(draws, float)
    draws = draws[~np.isnan(draws)]
    if draws.size == 0:
        return (float("nan"), float("nan"))
    # nearest rank: censored (infinite) draws must not be interpolated with finite ones
    return (float(np.percentile(draws, 2.5, method="nearest")),
            float(np.percentile(draws, 97.5, method="nearest")))


def derived(metric: Metric, values: dict[str, float]) -> float:
    """A comparison of earlier metrics: ``ratio_of`` (first / second), ``difference_of``
    (first − second, for published differences between groups), ``greater`` (first >
    second, 1 or 0), ``increasing`` (each larger than the one before, 1 or 0)."""
    xs = [values[name] for name in metric.of]
    if not all(np.isfinite(xs)):  # a censored (never reached) or missing input decides nothing
        return float("nan")
    if metric.kind == "ratio_of":
        return xs[0] / xs[1]
    if metric.kind == "difference_of":
        return xs[0] - xs[1]
    if metric.kind == "greater":
        return float(xs[0] > xs[1])
    return float(all(b > a for a, b in zip(xs, xs[1:])))
