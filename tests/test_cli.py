"""The command line: files per the contract on success, exit 2 and nothing written on bad input."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hpgsim.cli import app
from hpgsim.observables import COLUMNS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
runner = CliRunner()


def test_run_writes_contract_files(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(EXAMPLES / "baseline.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"timeseries.parquet", "timeseries.csv", "report.html"}
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert list(frame.columns) == ["patient", "time_d", *COLUMNS]
    assert frame.time_d.iloc[0] == 0.0 and frame.time_d.iloc[-1] == 90.0
    csv = pd.read_csv(out / "timeseries.csv")
    assert len(csv) == len(frame) == 91
    assert "not medical advice" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    "text, words",
    [
        ("regimens:\n  - drug: unobtainium\n    dose: 1 mg\nsimulate:\n  until: 10 d\n", "regimens[0].drug: unknown drug"),
        ("simulate: [\n", "malformed YAML"),
        ("regimens:\n  - drug: hcg\n    dose: 1000 IU\n    route: oral\nsimulate:\n  until: 10 d\n", "regimens[0].route"),
        ("simulate:\n  until: 10 d\n  assay_limits: {lh_iu_l: 0}\n", "simulate.assay_limits.lh_iu_l: 0 is not a limit"),
    ],
)
def test_bad_scenario_exits_2_and_writes_nothing(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert words in result.output
    assert result.output.count("error:") == 1
    assert not out.exists()


def test_drugs_lists_every_contract_drug():
    result = runner.invoke(app, ["drugs"])
    assert result.exit_code == 0
    for name in ("testosterone_cypionate", "testosterone_enanthate", "testosterone_undecanoate",
                 "testosterone_gel", "hcg", "clomiphene_citrate", "enclomiphene", "tamoxifen",
                 "anastrozole", "letrozole", "gonadorelin", "leuprolide", "degarelix", "fsh", "hmg"):
        assert f"\n{name}  [" in "\n" + result.output


def test_params_prints_tables_with_sources():
    result = runner.invoke(app, ["params", "--module", "leydig"])
    assert result.exit_code == 0
    assert "lh_half_effect_iu_l" in result.output and "Tornøe 2007" in result.output
    assert runner.invoke(app, ["params", "--module", "spleen"]).exit_code == 2


def test_population_run_writes_every_man_and_no_csv(tmp_path):
    path = tmp_path / "pop.yaml"
    path.write_text("patient:\n  age_years: {mean: 40, sd: 8}\nsimulate:\n  until: 10 d\n"
                    "  population: 20\n  seed: 5\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"timeseries.parquet", "report.html"}
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert sorted(frame.patient.unique()) == list(range(20)) and len(frame) == 20 * 11
    baseline_t = frame[frame.time_d == 0].testosterone_total_ng_dl
    assert baseline_t.std() > 30.0  # the men differ


def test_trial_refuses_protocols_on_different_men(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("simulate:\n  until: 30 d\n")
    b.write_text("patient:\n  age_years: 60\nsimulate:\n  until: 30 d\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["trial", str(a), str(b), "--n", "4", "--out", str(out)])
    assert result.exit_code == 2
    assert "same virtual men" in result.output
    assert not out.exists()


def test_trial_refuses_an_absurd_tolerance(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("simulate:\n  until: 30 d\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["trial", str(a), "--n", "2", "--rtol", "0.5", "--out", str(out)])
    assert result.exit_code == 2
    assert "--rtol" in result.output
    assert not out.exists()


def test_trial_writes_tables_and_report(tmp_path):
    files = []
    for name, extra in (("a", ""), ("b", "  - drug: clomiphene_citrate\n    dose: 25 mg\n    every: 1 d\n    start: 0 d\n")):
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"name: arm {name}\nregimens:\n  - drug: testosterone_enanthate\n    dose: 200 mg\n"
                        f"    every: 7 d\n    start: -6 mo\n    stop: 0 d\n{extra}simulate:\n  until: 6 mo\n")
        files.append(str(path))
    out = tmp_path / "out"
    result = runner.invoke(app, ["trial", *files, "--n", "6", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "endpoints.parquet", "covariates.parquet", "kaplan_meier.parquet", "summary.parquet", "summary.csv",
        "comparisons.parquet", "comparisons.csv", "azoospermia.csv", "report.html"}
    ep = pd.read_parquet(out / "endpoints.parquet")
    assert set(ep.protocol) == {"arm a", "arm b"} and len(ep) == 2 * 6 * 8
    km = pd.read_parquet(out / "kaplan_meier.parquet")
    assert km.probability.between(0, 1).all() and (km.probability_low <= km.probability + 1e-12).all()
    assert "not medical advice" in (out / "report.html").read_text()
