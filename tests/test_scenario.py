"""The scenario contract: valid files parse into model units; bad ones name field and problem."""

import pytest

from hpgsim import ScenarioError, load_scenario
from hpgsim.units import parse_amount, parse_rate_per_day, parse_time_days


def scenario(**regimen):
    base = {"drug": "hcg", "dose": "1000 IU", "route": "sc", "every": "2 d", "start": "0 d"}
    base.update(regimen)
    base = {k: v for k, v in base.items() if v is not None}
    return {"regimens": [base], "simulate": {"until": "30 d"}}


def error(data) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(data)
    return str(info.value)


def test_units_convert_to_days_and_mg():
    assert parse_time_days("-3 y") == pytest.approx(-1095.75)
    assert parse_time_days("6 mo") == pytest.approx(182.625)
    assert parse_time_days("90 min") == pytest.approx(0.0625)
    assert parse_amount("10 ug") == (pytest.approx(0.01), "mass")
    assert parse_amount("10 µg") == (pytest.approx(0.01), "mass")
    assert parse_amount("3000 IU") == (3000.0, "activity")
    assert parse_rate_per_day("5 ug/h") == (pytest.approx(0.12), "mass")


def test_contract_example_parses():
    sc = load_scenario({
        "name": "Stop TRT after 3 years, hCG + clomiphene",
        "patient": {"phenotype": "eugonadal", "age_years": 35, "bmi": 27, "ethnicity": "non_asian"},
        "regimens": [
            {"drug": "testosterone_cypionate", "dose": "100 mg", "route": "im", "every": "7 d",
             "start": "-3 y", "stop": "0 d"},
            {"drug": "hcg", "dose": "3000 IU", "route": "sc", "every": "2 d", "start": "0 d", "duration": "6 mo"},
            {"drug": "clomiphene_citrate", "dose": "25 mg", "every": "1 d", "start": "0 d"},
        ],
        "simulate": {"until": "24 mo", "resolution": "averaged", "output_every": "1 d", "population": 1, "seed": 7},
    })
    cyp, hcg, clomid = sc.regimens
    assert cyp.start_d == pytest.approx(-1095.75) and cyp.stop_d == 0.0
    assert len(cyp.dose_times(sc.settings.until_d)) == 157  # weekly over 3 years, stop exclusive
    assert hcg.stop_d == pytest.approx(182.625)
    assert clomid.route == "oral" and clomid.stop_d is None
    assert sc.settings.until_d == pytest.approx(730.5)


def test_single_dose_without_every():
    sc = load_scenario(scenario(every=None, dose="6000 IU", route="im"))
    assert sc.regimens[0].dose_times(30.0) == [0.0]


@pytest.mark.parametrize(
    "data, field, words",
    [
        (scenario(drug="nandrolone"), "regimens[0].drug", "unknown drug"),
        (scenario(route="oral"), "regimens[0].route", "not a route of hcg"),
        (scenario(dose="1000"), "regimens[0].dose", "missing unit"),
        (scenario(dose=1000), "regimens[0].dose", "missing unit"),
        (scenario(dose="1000 parsecs"), "regimens[0].dose", "not a dose unit"),
        (scenario(dose="1000 mg"), "regimens[0].dose", "dosed in IU"),
        (scenario(dose="-5 IU"), "regimens[0].dose", "must be positive"),
        (scenario(dose="500000 IU"), "regimens[0].dose", "far outside clinical use"),
        (scenario(every="2 parsecs"), "regimens[0].every", "not a time unit"),
        (scenario(every="0 d"), "regimens[0].every", "must be positive"),
        (scenario(start="10 d", stop="5 d"), "regimens[0].stop", "not after start"),
        (scenario(stop="5 d", duration="3 d"), "regimens[0].duration", "either"),
        ({"patient": {"phenotype": "werewolf"}, "simulate": {"until": "1 d"}}, "patient.phenotype", "unknown phenotype"),
        ({"simulate": {"until": "1 d", "resolution": "hourly"}}, "simulate.resolution", "averaged"),
        ({"simulate": {"untill": "1 d"}}, "simulate", ""),
        ({"regimens": []}, "simulate", "required"),
        ({**scenario(start="40 d"), "simulate": {"until": "30 d"}}, "simulate.until", "not after the last regimen start"),
        ({"simulate": {"until": "-3 d"}}, "simulate.until", "after time 0"),
        ({"simulate": {"until": "3 d"}, "extra": 1}, "extra", "not a known field"),
        ({**scenario(), "simulate": {"until": "2 y", "resolution": "pulsatile"}}, "simulate.resolution", "limited"),
    ],
)
def test_bad_input_names_field_and_problem(data, field, words):
    message = error(data)
    assert message.startswith(field), message
    assert words in message


def test_unusual_dose_allowed_when_declared():
    sc = load_scenario(scenario(dose="500000 IU", allow_unusual_dose=True))
    assert sc.regimens[0].dose == 500000.0


def test_malformed_yaml_is_one_message(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("simulate:\n  until: [1 d\n")
    message = error(path)
    assert message.startswith("malformed YAML at line")


def test_missing_file():
    assert "does not exist" in error("no/such/file.yaml")


def test_infusion_needs_rate():
    data = {"regimens": [{"drug": "gonadorelin", "route": "infusion", "dose": "10 ug"}], "simulate": {"until": "2 d"}}
    assert error(data).startswith("regimens[0].rate")
    data["regimens"][0] = {"drug": "gonadorelin", "route": "infusion", "rate": "5 ug/h"}
    assert load_scenario(data).regimens[0].rate_per_day == pytest.approx(0.12)


def test_pump_needs_interval():
    data = {"regimens": [{"drug": "gonadorelin", "route": "pump", "dose": "10 ug"}], "simulate": {"until": "2 d"}}
    assert error(data).startswith("regimens[0].every")
