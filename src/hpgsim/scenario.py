"""Scenario files (contract version 1): parsing, validation, and the validated objects.

A bad file never produces output: every problem raises :class:`ScenarioError` with one
message that names the field (``regimens[1].dose``) and what is wrong with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .assay import ASSAY_LIMITS
from .drugs import PRODUCTS
from .patients import PHENOTYPES, Cohort, Covariate, PatientSpec
from .units import UnitError, parse_amount, parse_rate_per_day, parse_time_days

MAX_SIMULATION_DAYS = 60 * 365.25
MAX_PULSATILE_DAYS = 400.0
MAX_OUTPUT_ROWS = 2_000_000


class ScenarioError(ValueError):
    """An invalid scenario; the message names the field and the problem."""


# ----------------------------------------------------------------------------- raw schema
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpreadIn(_Strict):
    """A covariate that varies across a virtual population: ``{mean, sd}`` (normal, optionally
    truncated to ``min``/``max``) or ``{min, max}`` (uniform)."""

    mean: float | None = None
    sd: float | None = None
    min: float | None = None
    max: float | None = None


COVARIATE_BOUNDS = {
    "age_years": (18.0, 90.0, "age {} y is outside the adult range the model covers (18-90)"),
    "bmi": (15.0, 60.0, "BMI {} is outside 15-60 kg/m²"),
    "baseline_sperm_m_ml": (0.5, 400.0, "baseline sperm concentration {} M/mL is outside 0.5-400"),
}


class PatientIn(_Strict):
    phenotype: str = "eugonadal"
    age_years: float | SpreadIn = 35.0
    bmi: float | SpreadIn = 25.0
    ethnicity: Literal["asian", "non_asian"] | dict[str, float] = "non_asian"
    baseline_sperm_m_ml: float | SpreadIn | None = None

    @field_validator("phenotype")
    @classmethod
    def _known_phenotype(cls, v: str) -> str:
        if v not in PHENOTYPES:
            raise ValueError(f"unknown phenotype {v!r}; expected one of {', '.join(PHENOTYPES)}")
        return v

    @field_validator("age_years", "bmi", "baseline_sperm_m_ml")
    @classmethod
    def _in_bounds(cls, v, info):
        low, high, message = COVARIATE_BOUNDS[info.field_name]
        if isinstance(v, SpreadIn):
            for key in ("mean", "min", "max"):
                x = getattr(v, key)
                if x is not None and not low <= x <= high:
                    raise ValueError(f"{key}: " + message.format(x))
            if v.mean is not None and (v.sd is None or v.sd < 0.0):
                raise ValueError("a normal spread needs a non-negative 'sd' with its 'mean'")
            if v.mean is None and (v.min is None or v.max is None or v.max < v.min):
                raise ValueError("give {mean, sd} (normal) or {min, max} with min <= max (uniform)")
        elif v is not None and not low <= v <= high:
            raise ValueError(message.format(v))
        return v

    @field_validator("ethnicity")
    @classmethod
    def _mix(cls, v):
        if isinstance(v, dict):
            if set(v) - {"asian", "non_asian"} or not v:
                raise ValueError("a mix names fractions of 'asian' and 'non_asian'")
            if any(x < 0.0 for x in v.values()) or abs(sum(v.values()) - 1.0) > 1e-6:
                raise ValueError("the fractions of a mix must be non-negative and add up to 1")
        return v


class RegimenIn(_Strict):
    drug: str
    dose: Any = None
    rate: Any = None
    route: str | None = None
    every: Any = None
    start: Any = "0 d"
    stop: Any = None
    duration: Any = None
    label: str | None = None
    allow_unusual_dose: bool = False


class SimulateIn(_Strict):
    until: Any
    resolution: Literal["averaged", "pulsatile"] = "averaged"
    output_every: Any = None
    population: int = 1
    seed: int | None = None
    time_of_day: Any = None
    assay_limits: Any = None

    @field_validator("population")
    @classmethod
    def _population(cls, v: int) -> int:
        if v < 1:
            raise ValueError("population must be at least 1")
        return v


class ScenarioIn(_Strict):
    name: str = "Unnamed scenario"
    patient: PatientIn = PatientIn()
    regimens: list[RegimenIn] = []
    simulate: SimulateIn


# ---------------------------------------------------------------------- validated objects
@dataclass(frozen=True)
class Regimen:
    """One validated regimen, in model units (days; mg or IU; per-day rates)."""

    drug: str
    route: str
    start_d: float
    stop_d: float | None
    dose: float | None = None
    rate_per_day: float | None = None
    every_d: float | None = None
    label: str = ""

    def dose_times(self, until_d: float) -> list[float]:
        """Times of each dose (or pump pulse) before ``stop`` and ``until``."""
        end = min(until_d, self.stop_d) if self.stop_d is not None else until_d
        if self.every_d is None:
            return [self.start_d] if self.start_d < end else []
        n = max(0, math.ceil((end - self.start_d) / self.every_d - 1e-9))
        return [self.start_d + i * self.every_d for i in range(n)]


@dataclass(frozen=True)
class Settings:
    until_d: float
    resolution: str
    output_every_d: float
    population: int
    seed: int | None
    time_of_day_h: float = 8.0
    """Clock time (h) at time 0, so at every whole day: 08:00, when labs are drawn, unless set."""
    # Assay limits the scenario sets (column, limit), in place of ``assay.ASSAY_LIMITS``'s.
    assay_limits: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    patient: PatientSpec
    regimens: tuple[Regimen, ...]
    settings: Settings
    text: str | None = None
    cohort: Cohort | None = None  # who the men are when the population varies


# ------------------------------------------------------------------------------- parsing
def load_scenario(source: str | Path | dict) -> Scenario:
    """Read and validate a scenario from a YAML path, YAML text or a dict."""
    text = None
    if isinstance(source, dict):
        data = source
    else:
        path = Path(source) if not isinstance(source, str) or "\n" not in source else None
        if path is not None and not path.exists():
            raise ScenarioError(f"scenario file {str(source)!r} does not exist")
        text = path.read_text(encoding="utf-8") if path is not None else str(source)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ScenarioError(f"malformed YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ScenarioError("scenario: expected a mapping with 'patient', 'regimens' and 'simulate'")
    try:
        raw = ScenarioIn.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_first_error(exc)) from None
    return _build(raw, text)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    parts = []
    for item in err["loc"]:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]"
        else:
            parts.append(str(item))
    field = ".".join(parts) or "scenario"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = "is required"
    elif err["type"] == "extra_forbidden":
        msg = "is not a known field"
    return f"{field}: {msg}"


def _quantity(field: str, parse, value):
    try:
        return parse(value)
    except UnitError as exc:
        raise ScenarioError(f"{field}: {exc}") from None


def _build(raw: ScenarioIn, text: str | None) -> Scenario:
    until = _quantity("simulate.until", parse_time_days, raw.simulate.until)
    regimens = tuple(_regimen(f"regimens[{i}]", r, until) for i, r in enumerate(raw.regimens))
    settings = _settings(raw.simulate, until, regimens)
    cohort = _cohort(raw.patient)
    return Scenario(raw.name, cohort.typical(), regimens, settings, text, cohort)


def _cohort(p: PatientIn) -> Cohort:
    bounds = {k: v[:2] for k, v in COVARIATE_BOUNDS.items()}

    def covariate(name: str, value) -> Covariate:
        if not isinstance(value, SpreadIn):
            return Covariate.fixed(float(value))
        low = value.min if value.min is not None else bounds[name][0]
        high = value.max if value.max is not None else bounds[name][1]
        return Covariate(low, high, value.mean, value.sd)

    eth = p.ethnicity
    asian = float(eth.get("asian", 0.0)) if isinstance(eth, dict) else float(eth == "asian")
    sperm = None if p.baseline_sperm_m_ml is None else covariate("baseline_sperm_m_ml", p.baseline_sperm_m_ml)
    return Cohort(p.phenotype, covariate("age_years", p.age_years), covariate("bmi", p.bmi), asian, sperm)


def _settings(s: SimulateIn, until: float, regimens: tuple[Regimen, ...]) -> Settings:
    if until <= 0.0:
        raise ScenarioError("simulate.until: must be after time 0 (the decision point)")
    last_event = max((r.start_d for r in regimens), default=0.0)
    if until <= last_event:
        raise ScenarioError(
            f"simulate.until: {until:g} d is not after the last regimen start ({last_event:g} d)"
        )
    if until > MAX_SIMULATION_DAYS:
        raise ScenarioError("simulate.until: more than 60 years is outside what the model covers")
    default_every = "1 d" if s.resolution == "averaged" else "5 min"
    every = _quantity("simulate.output_every", parse_time_days, s.output_every or default_every)
    if every <= 0.0:
        raise ScenarioError("simulate.output_every: must be positive")
    start = min([0.0] + [r.start_d - 14.0 for r in regimens])
    if (until - start) / every > MAX_OUTPUT_ROWS:
        raise ScenarioError("simulate.output_every: too fine for this duration (over 2 million rows)")
    if s.resolution == "pulsatile" and until - start > MAX_PULSATILE_DAYS:
        raise ScenarioError(
            f"simulate.resolution: pulsatile runs resolve every GnRH pulse and are limited to "
            f"{MAX_PULSATILE_DAYS:g} days; use 'averaged' for {until - start:g} days"
        )
    return Settings(until, s.resolution, every, s.population, s.seed, time_of_day_h=_time_of_day(s.time_of_day),
                    assay_limits=_assay_limits(s.assay_limits))


def _time_of_day(value) -> float:
    """Hours after midnight of a clock time written "HH:MM" (08:00 when not given).

    >>> _time_of_day("16:30")
    16.5
    """
    if value is None:
        return 8.0
    text = str(value).strip()
    hours, sep, minutes = text.partition(":")
    try:
        h, m = int(hours), int(minutes) if sep else 0
    except ValueError:
        h, m = -1, 0
    if not (0 <= h <= 23 and 0 <= m <= 59) or not sep:
        raise ScenarioError(
            f"simulate.time_of_day: {text[:40]!r} is not a clock time; write it as \"HH:MM\", such as \"08:00\"")
    return h + m / 60.0


def _assay_limits(raw) -> tuple[tuple[str, float], ...]:
    """``simulate.assay_limits``: a mapping of output column to a positive, finite limit."""
    if raw is None:
        return ()
    known = {a.column: a for a in ASSAY_LIMITS}
    if not isinstance(raw, dict):
        raise ScenarioError(
            "simulate.assay_limits: expected a mapping of column to limit, e.g. {lh_iu_l: 0.2}"
        )
    limits = []
    for column, value in raw.items():
        field = f"simulate.assay_limits.{column}"
        if column not in known:
            raise ScenarioError(f"{field}: no assay limit for this column; known: {', '.join(known)}")
        try:
            limit = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            limit = math.nan
        if not (math.isfinite(limit) and limit > 0.0):
            raise ScenarioError(
                f"{field}: {value!r} is not a limit; give a positive, finite number "
                f"in {known[column].unit}, e.g. {known[column].limit:g}"
            )
        limits.append((column, limit))
    return tuple(limits)


def _regimen(field: str, r: RegimenIn, until: float) -> Regimen:
    product = PRODUCTS.get(r.drug)
    if product is None:
        raise ScenarioError(f"{field}.drug: unknown drug {r.drug!r}; known: {', '.join(sorted(PRODUCTS))}")
    route_name = r.route or product.default_route
    if route_name not in product.route_names:
        raise ScenarioError(
            f"{field}.route: {route_name!r} is not a route of {product.name} "
            f"({', '.join(product.route_names)})"
        )
    route = product.route(route_name)
    start = _quantity(f"{field}.start", parse_time_days, r.start)
    stop = _stop(field, r, start)
    every = None
    if r.every is not None:
        every = _quantity(f"{field}.every", parse_time_days, r.every)
        if every <= 0.0:
            raise ScenarioError(f"{field}.every: must be positive")
    label = r.label or product.name.replace("_", " ")
    if route_name == "infusion":
        if r.rate is None or r.dose is not None or every is not None:
            raise ScenarioError(f"{field}.rate: an infusion takes 'rate' (e.g. '5 ug/h'), not 'dose' or 'every'")
        rate, kind = _quantity(f"{field}.rate", parse_rate_per_day, r.rate)
        _check_kind(f"{field}.rate", kind, product)
        _check_amount(f"{field}.rate", rate / 24.0, route, product, r.allow_unusual_dose, "per hour")
        return Regimen(product.name, route_name, start, stop, rate_per_day=rate, label=label)
    if r.rate is not None:
        raise ScenarioError(f"{field}.rate: only the 'infusion' route takes a rate")
    if r.dose is None:
        raise ScenarioError(f"{field}.dose: is required (a quantity such as '100 mg')")
    dose, kind = _quantity(f"{field}.dose", parse_amount, r.dose)
    _check_kind(f"{field}.dose", kind, product)
    _check_amount(f"{field}.dose", dose, route, product, r.allow_unusual_dose, "per dose")
    if route_name == "pump" and every is None:
        raise ScenarioError(f"{field}.every: a pump needs the pulse interval, e.g. '90 min'")
    return Regimen(product.name, route_name, start, stop, dose=dose, every_d=every, label=label)


def _stop(field: str, r: RegimenIn, start: float) -> float | None:
    if r.stop is not None and r.duration is not None:
        raise ScenarioError(f"{field}.duration: give either 'stop' or 'duration', not both")
    if r.stop is not None:
        stop = _quantity(f"{field}.stop", parse_time_days, r.stop)
    elif r.duration is not None:
        duration = _quantity(f"{field}.duration", parse_time_days, r.duration)
        if duration <= 0.0:
            raise ScenarioError(f"{field}.duration: must be positive")
        stop = start + duration
    else:
        return None
    if stop <= start:
        raise ScenarioError(f"{field}.stop: {stop:g} d is not after start ({start:g} d)")
    return stop


def _check_kind(field: str, kind: str, product) -> None:
    if kind != product.dose_kind:
        want = "a mass (mg or ug)" if product.dose_kind == "mass" else "IU"
        raise ScenarioError(f"{field}: {product.name} is dosed in {want}, not in {'IU' if kind == 'activity' else 'mass units'}")


def _check_amount(field: str, amount: float, route, product, allow_unusual: bool, per: str) -> None:
    unit = product.dose_unit
    if amount <= 0.0:
        raise ScenarioError(f"{field}: must be positive")
    if amount > route.max_dose and not allow_unusual:
        raise ScenarioError(
            f"{field}: {amount:g} {unit} {per} is far outside clinical use of {product.name} "
            f"by {route.name} (usual {route.usual_dose[0]:g}-{route.usual_dose[1]:g} {unit}); "
            "set 'allow_unusual_dose: true' on the regimen to simulate it anyway"
        )
