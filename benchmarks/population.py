"""Population benchmark: many men × 24 months of weekly testosterone enanthate 200 mg.

Peers, measured in the same run on the same men, equations and tolerance (rtol 1e-6,
atol 1e-9, daily output):
- hpgsim's batched engine (all cores) through ``run_trial`` (endpoints included), also
  timed at the trials' own default tolerances (``trial.TRIAL_RTOL``, absolute tolerance per
  state) and at that rtol with one absolute tolerance on every state;
- SciPy ``solve_ivp(LSODA)`` in a Python loop, on hpgsim's compiled right-hand side;
- libroadrunner (CVODE) simulating hpgsim's own SBML export, one RoadRunner reused
  (simulation only, a lower bound on its per-man cost).
Peers are timed on a subset of the men and reported per man; the ratio is per-man
throughput. Peak memory is the process's maximum resident set size.

    python benchmarks/population.py [--n 10000] [--peer-men 20] [--cores 2]

``--cores`` restricts the process to that many of the cores it may use (CPU affinity), so the
goal's 2-core figure can be measured on a larger machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import hpgsim  # noqa: E402
from _machine import describe  # noqa: E402
from hpgsim import engine, model, population, trial  # noqa: E402
from hpgsim.simulate import HMAX, Timeline  # noqa: E402
from hpgsim.steady_state import untreated_state  # noqa: E402

RTOL, ATOL = 1e-6, 1e-9
SCENARIO = {
    "name": "TE 200 mg weekly, 24 months",
    "regimens": [{"drug": "testosterone_enanthate", "dose": "200 mg", "every": "7 d", "start": "0 d"}],
    "simulate": {"until": "24 mo"},
}


def restrict_cores(n: int) -> None:
    """Pin this process (and the engine's threads, started later) to ``n`` of its cores."""
    allowed = sorted(os.sched_getaffinity(0))
    if not 1 <= n <= len(allowed):
        sys.exit(f"--cores: give 1 to {len(allowed)} (the cores this process may use), not {n}")
    os.sched_setaffinity(0, allowed[:n])


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def hpgsim_trial(sc, n, rtol=RTOL, atol=ATOL):
    t = time.perf_counter()
    trial.run_trial([sc], n, seed=1, chunk_size=500, rtol=rtol, atol=atol, progress=False)
    return time.perf_counter() - t


def men(sc, n):
    """(theta, ref, y0) of the first n men of the benchmark population."""
    params, library, layout = model.build()
    P, S = params.index, layout.index
    lib = model.library_arrays(library)
    out = []
    for theta in population.thetas(population.sample(sc.cohort, n, 1)):
        ref = model.reference(theta, P)
        y0, _ = untreated_state(theta, P, S, ref, lib, layout.n, layout.n_inputs, model.AVERAGED, 0.0)
        out.append((theta, ref, y0))
    return out


def lsoda_loop(sc, cohort_men):
    params, library, layout = model.build()
    P, S = params.index, layout.index
    lib = model.library_arrays(library)
    tl = Timeline(sc, layout, library, model.AVERAGED)
    out_t = tl.output_times()
    t = time.perf_counter()
    for theta, ref, y0 in cohort_men:
        y = y0.copy()
        for a, b, bolus, u in zip(tl.seg_t0, tl.seg_t1, tl.bolus, tl.inputs):
            y = y + bolus

            def f(tt, yy, u=u, theta=theta, ref=ref):
                dy = np.empty_like(yy)
                model.rhs(tt, yy, dy, theta, P, S, ref, lib, u, model.AVERAGED)
                return dy

            sol = solve_ivp(f, (a, b), y, method="LSODA", t_eval=out_t[(out_t > a) & (out_t <= b)],
                            rtol=RTOL, atol=ATOL, max_step=HMAX[model.AVERAGED])
            y = sol.y[:, -1]
    return (time.perf_counter() - t) / len(cohort_men)


def roadrunner_loop(sc, n_men):
    """Per-man seconds for libroadrunner on hpgsim's SBML export, or None if unavailable."""
    try:
        import roadrunner

        from hpgsim.sbml import export_sbml
    except ImportError:
        return None
    _, library, layout = model.build()
    rr = roadrunner.RoadRunner(export_sbml(sc))
    rr.integrator.relative_tolerance = RTOL
    rr.integrator.absolute_tolerance = ATOL
    tl = Timeline(sc, layout, library, model.AVERAGED)
    out_t = tl.output_times()
    span = out_t[-1] - out_t[0]  # the file's clock starts at the scenario's first day
    column = ["testosterone_total_ng_dl"]
    first = rr.simulate(0.0, span, len(out_t), selections=column)  # outside the timing, like hpgsim's
    own = hpgsim.simulate(sc, rtol=RTOL, atol=ATOL).to_pandas()[column[0]].to_numpy()
    agreement = float(np.max(np.abs(np.asarray(first)[:, 0] - own) / own))
    t = time.perf_counter()
    for _ in range(n_men):
        # Only resetAll + simulate is timed, for the typical man the file was exported for.
        # Giving each man his own parameters (setValue of init(...), which re-evaluates the
        # file's derived constants) costs more per man and is left out: a lower bound.
        rr.resetAll()  # reset() alone would keep the dosing events' next-dose times
        rr.simulate(0.0, span, len(out_t), selections=column)
    return (time.perf_counter() - t) / n_men, agreement


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="men for hpgsim (the goal is stated for 10000)")
    ap.add_argument("--peer-men", type=int, default=10, help="men timed for each peer")
    ap.add_argument("--cores", type=int, default=None, help="use only this many cores (CPU affinity)")
    args = ap.parse_args()
    if args.cores is not None:
        restrict_cores(args.cores)
    sc = hpgsim.load_scenario(SCENARIO)
    print(f"machine: {describe(engine.default_threads())}")
    hpgsim_trial(sc, 4)  # compile / load the cache outside the timing
    wall = hpgsim_trial(sc, args.n)
    per_man = wall / args.n
    t_lsoda = lsoda_loop(sc, men(sc, max(2, args.peer_men // 5)))
    try:
        t_rr = roadrunner_loop(sc, args.peer_men)
    except Exception as exc:  # noqa: BLE001 - report the peer's failure, keep the rest
        t_rr = exc
    print(f"hpgsim engine: {args.n} men x 24 months in {wall:.1f} s "
          f"({per_man * 1e3:.1f} ms per man, all cores; 10,000 men -> {per_man * 1e4:.0f} s); "
          f"peak memory {peak_rss_gb():.2f} GB")
    wall_default = hpgsim_trial(sc, args.n, trial.TRIAL_RTOL, None)
    print(f"hpgsim at the trial default tolerance (rtol {trial.TRIAL_RTOL:g}, absolute per state): {args.n} men in "
          f"{wall_default:.1f} s (10,000 men -> {wall_default / args.n * 1e4:.0f} s; "
          f"{wall / wall_default:.1f}x faster than at rtol {RTOL:g})")
    wall_uniform = hpgsim_trial(sc, args.n, trial.TRIAL_RTOL, trial.TRIAL_RTOL * 1e-3)
    print(f"  the same with one absolute tolerance ({trial.TRIAL_RTOL * 1e-3:g}) on every state: "
          f"{wall_uniform:.1f} s ({wall_uniform / wall_default:.2f}x the default's time)")
    print(f"  vs scipy LSODA loop:   {t_lsoda * 1e3:8.1f} ms per man (1 core) -> hpgsim {t_lsoda / per_man:5.1f}x throughput")
    if t_rr is None:
        print("  vs libroadrunner:      not installed (pip install '.[sbml]')")
    elif isinstance(t_rr, Exception):
        print(f"  vs libroadrunner:      failed ({t_rr})")
    else:
        t_rr, agreement = t_rr
        print(f"  vs libroadrunner:      {t_rr * 1e3:8.1f} ms per man (1 core, hpgsim's SBML) -> hpgsim "
              f"{t_rr / per_man:5.1f}x throughput; per core {t_rr / (per_man * engine.default_threads()):.1f}x "
              f"(its total T vs hpgsim's: max rel. difference {agreement:.1e})")


if __name__ == "__main__":
    os.environ.setdefault("TQDM_DISABLE", "1")
    main()
