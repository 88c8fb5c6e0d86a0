"""Calibration: fitted values laid over the module tables, and the fit command itself."""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from hpgsim import calibration
from hpgsim.calibration import fit as calibration_fit
from hpgsim import drugs
from hpgsim.model import build, calibrated_species, parameter_set, prior_tables


def test_apply_replaces_value_and_records_provenance():
    values = {"date": "2026-01-01", "parameters": {
        "sperm_baseline_factor": {"what": "iiv_cv", "value": 0.4, "calibrated_to": ["ref_semen"]},
        "sperm_ref_m_ml": {"what": "value", "value": 70.0, "calibrated_to": ["ref_semen", "ref_total_t"]},
    }}
    tables = calibration.apply(prior_tables(), values)
    params = {p.name: p for t in tables for p in t.parameters}
    assert params["sperm_baseline_factor"].iiv_cv == 0.4
    assert params["sperm_ref_m_ml"].value == 70.0
    assert params["sperm_ref_m_ml"].source.startswith("calibrated to: ref_semen, ref_total_t (2026-01-01); prior 60 M/mL")


def test_a_parameter_may_have_its_value_and_its_variability_fitted():
    values = {"date": "2026-01-01", "parameters": {
        "spermatogenesis_duration_d": {"what": "value", "value": 70.0, "calibrated_to": ["te200_sperm_kinetics"]},
        calibration.entry_key("spermatogenesis_duration_d", "iiv_cv"): {
            "what": "iiv_cv", "value": 0.2, "calibrated_to": ["te200_sperm_kinetics"]},
    }}
    p = {q.name: q for t in calibration.apply(prior_tables(), values) for q in t.parameters}["spermatogenesis_duration_d"]
    assert (p.value, p.iiv_cv) == (70.0, 0.2)
    key = calibration.entry_key("spermatogenesis_duration_d", "iiv_cv")
    assert key != "spermatogenesis_duration_d"
    assert calibration.parameter_name(key) == "spermatogenesis_duration_d"


def test_apply_refuses_unknown_and_out_of_range_values():
    with pytest.raises(ValueError, match="unknown parameter 'nope'"):
        calibration.apply(prior_tables(), {"parameters": {"nope": {"what": "value", "value": 1, "calibrated_to": []}}})
    with pytest.raises(ValueError, match="outside its plausible range"):
        calibration.apply(prior_tables(), {"parameters": {
            "sperm_ref_m_ml": {"what": "value", "value": 1000.0, "calibrated_to": ["x"]}}})


def test_shipped_values_are_in_the_model():
    shipped = yaml.safe_load(calibration.FITTED_FILE.read_text())["parameters"] or {}
    params = parameter_set().parameters
    species = {s.name: s for s in calibrated_species()}
    _, library, _ = build()
    for key, entry in shipped.items():
        name = calibration.parameter_name(key)
        if entry["what"] == "potency":
            assert species[name].effect.potency == entry["value"] and "calibrated to:" in species[name].effect.source
            assert library.potency[library.species_index[name]] == entry["value"]
            continue
        got = params[name].iiv_cv if entry["what"] == "iiv_cv" else params[name].value
        assert got == entry["value"] and "calibrated to:" in params[name].source


def test_apply_potencies_replaces_a_drug_potency_and_records_provenance():
    values = {"date": "2026-01-01", "parameters": {
        "anastrozole": {"what": "potency", "value": 12.5, "calibrated_to": ["anastrozole_men"]},
        "sperm_ref_m_ml": {"what": "value", "value": 70.0, "calibrated_to": ["ref_semen"]},
    }}
    prior = {s.name: s for s in drugs.SPECIES}
    species = {s.name: s for s in calibration.apply_potencies(drugs.SPECIES, values)}
    assert species["anastrozole"].effect.potency == 12.5
    assert species["anastrozole"].effect.source.startswith(
        f"potency calibrated to: anastrozole_men (2026-01-01); prior {prior['anastrozole'].effect.potency:g} ng/mL")
    assert species["letrozole"] == prior["letrozole"]
    # a potency entry is not a parameter-table entry, and the other way round
    assert calibration.apply(prior_tables(), values)
    with pytest.raises(ValueError, match="unknown drug species 'nope'"):
        calibration.apply_potencies(drugs.SPECIES, {"parameters": {
            "nope": {"what": "potency", "value": 1.0, "calibrated_to": []}}})


def test_a_fit_can_estimate_a_drug_potency():
    """The potency reaches the simulation: a weaker anastrozole lowers E2 less."""
    param = calibration_fit.FitParameter("anastrozole", "potency", 1.0, 200.0)
    prior = calibration_fit._prior(param)
    assert prior == {s.name: s for s in drugs.SPECIES}["anastrozole"].effect.potency
    cases = calibration_fit.select(["anastrozole_men"])
    strong, weak = (calibration_fit._evaluate([param], np.array([v]), cases).set_index("metric").simulated
                    for v in (prior / 4.0, prior * 4.0))
    assert strong["anastrozole_men.e2_change"] < weak["anastrozole_men.e2_change"] - 0.1
    for name, match in (("nope", "unknown drug species"), ("gonadorelin", "taken from the physiology")):
        with pytest.raises(ValueError, match=match):
            calibration_fit._prior(calibration_fit.FitParameter(name, "potency", 1.0, 2.0))


def test_a_fit_can_hold_a_limit():
    """A limit named under ``limits`` is a hinge: nothing while it holds, the overshoot in
    units of its scale beyond it (a two-sided metric is held inside its tolerance interval);
    without ``limits`` one-sided metrics are not fitted."""
    inf = math.inf
    assert calibration_fit.limit_miss(0.5, -inf, 0.7, 0.1) == 0.0
    assert calibration_fit.limit_miss(0.9, -inf, 0.7, 0.1) == pytest.approx(2.0)
    assert calibration_fit.limit_miss(-0.2, 0.0, inf, 0.1) == pytest.approx(-2.0)
    param = calibration_fit.FitParameter("anastrozole", "potency", 1.0, 200.0)
    cases = calibration_fit.select(["leuprolide_flare"])
    x = np.array([20.0])
    plain = calibration_fit._evaluate([param], x, cases).set_index("metric")
    assert "leuprolide_flare.day14" not in plain.index
    held = calibration_fit._evaluate([param], x, cases, limits={"leuprolide_flare.day14": 0.05}).set_index("metric")
    row = held.loc["leuprolide_flare.day14"]
    assert (row.low, row.high) == (-inf, 1.0) and 0.0 < row.simulated <= 1.0 and row.residual == 0.0
    raised = calibration_fit._evaluate([param], x, cases, limits={"leuprolide_flare.flare": 0.05}).set_index("metric")
    flare = raised.loc["leuprolide_flare.flare"]
    assert flare.simulated > 1.0 and flare.residual == 0.0 and flare.low == 1.0
    band = calibration_fit._evaluate([param], x, cases, limits={"leuprolide_flare.castrate_day": 1.0}).set_index("metric")
    day = band.loc["leuprolide_flare.castrate_day"]
    assert (day.low, day.high) == (14.0, 28.0) and 14.0 <= day.simulated <= 28.0 and day.residual == 0.0
    assert row.target == 1.0 and flare.target == 1.0  # a limit reports the bound it is held at
    assert day.target == (14.0 if day.simulated - 14.0 < 28.0 - day.simulated else 28.0)
    assert calibration_fit.limit_miss(30.0, 14.0, 28.0, 1.0) == pytest.approx(2.0)
    assert calibration_fit.limit_miss(11.0, 14.0, 28.0, 1.0) == pytest.approx(-3.0)
    unjudged = SimpleNamespace(published=None, metric=SimpleNamespace(name="sd_days", tolerance=None))
    with pytest.raises(ValueError, match="no bound to hold"):
        calibration_fit._limit_bound(unjudged)
    with pytest.raises(ValueError, match="not a metric of the fit's cases"):
        calibration_fit._evaluate([param], x, cases, limits={"leuprolide_flare.nope": 1.0})
    spec = {"name": "probe", "cases": ["leuprolide_flare"], "parameters": []}
    for limits, match in (([{"metric": "ref_total_t.typical", "scale": 1.0}], "must be 'case.metric'"),
                          ([{"metric": "leuprolide_flare.day14", "scale": 0}], "positive scale")):
        with pytest.raises(ValueError, match=match):
            calibration_fit._limits({**spec, "limits": limits})


def test_a_short_fit_reports_residuals_and_identifiability():
    spec = {"name": "probe", "cases": ["ref_total_t"],
            "parameters": [{"name": "leydig_capacity", "what": "iiv_cv", "low": 0.05, "high": 1.0}]}
    result = calibration_fit.run_fit(spec, max_evaluations=3, echo=lambda line: None)
    assert list(result.residuals.metric) == ["ref_total_t.typical", "ref_total_t.p2_5", "ref_total_t.p97_5"]
    row = result.identifiability.iloc[0]
    assert row.parameter == "leydig_capacity" and 0.05 <= row.estimate <= 1.0
    assert result.cost <= result.cost_prior + 1e-12


@pytest.mark.slow
@pytest.mark.parametrize("fit_name", [spec["name"] for spec in calibration_fit.load_spec()])
def test_calibration_command_reproduces_the_shipped_values(fit_name):
    """`hpgsim calibrate --fit NAME` (earlier fits at their shipped values, later ones at
    their priors) gives back the shipped estimates."""
    shipped = yaml.safe_load(calibration.FITTED_FILE.read_text())["parameters"] or {}
    (result,) = calibration_fit.run_pipeline(calibration_fit.load_spec(), only=[fit_name], echo=lambda line: None)
    for p, value in zip(result.parameters, result.estimate):
        assert value == pytest.approx(shipped[calibration.entry_key(p.name, p.what)]["value"], rel=2e-3), p.name


def test_a_fit_may_start_away_from_its_prior():
    """`start` in the spec moves where the search begins, not the prior it reports."""
    spec = {"name": "probe", "cases": ["ref_total_t"],
            "parameters": [{"name": "leydig_capacity", "what": "iiv_cv", "low": 0.05, "high": 1.0, "start": 0.6}]}
    lines = []
    result = calibration_fit.run_fit(spec, max_evaluations=1, echo=lines.append)
    assert lines[0].endswith("leydig_capacity.iiv_cv=0.6")
    assert result.identifiability.iloc[0].prior == pytest.approx(0.8)
    spec["parameters"][0]["start"] = 2.0
    with pytest.raises(ValueError, match=r"start of leydig_capacity.iiv_cv \(2\) is outside its bounds"):
        calibration_fit.run_fit(spec, max_evaluations=1, echo=lines.append)


def test_fit_bounds_must_stay_in_the_plausible_range():
    spec = {"name": "probe", "cases": ["ref_total_t"],
            "parameters": [{"name": "reserve_floor", "what": "value", "low": 0.002, "high": 0.9}]}
    with pytest.raises(ValueError, match="reserve_floor.*plausible range"):
        calibration_fit.run_fit(spec, max_evaluations=1, echo=lambda line: None)


def test_scaled_miss_matches_the_validation_range_on_both_sides():
    # ref_semen's 5th centile: published 15, range 10-25 (not centred on 15)
    assert calibration_fit.scaled_miss(10.0, 15.0, 10.0, 25.0) == pytest.approx(-1.0)
    assert calibration_fit.scaled_miss(9.5, 15.0, 10.0, 25.0) < -1.0
    assert calibration_fit.scaled_miss(25.0, 15.0, 10.0, 25.0) == pytest.approx(1.0)
    assert calibration_fit.scaled_miss(20.0, 15.0, 10.0, 25.0) == pytest.approx(0.5)


def test_later_fits_see_earlier_estimates_as_written(monkeypatch):
    """What `--fit NAME` over the shipped file gives NAME must be exactly what the whole
    pipeline gave it: the rounded values fitted.yaml holds, not the optimizer's floats."""
    seen = {}

    def fake_fit(spec, *, base, max_evaluations=None, echo=print):
        seen[spec["name"]] = dict(base)
        params = calibration_fit._parameters(spec)
        estimate = [p.high / 7.0 for p in params]  # more digits than fitted.yaml keeps
        return calibration_fit.FitResult(spec["name"], spec["cases"], params, None, estimate,
                                         None, None, 0, 0.0, 0.0)

    monkeypatch.setattr(calibration_fit, "run_fit", fake_fit)
    specs = calibration_fit.load_spec()[:2]
    calibration_fit.run_pipeline(specs, echo=lambda line: None)
    first = calibration_fit._parameters(specs[0])[0]
    passed_on = seen[specs[1]["name"]][(first.name, first.what)]
    assert passed_on == calibration_fit.as_written(first.high / 7.0) != first.high / 7.0
    assert calibration_fit.as_written(0.0288099123) == 0.0288099


def test_per_study_weighting_gives_each_case_the_weight_of_one_metric():
    frame = pd.DataFrame({"case": ["liu"] * 4 + ["who"], "metric": list("abcde"),
                          "residual": [1.0, 1.0, 1.0, 1.0, 1.0]})
    w = calibration_fit.residual_weights(frame, "per_study")
    assert w == pytest.approx([0.5, 0.5, 0.5, 0.5, 1.0])
    # four unit misses of one study now cost what the single miss of the other does
    assert np.sum((w[:4] * frame.residual[:4]) ** 2) == pytest.approx((w[4] * frame.residual[4]) ** 2)
    assert calibration_fit.residual_weights(frame) == pytest.approx(np.ones(5))
    with pytest.raises(ValueError, match="weighting must be one of"):
        calibration_fit.residual_weights(frame, "per_patient")


def test_the_l4_objective_squares_each_miss_and_keeps_its_sign():
    frame = pd.DataFrame({"case": ["a", "a", "b"], "metric": list("xyz"), "residual": [-2.0, 0.5, 1.0]})
    assert calibration_fit.fitted_residuals(frame, objective="l4") == pytest.approx([-4.0, 0.25, 1.0])
    assert calibration_fit.fitted_residuals(frame) == pytest.approx([-2.0, 0.5, 1.0])
    # the fourth-power cost weighs the worst miss far more than least squares does
    assert calibration_fit._cost(frame, "per_metric", "l4") == pytest.approx(0.5 * (16 + 0.0625 + 1))
    with pytest.raises(ValueError, match="objective must be one of"):
        calibration_fit.fitted_residuals(frame, objective="minimax")


def test_huge_standard_errors_are_not_printed_digit_by_digit():
    assert calibration_fit._percent(0.173) == "17%"
    assert calibration_fit._percent(1.07e112) == "> 1000%"


def test_write_keeps_a_value_and_a_variability_of_one_parameter_apart(tmp_path):
    path = tmp_path / "fitted.yaml"
    path.write_text("parameters: {}\n")
    params = [calibration_fit.FitParameter("spermatogenesis_duration_d", "value", 50.0, 70.0),
              calibration_fit.FitParameter("spermatogenesis_duration_d", "iiv_cv", 0.05, 0.5)]
    ident = pd.DataFrame({"parameter": [p.name for p in params], "what": [p.what for p in params],
                          "relative_se": [0.3, 2.0], "pinned": [True, False]})
    result = calibration_fit.FitResult("probe", ["te200_sperm_kinetics"], params, None,
                                       np.array([66.123456789, 0.21]), None, ident, 0, 0.0, 0.0)
    calibration_fit.write_fitted([result], path=path)
    entries = yaml.safe_load(path.read_text())["parameters"]
    assert entries["spermatogenesis_duration_d"]["value"] == 66.1235
    assert entries["spermatogenesis_duration_d.iiv_cv"] == {
        "what": "iiv_cv", "value": 0.21, "calibrated_to": ["te200_sperm_kinetics"], "fit": "probe",
        "relative_se": 2.0, "pinned_down": False}
    assert calibration.apply(prior_tables(), yaml.safe_load(path.read_text()))  # readable back
