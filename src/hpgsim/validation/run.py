"""Run validation cases: simulate each arm once, compute the metrics, judge them.

``run_cases(cases)`` returns one :class:`CaseResult` per case. Arms shared by several
cases (same scenario text) are simulated once. ``overrides`` (typical values by name) and
``iiv_overrides`` (IIV CVs by name) and ``potency_overrides`` (drug potencies by species)
let calibration and sensitivity analyses re-run the same cases with other parameters.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np

from ..model import build
from ..simulate import simulate
from .cases import DERIVED_KINDS, Case, Metric
from .metrics import ArmRun, among, bootstrap_interval, covariate_values, derived, per_man, statistic


@dataclass
class MetricResult:
    metric: Metric
    simulated: float
    interval: tuple[float, float]  # 95 % bootstrap over men; NaN for a typical patient
    n_men: int
    passed: bool | None  # None: reported only (no tolerance)
    per_man: np.ndarray | None = None  # values of each man (populations), for figures

    @property
    def published(self) -> float | None:
        return self.metric.published


@dataclass
class CaseResult:
    case: Case
    metrics: list[MetricResult]
    arms: dict[str, ArmRun]
    seconds: float
    error: str | None = None

    @property
    def judged(self) -> list[MetricResult]:
        return [m for m in self.metrics if m.passed is not None]

    @property
    def passed(self) -> bool:
        return self.error is None and all(m.passed for m in self.judged)


@dataclass
class Runner:
    """Simulates arms with given parameters, keeping each distinct arm once."""

    overrides: dict[str, float] = field(default_factory=dict)
    iiv_overrides: dict[str, float] = field(default_factory=dict)
    progress: bool = False
    potency_overrides: dict[str, float] = field(default_factory=dict)
    _arms: dict[str, ArmRun] = field(default_factory=dict)

    def arm(self, case: Case, name: str) -> ArmRun:
        key = json.dumps(case.arms[name], sort_keys=True)
        if key not in self._arms:
            scenario = case.scenario(name)
            result = simulate(scenario, overrides=self.overrides or None,
                              iiv_overrides=self.iiv_overrides or None, progress=self.progress,
                              potency_overrides=self.potency_overrides or None)
            cov = result.population.covariates() if result.population is not None else None
            self._arms[key] = ArmRun(result.times_d, result.values, cov, result)
        return self._arms[key]

    def run(self, case: Case) -> CaseResult:
        start = time.perf_counter()
        results: list[MetricResult] = []
        values: dict[str, float] = {}
        per_arm: dict[str, dict[str, np.ndarray]] = {}
        arms = {name: self.arm(case, name) for name in case.arms}
        for metric in case.metrics:
            results.append(self._metric(metric, arms, values, per_arm))
            values[metric.name] = results[-1].simulated
        return CaseResult(case, results, arms, time.perf_counter() - start)

    def _metric(self, metric: Metric, arms, values, per_arm) -> MetricResult:
        nan2 = (float("nan"), float("nan"))
        if metric.kind in DERIVED_KINDS:
            sim = derived(metric, values)
            return MetricResult(metric, sim, nan2, 0, _judge(metric, sim))
        if metric.kind == "parameter":
            params, _, _ = build()
            sim = self.overrides.get(metric.parameter, params.parameters[metric.parameter].value)
            return MetricResult(metric, sim * metric.scale, nan2, 0, _judge(metric, sim * metric.scale))
        arm = arms[metric.arm]
        x = per_man(metric, arm)
        earlier = per_arm.setdefault(metric.arm, {})
        keep = among(metric, arm)
        cov = None
        if metric.stat == "spearman":
            cov = covariate_values(metric.covariate, arm, earlier)[keep]
        earlier[metric.name] = x
        x = x[keep]
        if arm.n == 1:
            sim, interval = (float(x[0]) if x.size else float("nan")), nan2
        else:
            sim = statistic(metric, x, cov)
            interval = bootstrap_interval(metric, x, cov)
        return MetricResult(metric, sim, interval, int(x.size), _judge(metric, sim), x if arm.n > 1 else None)


def _judge(metric: Metric, simulated: float) -> bool | None:
    if metric.tolerance is None:
        return None
    return bool(metric.tolerance.check(simulated, metric.published))


def run_cases(cases, *, overrides: dict[str, float] | None = None,
              iiv_overrides: dict[str, float] | None = None, progress: bool = False,
              on_case=None, potency_overrides: dict[str, float] | None = None) -> list[CaseResult]:
    """Run ``cases`` (see :func:`hpgsim.validation.cases.select`); ``on_case(result)`` is
    called after each, for progress messages."""
    runner = Runner(dict(overrides or {}), dict(iiv_overrides or {}), progress, dict(potency_overrides or {}))
    out = []
    for case in cases:
        try:
            result = runner.run(case)
        except (RuntimeError, KeyError, ValueError) as exc:
            result = CaseResult(case, [], {}, 0.0, error=f"{type(exc).__name__}: {exc}")
        out.append(result)
        if on_case is not None:
            on_case(result)
    return out
