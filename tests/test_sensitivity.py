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
    mu = analysis.table.set_index("parameter").mu_star_months
    # testis volume is an output scale: it cannot change when sperm comes back
    assert mu["testis_volume_ref_ml"] == 0.0
    # a man's own sperm output sets how far he must climb back to 20 M/mL
    assert mu["sperm_baseline_factor"] > 1.0
    assert 2.0 < analysis.baseline_months < 6.0


def test_sampled_bounds_stay_inside_the_plausible_ranges():
    for p in sensitivity.varied_parameters():
        lo, hi = sensitivity.bounds(p)
        assert p.low <= lo < hi <= p.high
