"""The integrator: output times are read from the continuous extension, not stepped to."""

from __future__ import annotations

import numpy as np

from conftest import TE200, run

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
