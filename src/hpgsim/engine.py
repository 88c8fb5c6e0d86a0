"""The batched engine: many men through one dosing timeline, on all cores, in chunks.

Each man is integrated by the adaptive Dormand-Prince solver of :mod:`hpgsim.solver`,
restarted at every dose (doses are discontinuities), from his own untreated steady state.
The compiled loop over men releases the GIL, so a chunk is split over one thread per core;
chunks bound the memory and drive the progress bar. Only the contract's observables are
kept, not the internal states.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .compiled import compiled_nogil
from .model import reference, state_scales
from .observables import COLUMNS, clock_hours, observe
from .solver import absolute_tolerances, solve
from .steady_state import HMAX, untreated_state

N_COLUMNS = len(COLUMNS)
STAT_FIELDS = ("accepted_steps", "rejected_steps", "newton_converged")


@compiled_nogil
def _men(values, stats, thetas, seg_t0, seg_t1, bolus, seg_u, out_t, U, clock_h, P, S, lib, n, n_inputs,
         mode, t0, rtol, atol, atol_of_untreated, hmax):
    """Fill ``values`` and ``stats`` for every row of ``thetas`` (runs without the GIL)."""
    for i in range(thetas.shape[0]):
        theta = thetas[i]
        ref = reference(theta, P)
        y0, converged = untreated_state(theta, P, S, ref, lib, n, n_inputs, mode, t0)
        tol = absolute_tolerances(atol, atol_of_untreated, state_scales(S, y0))
        Y, n_acc, n_rej = solve(y0, seg_t0, seg_t1, bolus, seg_u, out_t, theta, P, S, ref, lib,
                                mode, rtol, tol, hmax)
        values[i] = observe(Y, U, clock_h, theta, P, S, ref, lib, mode)
        stats[i, 0] = n_acc
        stats[i, 1] = n_rej
        stats[i, 2] = 1 if converged else 0


PARTS_PER_THREAD = 8
"""A chunk is cut into this many parts per thread, handed out as threads free up, so men
who take longer (more steps) do not leave the other cores idle at the end of a chunk."""


def _run_chunk(thetas, args, threads: int):
    n_men = thetas.shape[0]
    n_t = args[4].size
    values = np.empty((n_men, n_t, N_COLUMNS))
    stats = np.zeros((n_men, 3), dtype=np.int64)
    if threads == 1:
        _men(values, stats, thetas, *args)
        return values, stats
    parts = chunks(n_men, max(1, -(-n_men // (threads * PARTS_PER_THREAD))))
    with ThreadPoolExecutor(threads) as pool:
        jobs = [pool.submit(_men, values[a:b], stats[a:b], thetas[a:b], *args) for a, b in parts]
        for job in jobs:
            job.result()
    return values, stats


def default_threads() -> int:
    """One thread per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def chunks(n: int, size: int):
    """(start, stop) of consecutive chunks covering 0 … n-1."""
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def run_batch(timeline, thetas: np.ndarray, *, P, lib, rtol: float, atol: float,
              atol_of_untreated: float = 0.0, chunk_size: int = 256, threads: int | None = None,
              progress: bool | None = None):
    """Simulate every row of ``thetas`` through ``timeline``: ``(values, stats)`` with values
    shaped (men, output times, columns). Callers bound memory by passing chunks of men.

    A state's absolute tolerance is ``atol``, or ``atol_of_untreated`` × the man's own
    untreated level of it where that is larger (:func:`hpgsim.solver.absolute_tolerances`).
    """
    from tqdm.auto import tqdm

    layout = timeline.layout
    out_t = timeline.output_times()
    U = timeline.inputs_at(out_t)
    clock_h = clock_hours(out_t, timeline.scenario.settings.time_of_day_h)
    args = (timeline.seg_t0, timeline.seg_t1, timeline.bolus, timeline.inputs, out_t, U, clock_h,
            P, layout.index, lib, layout.n, layout.n_inputs, timeline.mode, timeline.t0,
            rtol, atol, atol_of_untreated, HMAX[timeline.mode])
    kept_values, kept_stats = [], []
    bar = tqdm(total=len(thetas), unit="men", disable=None if progress is None else not progress,
               leave=False, desc="simulating")
    for a, b in chunks(len(thetas), chunk_size):
        values, stats = _run_chunk(np.ascontiguousarray(thetas[a:b]), args, threads or default_threads())
        if not np.all(np.isfinite(values)):
            bad = a + int(np.argmax(~np.isfinite(values).all(axis=(1, 2))))
            raise RuntimeError(f"the solver failed to produce finite values for patient {bad}")
        kept_values.append(values)
        kept_stats.append(stats)
        bar.update(b - a)
    bar.close()
    if len(kept_values) == 1:  # one chunk (trials send one per call): no copy
        return kept_values[0], kept_stats[0]
    return np.concatenate(kept_values), np.concatenate(kept_stats)
