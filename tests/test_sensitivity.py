"""Global sensitivity of recovery time (Morris, SALib) on the batched engine."""

import numpy as np
import pytest

from hpgsim import sensitivity


@pytest.fixture(scope="module")
def analysis():
    return sensitivity.run_morris(trajectories=2, seed=3)


def test_every_varied_parameter_is_ranked(analysis):
    table = analysis.table
    assert len(table) == len(sensitivity.varied_parameters()) > 80
    assert analysis.n_runs == 2 * (len(table) + 1)
    assert np.all(np.isfinite(table.mu_star_months)) and np.all(table.mu_star_months >= 0)
    assert analysis.failed == 0


def test_ranking_reflects_the_physiology(analysis):
    table = analysis.table.set_index("parameter")
    mu = table.mu_star_months
    # output scales that cannot move sperm concentration: no effect at all
    for name in ("testis_volume_ref_ml", "motile_fraction", "semen_volume_ml"):
        assert mu[name] == 0.0, name
    # where a man's axis settles (feedback set point) leads, as in every run of this analysis
    assert "feedback_sensitivity" in list(analysis.table.parameter[:5])
    assert (mu > 0.5).sum() >= 10
    assert 2.0 < analysis.baseline_months < 6.0


def test_sampled_bounds_stay_inside_the_plausible_ranges():
    for p in sensitivity.varied_parameters():
        lo, hi = sensitivity.bounds(p)
        assert p.low <= lo < hi <= p.high
