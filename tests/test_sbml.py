"""SBML export: the file simulated by libroadrunner reproduces hpgsim.

The equations are traced from hpgsim's own code, so a mismatch means a tracing or dosing
error, not a modelling choice: outputs must agree within 1e-3 relative at every output
time (both integrators at tight tolerances agree to ~1e-7). Rows at dose times are left
out: hpgsim writes the pre-dose level there, while a simulator may report either side of
an event at its own output time.
"""

import numpy as np
import pytest

import hpgsim
from hpgsim import model, observables, symbolic
from hpgsim.observables import COLUMNS
from hpgsim.sbml import export_sbml, state_ids
from hpgsim.simulate import patient_theta

roadrunner = pytest.importorskip("roadrunner")

OUTPUTS = ("lh_iu_l", "fsh_iu_l", "testosterone_total_ng_dl", "itt_nmol_l", "sperm_concentration_m_ml")
TE200 = {"drug": "testosterone_enanthate", "dose": "200 mg", "route": "im", "every": "7 d", "start": "0 d"}
SCENARIOS = {
    "baseline": {"name": "baseline", "simulate": {"until": "60 d"}},
    "te200_weekly_stopped": {"name": "TE", "regimens": [{**TE200, "stop": "120 d"}],
                             "simulate": {"until": "150 d"}},
    "stop_cypionate_hcg": {
        "name": "history",
        "regimens": [
            {"drug": "testosterone_cypionate", "dose": "100 mg", "every": "7 d", "start": "-120 d",
             "stop": "0 d"},
            {"drug": "hcg", "dose": "3000 IU", "route": "sc", "every": "2 d", "start": "0 d",
             "duration": "60 d"},
        ],
        "simulate": {"until": "90 d"},
    },
}


def load(sbml: str):
    rr = roadrunner.RoadRunner(sbml)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-12
    return rr


def roadrunner_outputs(rr, times_d: np.ndarray) -> np.ndarray:
    """Outputs at scenario days ``times_d`` (the model's clock starts at the scenario's t0)."""
    grid = times_d - rr.getValue("t0_d")
    start = [] if grid[0] == 0.0 else [0.0]
    result = np.asarray(rr.simulate(times=np.concatenate([start, grid]), selections=["time", *OUTPUTS]))
    return result[len(start):, 1:]


@pytest.fixture(scope="module", params=list(SCENARIOS))
def case(request):
    scenario = hpgsim.load_scenario(SCENARIOS[request.param])
    return scenario, export_sbml(scenario)


def test_roadrunner_reproduces_hpgsim(case):
    scenario, sbml = case
    frame = hpgsim.simulate(scenario, rtol=1e-9, atol=1e-12).to_pandas()
    times = frame.time_d.to_numpy()
    got = roadrunner_outputs(load(sbml), times)
    doses = [t for r in scenario.regimens for t in r.dose_times(scenario.settings.until_d)]
    keep = ~np.isin(np.round(times, 9), np.round(doses, 9))
    want = frame[list(OUTPUTS)].to_numpy()
    rel = np.abs(got - want)[keep] / np.maximum(np.abs(want[keep]), 1e-12)
    worst = dict(zip(OUTPUTS, rel.max(axis=0)))
    assert max(worst.values()) <= 1e-3, worst


def test_file_is_valid_sbml_l3v2(case):
    libsbml = pytest.importorskip("libsbml")
    _, sbml = case
    doc = libsbml.readSBMLFromString(sbml)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, False)  # advisory only, and slow here
    doc.checkConsistency()
    problems = [doc.getError(i).getMessage() for i in range(doc.getNumErrors())
                if doc.getError(i).isError() or doc.getError(i).isFatal()]
    assert not problems, problems[:3]
    assert (doc.getLevel(), doc.getVersion()) == (3, 2)
    m = doc.getModel()
    params = model.build()[0]
    assert all(m.getParameter(n) is not None and m.getParameter(n).getConstant() for n in params.names)
    assert [m.getSpecies(i).getId() for i in range(m.getNumSpecies())] == list(state_ids())
    assert all(m.getRule(c) is not None or m.getParameter(c) is not None for c in COLUMNS)
    assert "not medical advice" in m.getNotesString()


def test_one_event_per_regimen_never_on_equality(case):
    scenario, sbml = case
    assert sbml.count("<event ") == len(scenario.regimens)
    assert "<eq/>" not in sbml


def test_traced_rates_and_outputs_match_the_compiled_model_at_any_state():
    """Every drug present, states off their steady values: the file's derivatives and
    outputs are hpgsim's ``rhs`` and ``observe``, to rounding."""
    scenario = hpgsim.load_scenario(SCENARIOS["baseline"])
    rr = load(export_sbml(scenario))
    params, library, layout = model.build()
    P, S = params.index, layout.index
    theta = patient_theta(scenario.patient)
    rng = np.random.default_rng(7)
    ids = list(rr.model.getFloatingSpeciesIds())
    y = np.array([rr.getValue(i) for i in ids]) * rng.uniform(0.5, 1.5, layout.n)
    y[layout.depot0:] = rng.uniform(0.0, 50.0, layout.n - layout.depot0)
    for i, v in zip(ids, y):
        rr.setValue(i, v)
    dy = np.zeros(layout.n)
    ref, lib, u = model.reference(theta, P), model.library_arrays(library), np.zeros(layout.n_inputs)
    model.rhs(0.0, y, dy, theta, P, S, ref, lib, u, model.AVERAGED)
    np.testing.assert_allclose(rr.getRatesOfChange(), dy, rtol=1e-12, atol=1e-300)
    clock = np.array([observables.MORNING_H])  # time 0 of the file
    out = observables.observe(y[None, :], u[None, :], clock, theta, P, S, ref, lib, model.AVERAGED)[0]
    np.testing.assert_allclose([rr.getValue(c) for c in COLUMNS], out, rtol=1e-12)


def test_unsupported_resolutions_and_routes_are_refused():
    pulsatile = hpgsim.load_scenario({"name": "p", "simulate": {"until": "2 d", "resolution": "pulsatile"}})
    with pytest.raises(ValueError, match="export-sbml: the pulsatile resolution"):
        export_sbml(pulsatile)
    pump = hpgsim.load_scenario({"name": "pump", "patient": {"phenotype": "congenital_hh"},
                                 "regimens": [{"drug": "gonadorelin", "route": "pump", "dose": "10 ug",
                                               "every": "90 min"}],
                                 "simulate": {"until": "2 d"}})
    with pytest.raises(ValueError, match="export-sbml: pump regimens"):
        export_sbml(pump)


def test_tracer_refuses_a_branch_on_the_state():
    numba = pytest.importorskip("numba")

    @numba.njit
    def folded(x):
        if x > 0.0:
            return x
        return -x

    g = symbolic.Graph()
    with pytest.raises(symbolic.TraceError, match="branch on the state"):
        symbolic.Tracer("hpgsim").run(folded, g.symbol("y"))
    assert symbolic.Tracer("hpgsim").run(folded, g.symbol("k", 2.0)) is g.symbol("k", 2.0)


def test_export_sbml_command_writes_the_file_and_refuses_pulsatile(tmp_path):
    from typer.testing import CliRunner

    from hpgsim.cli import app

    scenario = tmp_path / "te.yaml"
    scenario.write_text("regimens:\n  - drug: testosterone_enanthate\n    dose: 200 mg\n    every: 7 d\n"
                        "simulate:\n  until: 30 d\n")
    out = tmp_path / "model.xml"
    result = CliRunner().invoke(app, ["export-sbml", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<?xml") and "<event" in out.read_text()
    scenario.write_text("simulate:\n  until: 2 d\n  resolution: pulsatile\n")
    bad = CliRunner().invoke(app, ["export-sbml", str(scenario), "--out", str(tmp_path / "x.xml")])
    assert bad.exit_code == 2 and "pulsatile" in bad.output
    assert not (tmp_path / "x.xml").exists()
