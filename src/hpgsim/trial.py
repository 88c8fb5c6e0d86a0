"""Virtual trials: several protocols on the same virtual men, compared on time-to-event endpoints.

Every protocol is simulated on men ``0 … n-1`` of one population (one seed), so the
comparison is paired: the difference between two protocols is measured man by man.
Endpoints follow the "time to X back" rule of :mod:`hpgsim.endpoints`: the first time at
or after day 0 that a value is back at or above its threshold after having been below it
(a man who never falls below has the event at day 0); a man who has not recovered by the
end of the simulation is censored there. As censoring happens only at that common end,
the Kaplan-Meier estimate at earlier times equals the observed fraction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from . import model, population
from .engine import chunks, run_batch
from .model import AVERAGED, PULSATILE
from .observables import COLUMNS
from .scenario import Scenario, ScenarioError
from .units import DAYS_PER_MONTH

AZOOSPERMIA_M_ML = 0.01
"""Below this concentration a man counts as azoospermic (assumed: no sperm in a semen
analysis; the same threshold as the first recovery endpoint)."""
HORIZONS_MONTHS = (3, 6, 12, 24)
AZOOSPERMIA_MONTHS = (0, 3, 6, 12)
SERIES_COLUMNS = ("sperm_concentration_m_ml", "testosterone_total_ng_dl", "lh_iu_l", "fsh_iu_l")
SERIES_EVERY_D = 7.0
TRIAL_RTOL = 1e-4
"""Relative tolerance of trials. Against 1e-6 (the single-run default) it moves no endpoint
by more than a fraction of a day and flips no event (tested), well inside the daily output
grid, and halves the steps under weekly injections."""
TRIAL_ATOL_OF_UNTREATED = 0.01
"""A trial's absolute tolerance on each physiology state, as a share of ``rtol`` × the man's
own untreated level of it (drug amounts: 1e-3 of ``rtol``). A suppressed hormone is then
followed to 1e-6 of its normal level, not to 1e-4 of its own suppressed value."""


@dataclass(frozen=True)
class Endpoint:
    """Time until ``column`` is back at or above a threshold (absolute, or a fraction of the
    man's own untreated baseline when ``of_baseline``)."""

    name: str
    label: str
    column: str
    threshold: float
    of_baseline: bool = False


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("sperm_0.01", "sperm ≥ 0.01 M/mL", "sperm_concentration_m_ml", 0.01),
    Endpoint("sperm_1", "sperm ≥ 1 M/mL", "sperm_concentration_m_ml", 1.0),
    Endpoint("sperm_5", "sperm ≥ 5 M/mL", "sperm_concentration_m_ml", 5.0),
    Endpoint("sperm_15", "sperm ≥ 15 M/mL", "sperm_concentration_m_ml", 15.0),
    Endpoint("sperm_20", "sperm ≥ 20 M/mL", "sperm_concentration_m_ml", 20.0),
    Endpoint("tmc_5", "total motile count ≥ 5 M", "total_motile_count_m", 5.0),
    Endpoint("testosterone_300", "total T ≥ 300 ng/dL", "testosterone_total_ng_dl", 300.0),
    Endpoint("lh_90pct_baseline", "LH ≥ 90 % of own baseline", "lh_iu_l", 0.9, of_baseline=True),
)


def recovery_times(t: np.ndarray, v: np.ndarray, threshold: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """(time, event) per row of ``v`` (men × times) under the "back at or above" rule.

    Crossing times are interpolated linearly between output times; censored men get the
    last time and ``event = False``.
    """
    thr = np.broadcast_to(np.asarray(threshold, float), (v.shape[0],))[:, None]
    i0 = int(np.searchsorted(t, 0.0 - 1e-9))
    w = v[:, i0:]
    tt = t[i0:]
    below = w < thr
    ever_below = below.any(axis=1)
    k_below = np.argmax(below, axis=1)
    after = (w >= thr) & (np.arange(tt.size)[None, :] > k_below[:, None])
    back = after.any(axis=1)
    k_back = np.argmax(after, axis=1)
    k_prev = np.maximum(k_back - 1, 0)
    rows = np.arange(v.shape[0])
    v0, v1 = w[rows, k_prev], w[rows, k_back]
    frac = np.clip((thr[:, 0] - v0) / np.where(v1 != v0, v1 - v0, 1.0), 0.0, 1.0)
    crossing = tt[k_prev] + frac * (tt[k_back] - tt[k_prev])
    time = np.where(~ever_below, tt[0], np.where(back, crossing, tt[-1]))
    event = ~ever_below | back
    return time, event


@dataclass
class ChunkOutcome:
    """What one chunk of men under one protocol contributes to a trial."""

    protocol: int
    first: int
    times: np.ndarray  # (men, endpoints)
    events: np.ndarray  # (men, endpoints)
    azoospermic: np.ndarray  # (men, AZOOSPERMIA_MONTHS) booleans
    series: np.ndarray  # (men, series times, SERIES_COLUMNS) float32
    series_t: np.ndarray  # days of the series (this protocol's own timeline)
    steps: int


def _outcome(protocol: int, first: int, out_t: np.ndarray, values: np.ndarray, stats) -> ChunkOutcome:
    col = {c: i for i, c in enumerate(COLUMNS)}
    times = np.empty((values.shape[0], len(ENDPOINTS)))
    events = np.empty_like(times, dtype=bool)
    for j, e in enumerate(ENDPOINTS):
        v = values[:, :, col[e.column]]
        thr = e.threshold * v[:, 0] if e.of_baseline else e.threshold
        times[:, j], events[:, j] = recovery_times(out_t, v, thr)
    sperm = values[:, :, col["sperm_concentration_m_ml"]]
    at = [min(int(np.searchsorted(out_t, m * DAYS_PER_MONTH - 1e-9)), out_t.size - 1) for m in AZOOSPERMIA_MONTHS]
    azoo = sperm[:, at] < AZOOSPERMIA_M_ML
    keep = _series_rows(out_t)
    series = values[:, keep][:, :, [col[c] for c in SERIES_COLUMNS]].astype(np.float32)
    return ChunkOutcome(protocol, first, times, events, azoo, series, out_t[keep], int(stats[:, 0].sum()))


def _series_rows(out_t: np.ndarray) -> np.ndarray:
    """Output rows kept for the report's bands: about one per week from day 0 back a bit."""
    step = max(1, int(np.rint(SERIES_EVERY_D / (out_t[1] - out_t[0])))) if out_t.size > 1 else 1
    return np.arange(0, out_t.size, step)


def simulate_chunk(scenario: Scenario, protocol: int, cohort, seed: int, first: int, count: int,
                   tolerance: tuple[float, float, float], threads: int | None = None) -> ChunkOutcome:
    """Men ``first … first+count-1`` under one protocol (the unit of work sent to workers).

    ``tolerance`` is (rtol, atol, atol_of_untreated) as :func:`hpgsim.engine.run_batch` takes them.
    """
    rtol, atol, atol_of_untreated = tolerance
    from .simulate import Timeline

    params, library, layout = model.build()
    mode = PULSATILE if scenario.settings.resolution == "pulsatile" else AVERAGED
    timeline = Timeline(scenario, layout, library, mode)
    pop = population.sample(cohort, count, seed, first=first)
    values, stats = run_batch(timeline, population.thetas(pop), P=params.index,
                              lib=model.library_arrays(library), rtol=rtol, atol=atol,
                              atol_of_untreated=atol_of_untreated,
                              chunk_size=count, threads=threads, progress=False)
    return _outcome(protocol, first, timeline.output_times(), values, stats)


@dataclass
class TrialResult:
    """Per-man endpoints of every protocol, with the tables and curves built from them."""

    protocols: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    n: int
    seed: int
    endpoints: pd.DataFrame  # protocol, patient, endpoint, time_d, event
    azoospermia: pd.DataFrame  # protocol, month, fraction, n
    covariates: pd.DataFrame
    series_t: dict[str, np.ndarray]  # protocol -> days of its series (histories may differ)
    series: dict[str, np.ndarray]  # protocol -> (men, times, SERIES_COLUMNS)
    horizons_months: tuple[int, ...] = HORIZONS_MONTHS
    stats: dict = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        return summary_table(self.endpoints, self.horizons_months)

    def comparisons(self, n_boot: int = 400) -> pd.DataFrame:
        return paired_comparisons(self.endpoints, self.protocols, self.horizons_months, self.seed, n_boot)


def check_same_men(scenarios: Sequence[Scenario]) -> None:
    """A trial compares protocols on the same men: the patient blocks must agree."""
    first = scenarios[0]
    for sc in scenarios[1:]:
        if sc.cohort != first.cohort:
            raise ScenarioError(
                f"trial: protocol {sc.name!r} describes other men (patient block) than {first.name!r}; "
                "a trial compares protocols on the same virtual men"
            )
        if sc.settings.resolution != first.settings.resolution:
            raise ScenarioError("trial: every protocol must use the same resolution")


def run_trial(scenarios: Sequence[Scenario], n: int, *, seed: int | None = None,
              scheduler: str | None = None, chunk_size: int = 250, rtol: float = TRIAL_RTOL,
              atol: float | None = None, progress: bool | None = None) -> TrialResult:
    """Simulate each protocol on the same ``n`` men; locally, or on a Dask cluster.

    ``atol`` None: each physiology state's absolute tolerance is ``TRIAL_ATOL_OF_UNTREATED``
    × ``rtol`` × the man's untreated level of it, at least 1e-3 × ``rtol``; a number: that
    absolute tolerance on every state.
    """
    if not scenarios:
        raise ScenarioError("trial: give at least one protocol")
    if n < 1:
        raise ScenarioError("trial: --n must be at least 1")
    check_same_men(scenarios)
    tolerance = (rtol, rtol * 1e-3, rtol * TRIAL_ATOL_OF_UNTREATED) if atol is None else (rtol, atol, 0.0)
    seed = seed if seed is not None else (scenarios[0].settings.seed or population.DEFAULT_SEED)
    cohort = scenarios[0].cohort
    tasks = [(p, a, b - a) for p in range(len(scenarios)) for a, b in chunks(n, chunk_size)]
    if scheduler:
        outcomes = _on_dask(scheduler, scenarios, cohort, seed, tasks, tolerance)
    else:
        outcomes = _locally(scenarios, cohort, seed, tasks, tolerance, progress)
    return _assemble(scenarios, n, seed, cohort, outcomes)


def _locally(scenarios, cohort, seed, tasks, tolerance, progress):
    from tqdm.auto import tqdm

    outcomes = []
    total = sum(count for _, _, count in tasks)
    with tqdm(total=total, unit="men", desc="trial", leave=False,
              disable=None if progress is None else not progress) as bar:
        for p, first, count in tasks:
            outcomes.append(simulate_chunk(scenarios[p], p, cohort, seed, first, count, tolerance))
            bar.update(count)
    return outcomes


def _on_dask(address, scenarios, cohort, seed, tasks, tolerance):
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise RuntimeError("--scheduler needs dask.distributed") from exc
    try:
        client = Client(address, timeout=30)
    except OSError as exc:
        raise ScenarioError(f"--scheduler: cannot reach a Dask scheduler at {address!r} ({exc})") from None
    with client:
        futures = [client.submit(simulate_chunk, scenarios[p], p, cohort, seed, first, count, tolerance, 1,
                                 pure=False) for p, first, count in tasks]
        return client.gather(futures)


def _assemble(scenarios, n, seed, cohort, outcomes: list[ChunkOutcome]) -> TrialResult:
    names = _protocol_names(scenarios)
    outcomes = sorted(outcomes, key=lambda o: (o.protocol, o.first))
    rows, azoo = [], []
    series, series_t = {}, {}
    for p, name in enumerate(names):
        mine = [o for o in outcomes if o.protocol == p]
        times = np.concatenate([o.times for o in mine])
        events = np.concatenate([o.events for o in mine])
        for j, e in enumerate(ENDPOINTS):
            rows.append(pd.DataFrame({"protocol": name, "patient": np.arange(n), "endpoint": e.name,
                                      "time_d": times[:, j], "event": events[:, j]}))
        flags = np.concatenate([o.azoospermic for o in mine])
        for k, month in enumerate(AZOOSPERMIA_MONTHS):
            azoo.append({"protocol": name, "month": month, "fraction": float(flags[:, k].mean()), "n": n})
        series[name] = np.concatenate([o.series for o in mine])
        series_t[name] = mine[0].series_t
    pop = population.sample(cohort, n, seed)  # the same men the chunks drew, for the table
    return TrialResult(
        protocols=tuple(names), scenarios=tuple(scenarios), n=n, seed=seed,
        endpoints=pd.concat(rows, ignore_index=True), azoospermia=pd.DataFrame(azoo),
        covariates=pop.covariates(), series_t=series_t, series=series,
        stats={"accepted_steps": sum(o.steps for o in outcomes)},
    )


def _protocol_names(scenarios) -> list[str]:
    names = [sc.name for sc in scenarios]
    return [f"{nm} [{i + 1}]" if names.count(nm) > 1 else nm for i, nm in enumerate(names)]


# ------------------------------------------------------------------------------ statistics
def wilson_interval(k: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion (exact KM here: censoring only at the end)."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _by_horizon(time: np.ndarray, event: np.ndarray, month: int) -> np.ndarray:
    return event & (time <= month * DAYS_PER_MONTH + 1e-9)


def _median(time: np.ndarray, event: np.ndarray) -> float:
    """Median time to event, infinite when fewer than half had it."""
    return float(np.median(np.where(event, time, np.inf)))


def summary_table(endpoints: pd.DataFrame, horizons=HORIZONS_MONTHS) -> pd.DataFrame:
    """Per protocol and endpoint: probability by each horizon (95 % CI) and median time."""
    rows = []
    for (proto, ep), g in endpoints.groupby(["protocol", "endpoint"], sort=False):
        time, event = g["time_d"].to_numpy(), g["event"].to_numpy()
        row = {"protocol": proto, "endpoint": ep, "n": len(g), "events": int(event.sum())}
        for m in horizons:
            k = int(_by_horizon(time, event, m).sum())
            lo, hi = wilson_interval(k, len(g))
            row[f"p_{m}mo"], row[f"p_{m}mo_low"], row[f"p_{m}mo_high"] = k / len(g), lo, hi
        row["median_months"] = _median(time, event) / DAYS_PER_MONTH
        rows.append(row)
    return pd.DataFrame(rows)


def paired_comparisons(endpoints: pd.DataFrame, protocols: Sequence[str], horizons=HORIZONS_MONTHS,
                       seed: int = 0, n_boot: int = 400) -> pd.DataFrame:
    """Protocol B minus protocol A on the same men: differences in probability by each
    horizon (paired normal interval) and in median time (paired bootstrap interval)."""
    rows = []
    rng = np.random.default_rng(seed)
    for a, b in combinations(protocols, 2):
        for ep in endpoints["endpoint"].unique():
            ga = endpoints[(endpoints.protocol == a) & (endpoints.endpoint == ep)].sort_values("patient")
            gb = endpoints[(endpoints.protocol == b) & (endpoints.endpoint == ep)].sort_values("patient")
            ta, ea = ga["time_d"].to_numpy(), ga["event"].to_numpy()
            tb, eb = gb["time_d"].to_numpy(), gb["event"].to_numpy()
            n = len(ta)
            row = {"protocol_a": a, "protocol_b": b, "endpoint": ep, "n": n}
            for m in horizons:
                d = _by_horizon(tb, eb, m).astype(float) - _by_horizon(ta, ea, m).astype(float)
                se = d.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan
                row[f"diff_p_{m}mo"] = d.mean()
                row[f"diff_p_{m}mo_low"] = d.mean() - 1.959964 * se
                row[f"diff_p_{m}mo_high"] = d.mean() + 1.959964 * se
            xa, xb = np.where(ea, ta, np.inf), np.where(eb, tb, np.inf)
            idx = rng.integers(0, n, size=(n_boot, n))
            with np.errstate(invalid="ignore"):
                boot = (np.median(xb[idx], axis=1) - np.median(xa[idx], axis=1)) / DAYS_PER_MONTH
            row["diff_median_months"] = (_median(tb, eb) - _median(ta, ea)) / DAYS_PER_MONTH
            finite = boot[np.isfinite(boot)]
            ok = finite.size >= 0.95 * n_boot
            row["diff_median_low"] = float(np.percentile(finite, 2.5)) if ok else math.nan
            row["diff_median_high"] = float(np.percentile(finite, 97.5)) if ok else math.nan
            rows.append(row)
    return pd.DataFrame(rows)


def kaplan_meier(time: np.ndarray, event: np.ndarray, label: str):
    """lifelines' Kaplan-Meier fit (cumulative probability of the event, with 95 % band)."""
    from lifelines import KaplanMeierFitter

    return KaplanMeierFitter(label=label).fit(time / DAYS_PER_MONTH, event_observed=event)
