"""The integrator: output times are read from the continuous extension, not stepped to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numba.core import types

import hpgsim
from conftest import TE200, run
from hpgsim import model
from hpgsim.compiled import KERNELS
from hpgsim.simulate import Timeline, patient_theta

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

EIGHT_WEEKS_THEN_STOP = [dict(TE200, stop="56 d")]
COLUMNS = ["lh_iu_l", "fsh_iu_l", "testosterone_total_ng_dl", "itt_nmol_l", "sperm_concentration_m_ml"]


def _common_days(fine, coarse):
    on_grid = fine[np.isin(fine.time_d.round(9), coarse.time_d.round(9))].reset_index(drop=True)
    assert len(on_grid) == len(coarse)
    return on_grid


def test_output_grid_does_not_change_the_solution():
    """Asking for outputs every 6 hours instead of daily reads more points off the same
    steps: the values at the shared days agree to rounding."""
    daily = run(EIGHT_WEEKS_THEN_STOP, until="120 d", output_every="1 d")
    fine = run(EIGHT_WEEKS_THEN_STOP, until="120 d", output_every="6 h")
    shared = _common_days(fine, daily)
    for column in COLUMNS:
        np.testing.assert_allclose(shared[column], daily[column], rtol=1e-12, atol=1e-12)


def test_outputs_between_steps_are_accurate():
    """Interpolated outputs at the default tolerance (rtol 1e-6) match a run at rtol 1e-10 to
    within 1e-4 relative for hormones and sperm, through injections and after stopping."""
    default = run(EIGHT_WEEKS_THEN_STOP, until="120 d", output_every="3 h")
    tight = run(EIGHT_WEEKS_THEN_STOP, until="120 d", output_every="3 h", rtol=1e-10, atol=1e-13)
    for column in COLUMNS:
        scale = np.maximum(np.abs(tight[column]), 1e-3 * np.abs(tight[column]).max())
        assert np.max(np.abs(default[column] - tight[column]) / scale) < 1e-4, column


@pytest.mark.parametrize("example", ["stop_cypionate_clomiphene.yaml", "chh_pump.yaml",
                                     "gonadorelin_pump.yaml"])
def test_observables_read_the_same_lh_as_the_right_hand_side(example):
    """Observables take serum LH from the pituitary half of the right-hand side
    (``model.serum_lh``): the LH the whole right-hand side returns, with drugs, a pump and in
    the pulsatile resolution. The pituitary inputs are compiled into each caller, whose fused
    multiply-adds may round differently: a few units in the last place (2 measured)."""
    scenario = hpgsim.load_scenario(EXAMPLES / example)
    result = hpgsim.simulate(scenario)
    params, library, layout = model.build()
    P, S = params.index, layout.index
    lib = model.library_arrays(library)
    mode = model.PULSATILE if scenario.settings.resolution == "pulsatile" else model.AVERAGED
    timeline = Timeline(scenario, layout, library, mode)
    U = timeline.inputs_at(result.times_d)
    theta = patient_theta(scenario.patient)
    ref = model.reference(theta, P)
    dy = np.empty(layout.n)
    rows = np.linspace(0, len(result.times_d) - 1, 40).astype(int)
    for r in rows:
        y = result.states[r]
        whole = model.rhs(result.times_d[r], y, dy, theta, P, S, ref, lib, U[r], mode)
        half = model.serum_lh(y, theta, P, S, ref, U[r], mode, model.drug_effects(theta, P, S, y, lib))
        assert abs(half - whole) <= 8 * np.spacing(abs(whole))
    assert result.to_pandas().lh_iu_l.max() > 1.0  # the rows include a working axis


def _holds_array(numba_type) -> bool:
    if isinstance(numba_type, types.Array):
        return True
    return isinstance(numba_type, types.BaseTuple) and any(_holds_array(t) for t in numba_type.types)


def _return_types(dispatcher) -> list:
    """Return types of every signature ``dispatcher`` was compiled for, in this process or
    in its cache (a function loaded from the cache records none for the functions it calls,
    but each of them cached its own)."""
    found = [sig.return_type for sig in dispatcher.nopython_signatures]
    cache = dispatcher._cache
    for key in cache._cache_file._load_index():
        result = cache.load_overload(key[0], dispatcher.targetctx)
        if result is not None:
            found.append(result.signature.return_type)
    return found


def test_kernels_return_no_array():
    """Functions compiled without reference counting (``hpgsim.compiled.kernel``) must not
    return an array: its count would be wrong and memory freed while in use (numba itself
    refuses a new array or a view, not an argument handed back). Every kernel signature
    compiled for runs of both resolutions with a pump, an injection and an oral drug is
    checked."""
    pump = {"drug": "gonadorelin", "route": "pump", "dose": "10 ug", "every": "90 min", "start": "0 d"}
    clomiphene = {"drug": "clomiphene_citrate", "dose": "50 mg", "every": "1 d", "start": "0 d"}
    run([TE200, pump, clomiphene], until="3 d")
    run([TE200, pump], until="6 h", resolution="pulsatile")
    returns = {kernel.py_func.__qualname__: _return_types(kernel) for kernel in KERNELS}
    assert returns["rhs"] and returns["_integrate"] and returns["_observe_rows"]
    assert [name for name, found in returns.items() if any(_holds_array(t) for t in found)] == []
