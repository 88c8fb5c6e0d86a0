"""Virtual populations: reproducible men, log-normal variability, covariates, batched engine."""

import numpy as np
import pytest

import hpgsim
from hpgsim import engine, model, patients, population
from hpgsim.patients import Cohort, Covariate
from hpgsim.simulate import Timeline

COHORT = Cohort(age_years=Covariate(20.0, 50.0, 35.0, 8.0), bmi=Covariate(20.0, 35.0), asian_fraction=0.3)


def test_same_seed_same_men_and_man_i_does_not_depend_on_n():
    a = population.sample(COHORT, 10, seed=4)
    b = population.sample(COHORT, 10, seed=4)
    c = population.sample(COHORT, 4, seed=4, first=6)
    assert a.specs == b.specs and np.array_equal(a.eta, b.eta)
    assert a.specs[6:] == c.specs and np.array_equal(a.eta[6:], c.eta)
    other = population.sample(COHORT, 10, seed=5)
    assert not np.allclose(a.eta, other.eta)


def test_random_effects_follow_the_tables():
    pop = population.sample(Cohort(), 4000, seed=1)
    eff = pop.effects
    params, _, _ = model.build()
    for j, name in enumerate(eff.names):
        cv = params.parameters[name].iiv_cv
        assert eff.omega[j, j] == pytest.approx(np.log1p(cv**2))
        # log-scale SD and median: robust even for heavy-tailed (large-CV) effects
        assert np.std(pop.eta[:, j]) == pytest.approx(np.sqrt(np.log1p(cv**2)), rel=0.05)
        assert np.median(pop.eta[:, j]) == pytest.approx(0.0, abs=0.06 * max(1.0, np.sqrt(np.log1p(cv**2))))
    for (a, b), rho in patients.IIV_CORRELATIONS.items():
        i, k = eff.names.index(a), eff.names.index(b)
        assert np.corrcoef(pop.eta[:, i], pop.eta[:, k])[0, 1] == pytest.approx(rho, abs=0.05)


def test_covariates_are_drawn_within_their_bounds():
    pop = population.sample(COHORT, 2000, seed=2)
    age = np.array([s.age_years for s in pop.specs])
    bmi = np.array([s.bmi for s in pop.specs])
    asian = np.mean([s.ethnicity == "asian" for s in pop.specs])
    assert age.min() >= 20 and age.max() <= 50 and abs(age.mean() - 35) < 0.6
    assert bmi.min() >= 20 and bmi.max() <= 35 and abs(bmi.mean() - 27.5) < 0.3
    assert asian == pytest.approx(0.3, abs=0.03)


def test_initial_sertoli_maturity_varies_in_congenital_hh_only():
    from dataclasses import replace

    from hpgsim.simulate import patient_theta

    params, _, _ = model.build()
    col = params.position("sertoli_maturity_start")
    chh = population.sample(Cohort(phenotype="congenital_hh"), 2000, seed=3)
    z = np.array([s.sertoli_maturity_z for s in chh.specs])
    assert abs(z.mean()) < 0.08 and np.std(z) == pytest.approx(1.0, abs=0.05)
    m0 = np.array([patient_theta(s)[col] for s in chh.specs])
    assert np.median(m0) == pytest.approx(params.parameters["congenital_hh_sertoli_maturity"].value, rel=0.1)
    assert 0.0 < m0.min() and m0.max() < 1.0 and np.corrcoef(z, np.log(m0 / (1 - m0)))[0, 1] > 0.999
    # an adult man's parameters ignore the deviate (drawn last, so his other draws are as before)
    adult = population.sample(COHORT, 5, seed=3)
    for s in adult.specs:
        assert np.array_equal(patient_theta(s), patient_theta(replace(s, sertoli_maturity_z=0.0)))


def test_larger_initial_maturity_induces_sperm_sooner_in_congenital_hh():
    """The spread of initial Sertoli maturity is what separates early from late responders."""
    from scipy.stats import spearmanr

    sc = hpgsim.load_scenario({"patient": {"phenotype": "congenital_hh", "age_years": 25},
                               "regimens": [{"drug": "gonadorelin", "route": "pump", "dose": "10 ug", "every": "90 min"}],
                               "simulate": {"until": "24 mo", "output_every": "7 d", "population": 40, "seed": 5}})
    res = hpgsim.simulate(sc)
    df = res.to_pandas()
    cov = res.population.covariates()
    first = df[df.sperm_concentration_m_ml >= 0.01].groupby("patient").time_d.min().reindex(cov.patient, fill_value=1e9)
    volume0 = df[df.time_d == 0].set_index("patient").testis_volume_ml
    assert spearmanr(cov.sertoli_maturity_z, first).statistic < -0.6  # other random effects (germ-cell loss, sperm output) add scatter
    assert spearmanr(cov.sertoli_maturity_z, volume0).statistic > 0.99
    assert volume0.min() < 2.3 < volume0.max() and volume0.max() < 12.0


def test_scenario_spreads_and_mixes_are_validated():
    sc = hpgsim.load_scenario({"patient": {"age_years": {"mean": 40, "sd": 5}, "ethnicity": {"asian": 0.25, "non_asian": 0.75}},
                               "simulate": {"until": "10 d"}})
    assert sc.cohort.asian_fraction == 0.25 and sc.patient.age_years == 40
    with pytest.raises(hpgsim.ScenarioError, match="patient.age_years"):
        hpgsim.load_scenario({"patient": {"age_years": {"mean": 40}}, "simulate": {"until": "10 d"}})
    with pytest.raises(hpgsim.ScenarioError, match="add up to 1"):
        hpgsim.load_scenario({"patient": {"ethnicity": {"asian": 0.5}}, "simulate": {"until": "10 d"}})


@pytest.fixture(scope="module")
def te_population():
    sc = hpgsim.load_scenario({
        "regimens": [{"drug": "testosterone_enanthate", "dose": "200 mg", "every": "7 d", "start": "0 d"}],
        "simulate": {"until": "60 d", "population": 6, "seed": 11},
    })
    return sc, hpgsim.simulate(sc)


def test_a_man_of_the_population_is_the_same_man_simulated_alone(te_population):
    sc, result = te_population
    params, library, layout = model.build()
    theta = population.thetas(result.population)[3]
    alone = hpgsim.simulate(sc.__class__(sc.name, sc.patient, sc.regimens,
                                         sc.settings.__class__(sc.settings.until_d, "averaged", 1.0, 1, None)),
                            overrides=dict(zip(params.names, theta)))
    assert np.array_equal(alone.values[0], result.values[3])


def test_threads_do_not_change_results(te_population):
    sc, result = te_population
    params, library, layout = model.build()
    tl = Timeline(sc, layout, library, model.AVERAGED)
    thetas = population.thetas(result.population)
    one, _ = engine.run_batch(tl, thetas, P=params.index, lib=model.library_arrays(library),
                              rtol=1e-6, atol=1e-9, threads=1, chunk_size=4)
    assert np.array_equal(one, result.values)


def test_doses_are_restarts_not_stepped_over(te_population):
    """Weekly injections at the default tolerance agree with a 1e-10 reference."""
    sc, result = te_population
    tight = hpgsim.simulate(sc, rtol=1e-10, atol=1e-13)
    rel = np.abs(result.values - tight.values) / (np.abs(tight.values) + 1e-6)
    assert rel.max() < 2e-3


def test_men_differ_in_baseline_and_in_suppression(te_population):
    _, result = te_population
    t = result.values[:, :, 2]  # total T
    lh = result.values[:, :, 0]
    assert np.std(t[:, 0]) / np.mean(t[:, 0]) > 0.05
    assert np.all(lh[:, -1] < 0.3 * lh[:, 0])  # every man suppressed on TE 200 mg weekly


def test_older_men_regrow_faster_by_the_age_effect_and_the_typical_age_is_unchanged():
    """Liu 2006's direction (older men recovered faster) enters as a covariate on the
    recovery-rate factor, centred on the reference age so the typical man is unchanged."""
    from hpgsim.patients import PatientSpec, individual_values

    values = {p.name: p.value for p in model.parameter_set().parameters.values()}
    factor = {age: individual_values(PatientSpec(age_years=age), values)["recovery_rate_factor"]
              for age in (25.0, 35.0, 45.0)}
    slope = values["age_recovery_slope_per_y"]
    assert factor[35.0] == pytest.approx(1.0)
    assert factor[45.0] / factor[35.0] == pytest.approx(np.exp(10 * slope)) and factor[45.0] > factor[25.0]
