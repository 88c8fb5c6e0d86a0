"""Every example runs through the CLI contract, with no negative or missing values."""

from pathlib import Path

import numpy as np
import pytest

import hpgsim
from hpgsim.observables import COLUMNS

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_clean(path):
    frame = hpgsim.simulate(hpgsim.load_scenario(path)).to_pandas()
    values = frame[list(COLUMNS)].to_numpy()
    assert np.isfinite(values).all()
    assert (values >= 0).all()
    assert frame.time_d.iloc[-1] == pytest.approx(hpgsim.load_scenario(path).settings.until_d)


def test_there_are_examples_for_every_listed_protocol():
    names = {p.stem for p in EXAMPLES}
    assert {"baseline", "start_te200_weekly", "stop_cypionate_no_treatment", "stop_cypionate_hcg",
            "stop_cypionate_clomiphene", "stop_cypionate_tamoxifen", "stop_cypionate_anastrozole",
            "trt_plus_hcg500", "gonadorelin_pump", "gonadorelin_infusion", "gonadorelin_daily_injection",
            "chh_pump", "chh_hcg_hmg", "leuprolide_depot", "degarelix"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_through_the_cli_writes_every_file(path, tmp_path):
    """Slow tier (`make test-slow`): the full CLI path, report included, for every example."""
    from typer.testing import CliRunner

    from hpgsim.cli import app

    out = tmp_path / path.stem
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    assert "not medical advice" in html and html.count("<script") >= 2
    assert (out / "timeseries.parquet").stat().st_size > 0


@pytest.mark.slow
def test_trial_examples_with_2000_men(tmp_path):
    """The example trial, at the size the documentation quotes."""
    import pandas as pd
    from typer.testing import CliRunner

    from hpgsim.cli import app

    arms = sorted(str(p) for p in (EXAMPLES[0].parent / "trial").glob("*.yaml"))
    out = tmp_path / "trial"
    result = CliRunner().invoke(app, ["trial", *arms[:2], "--n", "2000", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary.n) == {2000}
    assert (out / "report.html").stat().st_size > 1e5
