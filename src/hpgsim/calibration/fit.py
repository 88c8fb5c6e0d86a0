"""``hpgsim calibrate``: estimate uncertain parameters against validation cases.

Each fit of ``spec.yaml`` names parameters (typical values or IIV CVs) and validation
cases. Starting from the module tables' priors, a bounded least-squares search (SciPy's
trust-region reflective method, in log-parameter space) minimizes the misses of the cases'
judged metrics, each scaled by its tolerance: ``(simulated - target) / scale``, where
the target is the published value (or the middle of a stated range) and the scale is the
distance from it to the tolerance bound on the side of the miss. One-sided checks
(directions of covariate effects, upper limits) and comparisons are judged by
``hpgsim validate`` but not fitted, unless the fit names them under ``limits`` with a
``scale``: such a metric then adds nothing while it holds and ``(simulated - limit) / scale``
when it does not (a hinge), so a fit can keep a limit it would otherwise trade away (the
ratio of two medians, the sign of a correlation). A two-sided metric named there is held
inside its tolerance interval the same way instead of being pulled towards its target: a
later fit uses this to keep what an earlier fit put inside while it fits its own cases.
Virtual populations
keep their seeds, so the objective is deterministic (common random numbers).

The fits form a pipeline run in the spec's order: each sees the estimates of the fits before
it and the priors of the parameters of the fits after it, never the shipped values of its
own run. One run from the priors therefore reproduces ``fitted.yaml`` exactly (a rerun of
a single fit takes the earlier fits' shipped values, which are that run's estimates).

A fit may also estimate a drug's potency (``what: potency``, named by its circulating
species), which ``fitted.yaml`` then lays over the drug library.

A fit may weigh each *study* equally instead of each metric (``weighting: per_study`` in
the spec): every residual of a case is divided by the square root of the number of its
fitted metrics, so a study that reports one curve as seven correlated numbers counts as
much as one that reports two, not three and a half times as much. ``objective: l4``
minimizes the sum of the fourth powers of the misses instead of their squares: among the
many compromises of a fit whose cases pull against each other, it prefers the one that keeps
the worst miss smallest (each residual enters SciPy's least squares as sign(r)·r²).

Identifiability is read from the Jacobian at the optimum: the approximate standard error of
each log-parameter, ``sqrt(diag((JᵀJ)⁻¹))`` (one tolerance, on the side of the miss, taken as
one standard deviation), and the correlations between estimates. A parameter whose relative standard
error exceeds 50 %, or that is nearly collinear with another (|r| > 0.95), is reported as
not pinned down by these data.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from ..validation.cases import select
from ..validation.run import run_cases
from . import FITTED_FILE, SPEC_FILE, entry_key

SE_LIMIT = 0.5
COLLINEAR = 0.95


@dataclass(frozen=True)
class FitParameter:
    name: str
    what: str  # "value", "iiv_cv" or "potency" (of a drug species)
    low: float
    high: float
    start: float | None = None  # where the search starts, when not at the prior (spec: ``start``)


@dataclass
class FitResult:
    name: str
    cases: list[str]
    parameters: list[FitParameter]
    prior: np.ndarray
    estimate: np.ndarray
    residuals: pd.DataFrame  # case, metric, simulated, target, low, high, prior_residual, residual, weight
    identifiability: pd.DataFrame  # parameter, prior, estimate, relative_se, pinned, collinear_with
    evaluations: int
    cost_prior: float
    cost: float
    weighting: str = "per_metric"
    objective: str = "least_squares"


def load_spec() -> list[dict]:
    return yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))["fits"]


def _prior(p: FitParameter) -> float:
    from ..model import prior_tables

    if p.what == "potency":
        return _prior_potency(p)
    for table in prior_tables():
        for q in table.parameters:
            if q.name == p.name:
                value = q.iiv_cv if p.what == "iiv_cv" else q.value
                if value is None:
                    raise ValueError(f"calibration: {p.name} has no IIV in its table to calibrate")
                if p.what == "value" and not q.low <= p.low <= p.high <= q.high:
                    raise ValueError(f"calibration: the bounds of {p.name} ({p.low:g}-{p.high:g}) leave its "
                                     f"plausible range ({q.low:g}-{q.high:g})")
                return float(value)
    raise ValueError(f"calibration: unknown parameter {p.name!r}")


def _prior_potency(p: FitParameter) -> float:
    from ..drugs import SPECIES

    for s in SPECIES:
        if s.name == p.name:
            if s.effect.potency is None:
                raise ValueError(f"calibration: {p.name}'s effect is taken from the physiology; it has no potency")
            if not 0.0 < p.low <= p.high:
                raise ValueError(f"calibration: the bounds of {p.name}'s potency must be positive")
            return float(s.effect.potency)
    raise ValueError(f"calibration: unknown drug species {p.name!r}")


def _target(m) -> tuple[float, float, float] | None:
    """(target, lower bound, upper bound) of a judged numeric metric; None for comparisons."""
    tol = m.metric.tolerance
    if tol is None or tol.holds is not None:
        return None
    low, high = tol.bounds(m.published)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None  # one-sided (directions, limits): judged by validation, not fitted
    mid = m.published if m.published is not None and low < m.published < high else 0.5 * (low + high)
    return mid, low, high


def _limit_bound(m) -> tuple[float, float]:
    """(lower, upper) bound a limit holds: a one-sided metric's minimum or maximum (the other
    infinite), or both ends of a two-sided metric's tolerance interval."""
    tol = m.metric.tolerance
    bounds = None if tol is None or tol.holds is not None else tol.bounds(m.published)
    if bounds is None or not (math.isfinite(bounds[0]) or math.isfinite(bounds[1])):
        raise ValueError(f"calibration: limit {m.metric.name!r} has no bound to hold (a minimum, a maximum or a tolerance interval)")
    return bounds


def limit_miss(simulated: float, low: float, high: float, scale: float) -> float:
    """0 while ``low <= simulated <= high`` (either may be infinite); beyond a bound, the
    overshoot in units of ``scale``."""
    if simulated > high:
        return (simulated - high) / scale
    if simulated < low:
        return (simulated - low) / scale
    return 0.0


def _limits(spec: dict) -> dict[str, float]:
    """{"case.metric": scale} of the fit's ``limits``, checked."""
    out = {}
    for item in spec.get("limits") or []:
        name, scale = item.get("metric"), item.get("scale")
        if not isinstance(name, str) or "." not in name or name.split(".")[0] not in spec["cases"]:
            raise ValueError(f"calibration: limit {name!r} of fit {spec['name']} must be 'case.metric' of one of its cases")
        if not isinstance(scale, (int, float)) or not scale > 0:
            raise ValueError(f"calibration: limit {name} needs a positive scale, not {scale!r}")
        out[name] = float(scale)
    return out


def _fitted_row(m, limit_scale: float | None) -> dict | None:
    """simulated, target, bounds and residual of a metric as the fit sees it: a scaled miss,
    a hinge when the fit holds it as a limit (``limit_scale``), or None (not fitted). A
    simulation that gives no number (a median never reached) counts as twice the tolerance
    beyond the bound on the failing side."""
    if limit_scale is not None:
        low, high = _limit_bound(m)
        fallback = high + 2 * limit_scale if math.isfinite(high) else low - 2 * limit_scale
        sim = m.simulated if math.isfinite(m.simulated) else fallback
        # a limit has no target: report the bound it is held at (the nearer one)
        target = low if abs(sim - low) < abs(high - sim) else high
        return {"simulated": sim, "target": target, "low": low, "high": high,
                "residual": limit_miss(sim, low, high, limit_scale)}
    bounds = _target(m)
    if bounds is None:
        return None
    target, low, high = bounds
    sim = m.simulated if math.isfinite(m.simulated) else high + 2 * (high - target)
    return {"simulated": sim, "target": target, "low": low, "high": high,
            "residual": scaled_miss(sim, target, low, high)}


def scaled_miss(simulated: float, target: float, low: float, high: float) -> float:
    """The miss in units of the tolerance on its side of the target: |r| <= 1 exactly when
    validation would pass, also for a range that is not centred on the published value."""
    side = (target - low) if simulated < target else (high - target)
    return (simulated - target) / side


def _parameters(spec: dict) -> list[FitParameter]:
    params = [FitParameter(p["name"], p["what"], float(p["low"]), float(p["high"]),
                           None if p.get("start") is None else float(p["start"])) for p in spec["parameters"]]
    for p in params:  # a prior outside the bounds starts at the nearer bound; a start must be inside
        if p.start is not None and not p.low <= p.start <= p.high:
            raise ValueError(f"calibration: the start of {entry_key(p.name, p.what)} ({p.start:g}) is "
                             f"outside its bounds ({p.low:g}-{p.high:g})")
    return params


def _evaluate(params: list[FitParameter], x: np.ndarray, cases, base: dict | None = None,
              limits: dict[str, float] | None = None) -> pd.DataFrame:
    """Residuals of ``cases`` with ``params`` at ``x`` over the ``base`` settings
    ({(name, what): value} of the other fits' parameters); ``limits`` ({"case.metric":
    scale}) adds those metrics as hinges (:func:`limit_miss`)."""
    limits = limits or {}
    unseen = set(limits)
    settings = dict(base or {})
    settings.update({(p.name, p.what): v for p, v in zip(params, x)})
    overrides = {name: v for (name, what), v in settings.items() if what == "value"}
    iiv = {name: v for (name, what), v in settings.items() if what == "iiv_cv"}
    potency = {name: v for (name, what), v in settings.items() if what == "potency"}
    rows = []
    for r in run_cases(cases, overrides=overrides, iiv_overrides=iiv, potency_overrides=potency):
        if r.error:
            raise RuntimeError(f"calibration: case {r.case.id} failed: {r.error}")
        for m in r.metrics:
            name = f"{r.case.id}.{m.metric.name}"
            unseen.discard(name)
            row = _fitted_row(m, limits.get(name))
            if row is not None:
                rows.append({"case": r.case.id, "metric": name, **row})
    if unseen:
        raise ValueError(f"calibration: limit {sorted(unseen)[0]!r} is not a metric of the fit's cases")
    return pd.DataFrame(rows)


DEFAULT_EVALUATIONS = 60
WEIGHTINGS = ("per_metric", "per_study")
OBJECTIVES = ("least_squares", "l4")


def _check_option(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"calibration: {name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _check_weighting(weighting: str) -> str:
    return _check_option("weighting", weighting, WEIGHTINGS)


def _check_objective(objective: str) -> str:
    return _check_option("objective", objective, OBJECTIVES)


def residual_weights(frame: pd.DataFrame, weighting: str = "per_metric") -> np.ndarray:
    """Weight of each residual: 1, or 1/sqrt(fitted metrics of its case) ``per_study``."""
    if _check_weighting(weighting) == "per_metric":
        return np.ones(len(frame))
    return 1.0 / np.sqrt(frame.groupby("case")["metric"].transform("count").to_numpy(dtype=float))


def fitted_residuals(frame: pd.DataFrame, weighting: str = "per_metric",
                     objective: str = "least_squares") -> np.ndarray:
    """What least squares sees: the weighted misses, or sign(r)·r² for the ``l4`` objective."""
    r = residual_weights(frame, weighting) * frame.residual.to_numpy()
    return np.sign(r) * r**2 if _check_objective(objective) == "l4" else r


def _cost(frame: pd.DataFrame, weighting: str, objective: str = "least_squares") -> float:
    return 0.5 * float(np.sum(fitted_residuals(frame, weighting, objective) ** 2))


def _shipped_entries(path=FITTED_FILE) -> dict:
    """The parameter entries of ``fitted.yaml`` as on disk now (not the model's cached copy)."""
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("parameters") or {}


def as_written(value: float) -> float:
    """A fitted value as ``fitted.yaml`` stores it (6 significant digits). Later fits of a
    pipeline see exactly this, so ``--fit NAME`` over the shipped values reruns NAME on the
    very inputs it had: the fits stop on an evaluation budget, and on a flat objective a
    change in the 7th digit of an input can end a fit elsewhere."""
    return float(f"{value:.6g}")


def run_pipeline(specs: list[dict], *, only: list[str] | None = None, max_evaluations: int | None = None,
                 echo=print) -> list[FitResult]:
    """Run the fits in order (those in ``only``, or all), each over the settings of the
    pipeline: earlier fits' estimates (their shipped values when they are not rerun now) and
    later fits' priors."""
    shipped = _shipped_entries()
    settings = {(p.name, p.what): _prior(p) for spec in specs for p in _parameters(spec)}
    results = []
    for spec in specs:
        params = _parameters(spec)
        if only and spec["name"] not in only:
            for p in params:
                entry = shipped.get(entry_key(p.name, p.what))
                if entry is not None and entry["what"] == p.what:
                    settings[(p.name, p.what)] = float(entry["value"])
            continue
        echo(f"fit {spec['name']} ...")
        result = run_fit(spec, base=settings, max_evaluations=max_evaluations, echo=echo)
        settings.update({(p.name, p.what): as_written(v) for p, v in zip(params, result.estimate)})
        results.append(result)
    return results


def run_fit(spec: dict, *, base: dict | None = None, max_evaluations: int | None = None,
            echo=print) -> FitResult:
    """Estimate one fit of the spec over the ``base`` settings of the other fits'
    parameters (see :func:`run_pipeline`); nothing is written. The evaluation budget is the
    spec's ``max_evaluations`` (so a rerun reproduces the shipped values) unless given."""
    max_evaluations = max_evaluations or int(spec.get("max_evaluations", DEFAULT_EVALUATIONS))
    from scipy.optimize import least_squares

    params = _parameters(spec)
    cases = select(spec["cases"])
    weighting = _check_weighting(spec.get("weighting", "per_metric"))  # before any run
    objective = _check_objective(spec.get("objective", "least_squares"))
    limits = _limits(spec)
    prior = np.array([_prior(p) for p in params])
    lo = np.log([p.low for p in params])
    hi = np.log([p.high for p in params])
    count = {"n": 0}

    def residuals(z: np.ndarray) -> np.ndarray:
        count["n"] += 1
        frame = _evaluate(params, np.exp(z), cases, base, limits)
        echo(f"  evaluation {count['n']:>3}: cost {_cost(frame, weighting, objective):.4g}  "
             + " ".join(f"{entry_key(p.name, p.what)}={v:.4g}" for p, v in zip(params, np.exp(z))))
        return fitted_residuals(frame, weighting, objective)

    start = np.array([prior[i] if p.start is None else p.start for i, p in enumerate(params)])
    z0 = np.clip(np.log(start), lo + 1e-9, hi - 1e-9)
    before = _evaluate(params, prior, cases, base, limits)
    # SciPy does not count the Jacobian's evaluations in max_nfev: budget iterations instead
    iterations = max(1, max_evaluations // (len(params) + 1))
    fit = least_squares(residuals, z0, bounds=(lo, hi), method="trf", diff_step=0.1,
                        x_scale=1.0, max_nfev=iterations)
    estimate = np.exp(fit.x)
    after = _evaluate(params, estimate, cases, base, limits)
    after.insert(after.columns.get_loc("residual"), "prior_residual", before.residual.to_numpy())
    after["weight"] = residual_weights(after, weighting)
    jac = fit.jac if objective == "least_squares" else _plain_jacobian(params, fit.x, cases, base, after, weighting, limits)
    return FitResult(spec["name"], list(spec["cases"]), params, prior, estimate, after,
                     identifiability(params, prior, estimate, jac), count["n"],
                     _cost(before, weighting, objective), _cost(after, weighting, objective), weighting,
                     objective)


def _plain_jacobian(params, z, cases, base, at: pd.DataFrame, weighting: str, limits=None,
                    step: float = 0.1) -> np.ndarray:
    """Forward-difference Jacobian (log space) of the weighted misses themselves, for
    identifiability when the fit minimized another function of them."""
    r0 = fitted_residuals(at, weighting)
    jac = np.empty((r0.size, z.size))
    for i in range(z.size):
        zi = z.copy()
        zi[i] += step
        jac[:, i] = (fitted_residuals(_evaluate(params, np.exp(zi), cases, base, limits), weighting) - r0) / step
    return jac


def identifiability(params, prior, estimate, jac: np.ndarray) -> pd.DataFrame:
    """Approximate relative standard errors and collinearity from the Jacobian (log space)."""
    jtj = jac.T @ jac
    cov = np.linalg.pinv(jtj)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    d = np.where(se > 0, se, 1.0)
    corr = cov / np.outer(d, d)
    rows = []
    for i, p in enumerate(params):
        partners = [entry_key(params[j].name, params[j].what)
                    for j in range(len(params)) if j != i and abs(corr[i, j]) > COLLINEAR]
        no_signal = float(np.linalg.norm(jac[:, i])) < 1e-6
        rel_se = float(np.expm1(se[i])) if not no_signal else float("inf")
        rows.append({"parameter": p.name, "what": p.what, "prior": prior[i], "estimate": estimate[i],
                     "relative_se": rel_se, "collinear_with": ", ".join(partners),
                     "pinned": bool(rel_se <= SE_LIMIT and not partners)})
    return pd.DataFrame(rows)


def write_fitted(results: list[FitResult], path=FITTED_FILE) -> None:
    """Write the estimates of these fits with their provenance into ``fitted.yaml`` (the
    values of fits not run now are kept)."""
    refitted = {r.name for r in results}
    previous = _shipped_entries(path)
    entries = {k: v for k, v in previous.items() if v.get("fit") not in refitted}
    for r in results:
        # one row per fitted parameter, in the fit's order (a parameter may appear twice:
        # its value and its variability)
        for p, value, (_, row) in zip(r.parameters, r.estimate, r.identifiability.iterrows()):
            assert (row.parameter, row.what) == (p.name, p.what)
            entries[entry_key(p.name, p.what)] = {
                "what": p.what, "value": as_written(value), "calibrated_to": list(r.cases), "fit": r.name,
                "relative_se": float(f"{row.relative_se:.3g}"),
                "pinned_down": bool(row.pinned),
            }
    header = ("# Written by `hpgsim calibrate --write`; do not edit by hand. Values here replace the module\n"
              "# tables' priors when the model is built, and `hpgsim params` shows their provenance.\n")
    body = yaml.safe_dump({"date": _dt.date.today().isoformat(), "parameters": entries}, sort_keys=False)
    path.write_text(header + body, encoding="utf-8")


def _percent(relative_se: float) -> str:
    """A relative standard error as a percentage; beyond 1000 % the digits say nothing."""
    return f"{relative_se:.0%}" if relative_se <= 10.0 else "> 1000%"


def summary_text(r: FitResult) -> str:
    lines = [f"fit {r.name}: cases {', '.join(r.cases)}; {r.evaluations} evaluations; "
             f"cost {r.cost_prior:.4g} (prior) -> {r.cost:.4g}"
             + (" (each study weighted equally)" if r.weighting == "per_study" else "")
             + (" (sum of fourth powers)" if r.objective == "l4" else "")]
    for row in r.identifiability.itertuples():
        flag = "pinned down" if row.pinned else "NOT pinned down" + (
            f" (collinear with {row.collinear_with})" if row.collinear_with else "")
        lines.append(f"  {row.parameter:<28} {row.what:<7} prior {row.prior:<8.4g} -> {row.estimate:<8.4g}"
                     f" ± {_percent(row.relative_se)}  {flag}")
    lines.append("  residuals (misses in units of the tolerance; |r| <= 1 is inside):")
    for row in r.residuals.itertuples():
        lines.append(f"    {row.metric:<28} simulated {row.simulated:<9.4g} target {row.target:<9.4g} "
                     f"prior {row.prior_residual:+.2f} -> {row.residual:+.2f}")
    return "\n".join(lines)
