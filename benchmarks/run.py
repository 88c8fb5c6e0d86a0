"""hpgsim benchmarks: one command, each timing reported against a peer measured in the same run.

1. 24 months, averaged resolution, typical man on testosterone enanthate 200 mg weekly
   (105 dose restarts): hpgsim's compiled Dormand-Prince vs SciPy ``solve_ivp(LSODA)``
   integrating the *same* compiled right-hand side over the same segments.
2. 14 days, pulsatile resolution (every GnRH pulse), same comparison.
3. ``hpgsim run`` on the demo scenario from a cold process (compiled code cached on disk),
   against the cost of starting Python and importing hpgsim's dependencies.

It also prints the solver's step counts for the first two, which do not depend on the machine.

Run with ``make bench``. Prints a table; the numbers depend on the machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import hpgsim  # noqa: E402
from _machine import describe  # noqa: E402
from hpgsim import model  # noqa: E402
from hpgsim.solver import solve  # noqa: E402
from hpgsim.steady_state import untreated_state  # noqa: E402

sim_module = sys.modules["hpgsim.simulate"]

SCENARIOS = {
    "24 months averaged (TE 200 mg weekly)": {
        "regimens": [{"drug": "testosterone_enanthate", "dose": "200 mg", "every": "7 d", "start": "0 d"}],
        "simulate": {"until": "24 mo", "resolution": "averaged"},
    },
    "14 days pulsatile (TE 200 mg weekly)": {
        "regimens": [{"drug": "testosterone_enanthate", "dose": "200 mg", "every": "7 d", "start": "0 d"}],
        "simulate": {"until": "14 d", "resolution": "pulsatile", "output_every": "10 min"},
    },
}


def prepared(data):
    """Everything both solvers need, built once outside the timed region."""
    sc = hpgsim.load_scenario(data)
    params, library, layout = model.build()
    theta = sim_module.patient_theta(sc.patient)
    P, S = params.index, layout.index
    lib = model.library_arrays(library)
    ref = model.reference(theta, P)
    mode = model.PULSATILE if sc.settings.resolution == "pulsatile" else model.AVERAGED
    tl = sim_module.Timeline(sc, layout, library, mode)
    y0, _ = untreated_state(theta, P, S, ref, lib, layout.n, layout.n_inputs, mode, tl.t0)
    return dict(theta=theta, P=P, S=S, lib=lib, ref=ref, mode=mode, tl=tl, y0=y0, out_t=tl.output_times())


def run_hpgsim(c, rtol):
    """(states at the outputs, accepted steps, rejected steps)."""
    tl = c["tl"]
    Y, n_acc, n_rej = solve(c["y0"], tl.seg_t0, tl.seg_t1, tl.bolus, tl.inputs, c["out_t"], c["theta"],
                        c["P"], c["S"], c["ref"], c["lib"], c["mode"], rtol, np.full(c["y0"].size, rtol * 1e-3),
                        sim_module.HMAX[c["mode"]])
    return Y, n_acc, n_rej


def run_lsoda(c, rtol):
    """SciPy LSODA on the same equations, restarted at every segment like hpgsim."""
    tl = c["tl"]
    y = c["y0"].copy()
    out = []
    out_t = c["out_t"]
    hmax = sim_module.HMAX[c["mode"]]
    for a, b, bolus, u in zip(tl.seg_t0, tl.seg_t1, tl.bolus, tl.inputs):
        y = y + bolus

        def f(t, yy, u=u):
            dy = np.empty_like(yy)
            model.rhs(t, yy, dy, c["theta"], c["P"], c["S"], c["ref"], c["lib"], u, c["mode"])
            return dy

        t_eval = out_t[(out_t > a) & (out_t <= b)]
        sol = solve_ivp(f, (a, b), y, method="LSODA", t_eval=t_eval, rtol=rtol, atol=rtol * 1e-3,
                        max_step=hmax)
        out.append(sol.y.T)
        y = sol.y[:, -1] if sol.y.shape[1] else y
    return np.vstack(out)


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def cold_start_seconds(args, repeats=3):
    env = dict(os.environ)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    print(f"machine: {describe()}")
    print(f"{'benchmark':<42} {'hpgsim':>10} {'peer':>10} {'ratio':>8}  peer")
    rtol = 1e-6
    steps = []
    for name, data in SCENARIOS.items():
        c = prepared(data)
        run_hpgsim(c, rtol)  # compile / load cache outside the timing
        t_h, (Y, acc, rej) = best_of(lambda: run_hpgsim(c, rtol), 5)
        t_l, Y_l = best_of(lambda: run_lsoda(c, rtol), 1 if "pulsatile" in name else 2)
        t_index = c["S"].serum_t
        n = min(len(Y_l), len(Y) - 1)
        err = np.max(np.abs(Y[-n:, t_index] - Y_l[-n:, t_index]) / np.abs(Y_l[-n:, t_index]))
        print(f"{name:<42} {t_h * 1e3:>8.1f}ms {t_l * 1e3:>8.1f}ms {t_l / t_h:>7.1f}x  "
              f"scipy LSODA, same equations (max rel. serum T difference {err:.1e})")
        steps.append((name, [(acc, rej), run_hpgsim(c, 1e-4)[1:]]))  # the timed run gave rtol 1e-6's
    py = sys.executable
    hpg = str(Path(py).with_name("hpgsim"))
    out = ROOT / "bench-out"
    t_run = cold_start_seconds([hpg, "run", "examples/stop_cypionate_hcg.yaml", "--out", str(out)])
    t_imp = cold_start_seconds([py, "-c", "import numpy, scipy, numba, pandas, pyarrow, plotly, pydantic, typer"])
    print(f"{'hpgsim run demo, cold process':<42} {t_run:>9.2f}s {t_imp:>9.2f}s {t_run / t_imp:>7.1f}x  "
          "python start + importing the dependencies")
    for name, ((a6, r6), (a4, r4)) in steps:
        print(f"solver steps (accepted + rejected), {name}: rtol 1e-6 {a6} + {r6}, rtol 1e-4 {a4} + {r4}")


if __name__ == "__main__":
    main()
