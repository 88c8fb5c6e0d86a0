"""Validation cases: the published record recomputed from the model through the case data.

The typical-patient cases (the fast subset) run here; every case, population ones
included, runs in the slow tier and through ``hpgsim validate``.
"""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hpgsim.cli import app
from hpgsim.validation import CaseError, load_cases, run_cases, select
from hpgsim.validation.cases import Metric, Tolerance, parse_cases
from hpgsim.validation.metrics import ArmRun, among, per_man, statistic
from hpgsim.observables import COLUMNS

KNOWN_GAPS: dict[str, str] = {
    # clinic targets (group clinic), measured 2026-12-08 (former_users_recovery and
    # former_users_low_t pass since the suppression memory's restart follows each man's
    # regrowth rate and slows above age 50)
    "clinic_trt_azoospermia": "Sperm is back in the ejaculate within 6 months in 95 % of the men azoospermic "
                              "on cypionate 150 mg weekly, against 65 % published (limit 0.8).",
    "post_trt_crash": "After 1 year of cypionate 100 or 200 mg weekly the typical man's T never falls "
                      "below 300 ng/dL (lowest 438 and 394); only after 5 years at 200 mg is it below for 91 days.",
    "te200_undetectable": "On TE 200 mg weekly FSH falls to 0.4 % of baseline (published 1-5 %, limit 0.5 %) "
                          "and 89 % of men fall below 1 M/mL by 26 weeks (published 97 %, limit 90 %).",
    "feedback_split": "TE 125 mg lowers LH in the castrate stand-in (primary hypogonadism) to 0.24 of its "
                      "level, against about 0.5 published (limit 0.35).",
    "gel_dose_proportional": "Under leuprolide, 1 % gel 1.25 and 2.5 g daily give mean T 86 and 145 ng/dL "
                             "against 191 and 337 (placebo 28 against 44); the increment ratio is right (2.0).",
    "shbg_response": "hCG 2000 IU three times weekly lowers SHBG by 34 % in the model, where it rose 30 % in "
                     "normal men (testicular aromatization induced by hCG is not represented).",
    "enclomiphene_doses": "T on day 14 does not flatten above 25 mg: it rises 128 ng/dL from 25 to 50 mg "
                          "against 114 from 12.5 to 25 (published 69 and 108).",
    "anastrozole_dose_plateau": "Anastrozole 0.5 mg lowers E2 by 19 % and 1 mg by 31 % (published about 50 % "
                                "with either): the falls differ by 12 points, limit 10.",
    "degarelix_speed": "The typical man's T is 71 ng/dL on day 3 of degarelix 240 mg (limit 50); it is "
                       "castrate on day 6.",
    "hcg_alone_ihh": "On hCG alone for 24 months 18.5 % of men with congenital HH show sperm (published 64 %, "
                     "limit 45 %) and mean testis volume grows 1.09-fold (published 1.96, limit 1.5).",
    "chh_induction_outcomes": "On hCG with FSH 150 IU three times weekly 93 % reach sperm and 80 % reach "
                              "20 M/mL by 18 months (published 78 % and 15 %), mean 53.7 M/mL (limit 18).",
    "hh_continuous_fsh": "On FSH 75 IU three times weekly with hCG, 26 % of Chinese men with congenital HH "
                         "reach 1 M/mL within 18 months (published 51.5 %, limit 35 %).",
}
"""Cases the model is known to miss (case id → why), run as strict expected failures."""


@pytest.fixture(scope="module")
def fast_results():
    return {r.case.id: r for r in run_cases(select(fast=True))}


def test_every_target_of_the_table_is_a_case():
    import re
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "calibration_targets.yaml").read_text()
    target_ids = set(re.findall(r"^  - id: (\w+)", text, flags=re.M))  # the copied table is not strict YAML
    assert len(target_ids) == 24 and target_ids <= {c.id for c in load_cases()}


def test_every_clinic_target_outside_couples_is_a_clinic_case():
    from pathlib import Path

    import yaml

    table = yaml.safe_load((Path(__file__).parents[1] / "docs" / "clinic_targets.yaml").read_text())
    target_ids = {t["id"] for section, targets in table.items() if section != "couples" for t in targets}
    clinic = {c.id for c in load_cases() if c.group == "clinic"}
    assert len(target_ids) == 21 and target_ids <= clinic
    assert not {t["id"] for t in table["couples"]} & clinic  # the couples' targets are not cases yet


@pytest.mark.parametrize("case_id", [c.id for c in select(fast=True)])
def test_typical_patient_case(case_id, fast_results, request):
    if case_id in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[case_id]))
    r = fast_results[case_id]
    failing = {m.metric.name: m.simulated for m in r.judged if not m.passed}
    assert r.passed, failing


def test_population_suppression_kinetics_case():
    (r,) = run_cases(select(["te200_sperm_kinetics"]))
    assert r.passed, {m.metric.name: m.simulated for m in r.metrics}
    first = r.metrics[0]
    assert first.n_men == 500 and first.interval[0] <= first.simulated <= first.interval[1]


def test_fsh_addon_case_in_congenital_hh():
    """Bouloux 2003: about half of the men still azoospermic on hCG reach 1 M/mL within 48 weeks
    of FSH (the case's tolerances judge the numbers); recomputed on 300 men."""
    (r,) = run_cases(select(["fsh_addon_chh"]))
    values = {m.metric.name: m.simulated for m in r.metrics}
    assert r.passed, values
    assert 0.0 < values["fraction"] < 1.0  # the spread splits responders from the others


def test_metrics_report_numbers_from_the_model(fast_results):
    r = fast_results["te200_gonadotropins_itt"]
    values = {m.metric.name: m.simulated for m in r.metrics}
    assert 0.0 < values["lh_fraction"] <= 0.15 and -0.98 <= values["itt_change"] <= -0.85
    assert np.isnan(r.metrics[0].interval[0])  # a typical man has no sampling interval


# ------------------------------------------------------------------------------ machinery
def _arm(times, sperm_rows):
    values = np.zeros((len(sperm_rows), len(times), len(COLUMNS)))
    values[:, :, COLUMNS.index("sperm_concentration_m_ml")] = sperm_rows
    return ArmRun(np.asarray(times, float), values, None, None)


def _metric(**kw):
    return Metric(name="m", arm="a", output="sperm_concentration_m_ml", **kw)


def test_time_below_interpolates_and_censors():
    arm = _arm([0, 10, 20, 30], [[60, 40, 20, 0], [60, 60, 60, 60]])
    t = per_man(_metric(kind="time_below", threshold=30), arm)
    assert t[0] == pytest.approx(15.0) and np.isinf(t[1])
    weeks = per_man(_metric(kind="time_below", threshold=30, time_unit="wk"), arm)
    assert weeks[0] == pytest.approx(15.0 / 7)


def test_time_back_follows_the_trial_rule():
    arm = _arm([-10, 0, 10, 20], [[60, 0, 10, 30], [60, 0, 0, 0], [60, 50, 50, 50]])
    t = per_man(_metric(kind="time_back", threshold=20), arm)
    assert t[0] == pytest.approx(15.0) and np.isinf(t[1]) and t[2] == 0.0


def test_among_keeps_men_meeting_every_condition():
    # a trial's entry criterion (normal baseline) and an analysis subgroup (azoospermic at stop)
    arm = _arm([-10, 0, 10], [[60, 0, 30], [12, 0, 10], [60, 5, 40]])
    entry = {"output": "sperm_concentration_m_ml", "at": "-10 d", "at_least": 20}
    azoospermic = {"output": "sperm_concentration_m_ml", "at": "0 d", "below": 0.01}
    assert among(_metric(kind="time_back", threshold=20, among=entry), arm).tolist() == [True, False, True]
    both = _metric(kind="time_back", threshold=20, among=[entry, azoospermic])
    assert among(both, arm).tolist() == [True, False, False]


def test_among_can_ask_for_the_lowest_value_in_a_window():
    # men who fell below 3 M/mL at some point on treatment, whatever their level at the stop
    arm = _arm([-20, -10, 0, 10], [[60, 2, 5, 30], [60, 4, 4, 30], [60, 50, 0, 30]])
    responders = {"output": "sperm_concentration_m_ml", "lowest_between": ["-15 d", "-5 d"], "below": 3}
    assert among(_metric(kind="time_back", threshold=20, among=responders), arm).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="either 'at' or 'lowest_between'"):
        _metric(kind="time_back", threshold=20, among={**responders, "at": "0 d"})
    outside = {**responders, "lowest_between": ["20 d", "30 d"]}
    with pytest.raises(ValueError, match="no output time between 20 d and 30 d"):
        among(_metric(kind="time_back", threshold=20, among=outside), arm)


def test_statistics():
    x = np.array([1.0, 2.0, np.inf, 4.0])
    assert statistic(_metric(kind="time_back", threshold=1, stat="median"), x) == pytest.approx(3.0)
    assert statistic(_metric(kind="time_back", threshold=1, stat="median_event"), x) == pytest.approx(2.0)
    assert statistic(_metric(kind="time_back", threshold=1, stat="probability_by", by="2 d"), x) == 0.5
    assert statistic(_metric(kind="time_back", threshold=1, stat="mean"), x) == pytest.approx(7 / 3)


def test_difference_of_compares_two_earlier_metrics():
    from hpgsim.validation.metrics import derived

    diff = Metric(name="d", kind="difference_of", of=["controls", "former"])
    assert derived(diff, {"controls": 490.0, "former": 330.0}) == pytest.approx(160.0)
    assert np.isnan(derived(diff, {"controls": 490.0, "former": float("inf")}))  # censored: decides nothing
    with pytest.raises(ValueError, match="at least two metrics"):
        Metric(name="d", kind="difference_of", of=["controls"])


def test_tolerances():
    assert Tolerance(relative=0.25).check(1.2, 1.0) and not Tolerance(relative=0.25).check(1.3, 1.0)
    assert Tolerance(absolute=0.1).check(0.75, 0.67) and not Tolerance(absolute=0.1).check(0.5, 0.67)
    assert Tolerance(range=(3, 8)).check(5.0, None) and not Tolerance(max=0).check(0.1, None)
    assert not Tolerance(relative=0.3).check(float("nan"), 1.0)
    assert Tolerance(holds=True).check(1.0, None) and not Tolerance(holds=True).check(0.0, None)


@pytest.mark.parametrize("change, message", [
    ({"kind": "nonsense"}, "unknown metric kind"),
    ({"arm": "missing"}, "unknown arm"),
    ({"stat": "centile"}, "needs 'q'"),
])
def test_malformed_case_names_case_and_problem(change, message):
    case = {"id": "x", "group": "g", "title": "t", "source": "s", "design": "d", "measure": "m",
            "published": "p", "tolerance": "t",
            "arms": {"a": {"regimens": [], "simulate": {"until": "1 d"}}},
            "metrics": [dict({"name": "m", "kind": "value", "arm": "a", "output": "lh_iu_l", "at": "0 d"}, **change)]}
    with pytest.raises(CaseError, match=message) as err:
        parse_cases({"cases": [case]})
    assert "case x" in str(err.value)


def test_bad_scenario_in_a_case_is_refused():
    case = {"id": "y", "group": "g", "title": "t", "source": "s", "design": "d", "measure": "m",
            "published": "p", "tolerance": "t",
            "arms": {"a": {"regimens": [{"drug": "unobtainium", "dose": "1 mg"}], "simulate": {"until": "1 d"}}},
            "metrics": [{"name": "m", "kind": "value", "arm": "a", "output": "lh_iu_l", "at": "0 d"}]}
    with pytest.raises(CaseError, match="case y.*unobtainium"):
        parse_cases({"cases": [case]})


def test_recovery_curve_marks_published_medians_at_one_half():
    from hpgsim.validation.report import case_section
    from hpgsim.validation.run import CaseResult, MetricResult

    case = {"id": "z", "group": "g", "title": "t", "source": "s", "design": "d", "measure": "m",
            "published": "p", "tolerance": "t",
            "arms": {"a": {"regimens": [], "simulate": {"until": "1 d"}}},
            "figures": [{"type": "recovery_curve", "arm": "a", "output": "sperm_concentration_m_ml", "threshold": 5,
                         "time_unit": "d", "time_axis": "time from the start of treatment"}],
            "metrics": [{"name": "m", "kind": "time_back", "arm": "a", "output": "sperm_concentration_m_ml",
                         "threshold": 5, "time_unit": "d", "published": 12, "tolerance": {"relative": 0.4}}]}
    (parsed,) = parse_cases({"cases": [case]})
    arm = _arm([0, 10, 20, 30], [[0, 0, 10, 10], [0, 10, 10, 10], [0, 0, 0, 10]])
    x = per_man(parsed.metrics[0], arm)
    result = CaseResult(parsed, [MetricResult(parsed.metrics[0], 15.0, (10.0, 20.0), 3, True, x)], {"a": arm}, 0.1)
    html = case_section(result)
    assert "published median" in html and "time from the start of treatment (d)" in html
    from hpgsim.validation.report import _tolerance_bar

    bar = _tolerance_bar(result.metrics)  # the accepted interval 7.2-16.8 around 12
    assert bar["array"] == pytest.approx([4.8]) and bar["arrayminus"] == pytest.approx([4.8])


# ------------------------------------------------------------------------------ command line
def test_validate_command_writes_report_and_exits_by_result(tmp_path, monkeypatch):
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", "--only", "ref_lh_fsh", "--only", "te_hcg_itt", "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0, ok.output
    table = pd.read_csv(tmp_path / "a" / "metrics.csv")
    assert set(table.case) == {"ref_lh_fsh", "te_hcg_itt"} and table.passed.all()
    html = (tmp_path / "a" / "report.html").read_text()
    assert "2 of 2 cases pass" in html and "not medical advice" in html and "Limitations" in html
    assert "Where sources conflict" in html and "T&#x27;Sjoen 2005" in html
    summary = (tmp_path / "a" / "summary.md").read_text()
    lh_row = next(line for line in summary.splitlines() if line.startswith("| `ref_lh_fsh`"))
    lh = table[(table.case == "ref_lh_fsh") & (table.metric == "lh")].iloc[0]
    assert f"LH: 5.2 → {lh.simulated:.3g}" in lh_row and lh_row.endswith("| yes |")
    assert summary.startswith("2 of 2 cases pass")

    # a case the model misses: ref_lh_fsh with its LH range moved far from the model's 5 IU/L
    import hpgsim.validation.command as command

    def with_wrong_lh(only, fast=None):
        (case,) = select(["ref_lh_fsh"])
        m = case.metrics[0]
        lh = m.model_copy(update={"published": 25.0, "tolerance": m.tolerance.model_copy(update={"range": [20.0, 30.0]})})
        return (case.model_copy(update={"metrics": [lh, *case.metrics[1:]]}),)

    monkeypatch.setattr(command, "select", with_wrong_lh)
    bad = runner.invoke(app, ["validate", "--only", "ref_lh_fsh", "--out", str(tmp_path / "b")])
    assert bad.exit_code == 1 and (tmp_path / "b" / "report.html").exists()
    assert "FAIL" in (tmp_path / "b" / "report.html").read_text()


def test_summary_counts_clinic_cases_apart_from_volunteer_studies():
    from hpgsim.validation.report import pass_summary
    from hpgsim.validation.run import CaseResult

    def result(group, passed):
        case = {"id": f"{group}_{passed}", "group": group, "title": "t", "source": "s", "design": "d",
                "measure": "m", "published": "p", "tolerance": "t",
                "arms": {"a": {"regimens": [], "simulate": {"until": "1 d"}}},
                "metrics": [{"name": "m", "kind": "value", "arm": "a", "output": "lh_iu_l", "at": "0 d"}]}
        (parsed,) = parse_cases({"cases": [case]})
        return CaseResult(parsed, [], {}, 0.0, error=None if passed else "missed")

    volunteer = [result("drugs", True), result("recovery", True)]
    clinic = [result("clinic", True), result("clinic", False), result("clinic", False)]
    assert pass_summary(volunteer + clinic) == "2 of 2 volunteer cases and 1 of 3 clinic cases pass"
    assert pass_summary(volunteer) == "2 of 2 cases pass"
    assert pass_summary(clinic) == "1 of 3 clinic cases pass"


def test_validate_unknown_case_exits_2_and_writes_nothing(tmp_path):
    result = CliRunner().invoke(app, ["validate", "--only", "nope", "--out", str(tmp_path / "c")])
    assert result.exit_code == 2 and "unknown case id 'nope'" in result.output
    assert not (tmp_path / "c").exists()


@pytest.mark.slow
def test_full_validation_runs_every_case(tmp_path):
    result = CliRunner().invoke(app, ["validate", "--out", str(tmp_path)])
    table = pd.read_csv(tmp_path / "metrics.csv")
    assert set(table.case) == {c.id for c in load_cases()}
    assert (tmp_path / "sensitivity.csv").exists()
    failing = set(table[table.passed == False].case)  # noqa: E712 - pandas column
    assert failing <= set(KNOWN_GAPS), failing
    assert result.exit_code == (1 if failing else 0)


@pytest.mark.parametrize("which, at_least", [("limitations", 8), ("conflicts", 4)])
def test_readme_quotes_every_item_the_report_lists(which, at_least):
    from pathlib import Path

    from hpgsim.validation import command

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    items = getattr(command, which)()
    assert len(items) >= at_least and all(item in readme for item in items)
