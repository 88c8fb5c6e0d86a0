"""Validation cases as data: published figures, the scenarios that reproduce their design,
and the metric compared.

The cases live in ``cases.yaml`` beside this module, one per target of the calibration
table (``docs/calibration_targets.yaml``) and of the clinic table (``docs/clinic_targets.yaml``,
group ``clinic``, all but its couples' targets), each with its citation, design, published
value and tolerance. A case names *arms* (ordinary scenarios in the contract's format, a typical
patient or a virtual population) and *metrics*: a standard quantity per man (value, fold,
time below a threshold, ...), reduced over men by a statistic (median, centile, fraction,
probability by a time, ...), or a comparison of other metrics. Adding a case is adding data.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from ..scenario import Scenario, ScenarioError, load_scenario
from ..units import DAYS_PER, UnitError, parse_time_days

CASES_FILE = Path(__file__).with_name("cases.yaml")

PER_MAN_KINDS = (
    "value", "fold", "change", "max_fold", "time_of_max", "time_below", "time_back", "below",
    "ratio", "state_mean", "pulse_interval", "parameter",
)
DERIVED_KINDS = ("ratio_of", "difference_of", "greater", "increasing")
STATS = ("median", "median_event", "mean", "sd", "centile", "fraction", "probability_by", "spearman")
TIME_UNITS = {u: DAYS_PER[u] for u in ("min", "h", "d", "wk", "mo")}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tolerance(_Strict):
    """How close counts as reproduced; the first of these that is set applies."""

    range: tuple[float, float] | None = None
    relative: float | None = None
    absolute: float | None = None
    max: float | None = None
    min: float | None = None
    holds: bool | None = None  # for comparisons: must be true
    text: str | None = None  # the table's own words, shown in the report

    def check(self, simulated: float, published: float | None) -> bool:
        if self.holds is not None:
            return bool(simulated) == self.holds
        if simulated != simulated:  # NaN: the event never happened
            return False
        if self.range is not None:
            return self.range[0] <= simulated <= self.range[1]
        if self.relative is not None:
            return abs(simulated / published - 1.0) <= self.relative + 1e-12
        if self.absolute is not None:
            return abs(simulated - published) <= self.absolute + 1e-12
        ok = True
        if self.max is not None:
            ok &= simulated <= self.max
        if self.min is not None:
            ok &= simulated >= self.min
        return ok

    def bounds(self, published: float | None) -> tuple[float, float] | None:
        """The accepted interval, for figures (None for comparisons)."""
        inf = float("inf")
        if self.range is not None:
            return self.range
        if self.relative is not None and published is not None:
            a, b = published * (1 - self.relative), published * (1 + self.relative)
            return (min(a, b), max(a, b))
        if self.absolute is not None and published is not None:
            return (published - self.absolute, published + self.absolute)
        if self.max is not None or self.min is not None:
            return (-inf if self.min is None else self.min, inf if self.max is None else self.max)
        return None

    def describe(self, published: float | None) -> str:
        if self.text:
            return self.text
        if self.holds is not None:
            return "must hold" if self.holds else "must not hold"
        if self.range is not None:
            return f"{self.range[0]:g} to {self.range[1]:g}"
        if self.relative is not None:
            return f"within {self.relative:.0%}"
        if self.absolute is not None:
            return f"within ±{self.absolute:g}"
        parts = ([f"≥ {self.min:g}"] if self.min is not None else []) + (
            [f"≤ {self.max:g}"] if self.max is not None else [])
        return " and ".join(parts)


class Among(_Strict):
    """Keep only the men whose ``output`` is ``below`` (or ``at_least``) a level at time
    ``at``, or whose lowest value between two times (``lowest_between``) is, e.g. men who
    fell below 3 M/mL at some point on treatment."""

    output: str
    at: str | None = None
    lowest_between: tuple[str, str] | None = None
    below: float | None = None
    at_least: float | None = None

    @model_validator(mode="after")
    def _one_time(self):
        if (self.at is None) == (self.lowest_between is None):
            raise ValueError("an 'among' condition gives either 'at' or 'lowest_between'")
        if self.below is None and self.at_least is None:
            raise ValueError("an 'among' condition gives 'below' or 'at_least'")
        return self


class Metric(_Strict):
    name: str
    label: str | None = None
    kind: str
    arm: str | None = None
    output: str | None = None
    at: str | None = None
    window: tuple[str, str] | None = None
    baseline_at: str | None = None
    threshold: float | None = None
    of_baseline: bool = False
    after: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    state: str | None = None
    parameter: str | None = None
    unit: str = ""
    time_unit: Literal["min", "h", "d", "wk", "mo"] = "d"
    stat: str | None = None
    q: float | None = None
    by: str | None = None
    covariate: str | None = None
    among: list[Among] = []
    """Conditions a man must all meet to be counted (one condition may be written alone)."""
    of: list[str] | None = None
    published: float | None = None
    tolerance: Tolerance | None = None

    @field_validator("among", mode="before")
    @classmethod
    def _conditions_as_list(cls, value):
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _consistent(self):
        if self.kind not in PER_MAN_KINDS + DERIVED_KINDS:
            raise ValueError(f"unknown metric kind {self.kind!r}")
        if self.kind in DERIVED_KINDS:
            if not self.of or len(self.of) < 2:
                raise ValueError(f"a {self.kind!r} metric compares at least two metrics named in 'of'")
        elif self.kind != "parameter" and self.arm is None:
            raise ValueError("a per-man metric names its 'arm'")
        if self.stat is not None and self.stat not in STATS:
            raise ValueError(f"unknown statistic {self.stat!r}; expected one of {', '.join(STATS)}")
        if self.stat == "centile" and self.q is None:
            raise ValueError("a centile needs 'q' (percent)")
        if self.stat == "probability_by" and self.by is None:
            raise ValueError("probability_by needs 'by' (a time)")
        if self.stat == "spearman" and self.covariate is None:
            raise ValueError("spearman needs the 'covariate' it correlates with")
        if self.tolerance is not None and self.published is None and self.tolerance.holds is None \
                and (self.tolerance.relative is not None or self.tolerance.absolute is not None):
            raise ValueError("a relative or absolute tolerance needs the 'published' value")
        return self

    def days(self, field: str) -> float | None:
        text = getattr(self, field)
        return None if text is None else parse_time_days(text)


class Figure(_Strict):
    """A case-level overlay beyond the default metric chart."""

    type: Literal["recovery_curve", "course"]
    arm: str
    output: str
    threshold: float | None = None
    log: bool = False
    title: str | None = None
    time_unit: Literal["d", "wk", "mo"] = "mo"
    time_axis: str = "time after stopping"


class Case(_Strict):
    id: str
    group: str
    title: str
    source: str
    design: str
    measure: str
    published: str
    tolerance: str
    notes: str | None = None
    fast: bool = True  # part of the subset run by the test suite
    arms: dict[str, dict[str, Any]]
    metrics: list[Metric]
    figures: list[Figure] = []

    @model_validator(mode="after")
    def _references(self):
        names = [m.name for m in self.metrics]
        if len(set(names)) != len(names):
            raise ValueError("metric names repeat")
        for m in self.metrics:
            if m.arm is not None and m.arm not in self.arms:
                raise ValueError(f"metric {m.name!r} names unknown arm {m.arm!r}")
            for other in m.of or ():
                if other not in names[: names.index(m.name)]:
                    raise ValueError(f"metric {m.name!r} compares {other!r}, which is not an earlier metric")
        for f in self.figures:
            if f.arm not in self.arms:
                raise ValueError(f"figure names unknown arm {f.arm!r}")
        return self

    def scenario(self, arm: str) -> Scenario:
        data = dict(self.arms[arm])
        data.setdefault("name", f"{self.id}: {arm}")
        return load_scenario(data)


class CaseError(ValueError):
    """A malformed validation case (the message names the case and the field)."""


def parse_cases(data: Any, where: str = "cases") -> tuple[Case, ...]:
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise CaseError(f"{where}: expected a mapping with a list under 'cases'")
    cases = []
    for i, raw in enumerate(data["cases"]):
        ident = raw.get("id", f"#{i}") if isinstance(raw, dict) else f"#{i}"
        try:
            case = Case.model_validate(raw)
            for arm in case.arms:
                case.scenario(arm)
            for m in case.metrics:
                for field in ("at", "after", "by", "baseline_at"):
                    m.days(field)
                for t in m.window or ():
                    parse_time_days(t)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise CaseError(f"{where}: case {ident}: {loc}: {err['msg']}") from None
        except (ScenarioError, UnitError) as exc:
            raise CaseError(f"{where}: case {ident}: {exc}") from None
        cases.append(case)
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise CaseError(f"{where}: case ids repeat")
    return tuple(cases)


@lru_cache(maxsize=1)
def load_cases() -> tuple[Case, ...]:
    """All validation cases shipped with hpgsim."""
    return parse_cases(yaml.safe_load(CASES_FILE.read_text(encoding="utf-8")), CASES_FILE.name)


def select(only: list[str] | None = None, *, fast: bool | None = None) -> tuple[Case, ...]:
    """Cases by id (``only``), or all; ``fast=True`` keeps the test-suite subset."""
    cases = load_cases()
    if only:
        known = {c.id for c in cases}
        unknown = [x for x in only if x not in known]
        if unknown:
            raise CaseError(f"unknown case id {unknown[0]!r}; known: {', '.join(sorted(known))}")
        cases = tuple(c for c in cases if c.id in only)
    if fast is not None:
        cases = tuple(c for c in cases if c.fast == fast)
    return cases
