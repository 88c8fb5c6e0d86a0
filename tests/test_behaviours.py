"""Typical-patient behaviours of physiology.md §4 beyond the drug targets."""

import pytest

from conftest import TE200, at, first_time, run

NG = "testosterone_total_ng_dl"
SPERM = "sperm_concentration_m_ml"


def months_to(frame, threshold, column=SPERM):
    t = first_time(frame, column, threshold, below=False, after=1.0)
    return None if t is None else t / 30.4375


def test_recovery_after_a_year_of_te_in_order_of_thresholds():
    """The published medians (Liu 2006) are population figures, checked by the validation case
    liu2006_recovery; the typical man passes the thresholds in order, within months."""
    f = run([dict(TE200, start="-1 y", stop="0 d")], until="16 mo")
    times = [months_to(f, x) for x in (3, 10, 20)]
    assert None not in times and times[0] < times[1] < times[2] < 6.0, times


def test_back_above_20_three_to_four_months_after_two_years_of_cypionate():
    f = run([{"drug": "testosterone_cypionate", "dose": "100 mg", "every": "7 d", "start": "-2 y", "stop": "0 d"}],
            until="16 mo")
    assert at(f, 0, SPERM) < 5  # suppressed when TRT stops
    got = months_to(f, 20)
    assert got is not None and 2.5 <= got <= 4.5, got


def test_longer_treatment_recovers_slower():
    """Liu 2006's direction (no size given): 3 years of TE 200 mg weekly take the typical man
    longer back to 20 M/mL than 4 months (measured 2026-11-29: 4.04 against 3.94 months; the
    reserve is mostly spent within months, so the difference is days, not months)."""
    short = months_to(run([dict(TE200, start="-4 mo", stop="0 d")], until="16 mo"), 20)
    long = months_to(run([dict(TE200, start="-3 y", stop="0 d")], until="16 mo"), 20)
    assert long > short + 0.05


def test_serum_t_high_while_itt_collapses_on_trt(baseline):
    f = run([TE200], until="60 d")
    assert at(f, 56, NG) > baseline[NG]
    assert at(f, 56, "itt_nmol_l") < 0.1 * baseline.itt_nmol_l


def test_serm_does_little_while_te_continues(baseline):
    te = run([TE200], until="12 wk")
    both = run([TE200, {"drug": "clomiphene_citrate", "dose": "50 mg", "every": "1 d"}], until="12 wk")
    assert at(both, 84, "lh_iu_l") <= 0.3 * baseline.lh_iu_l
    assert at(both, 84, "itt_nmol_l") <= 0.25 * baseline.itt_nmol_l
    assert at(both, 84, SPERM) <= 2 * at(te, 84, SPERM) + 1.0


@pytest.mark.parametrize("regimen", [
    {"drug": "clomiphene_citrate", "dose": "50 mg", "every": "1 d"},
    {"drug": "hcg", "dose": "2000 IU", "every": "3.5 d"},
])
def test_serms_and_hcg_raise_t_little_in_primary_hypogonadism(regimen):
    primary = {"phenotype": "primary_hypogonadism", "age_years": 45}
    base = run(until="2 d", patient=primary).iloc[-1]
    treated = run([regimen], until="43 d", patient=primary)
    eugonadal = run([regimen], until="43 d")
    gain_primary = at(treated, 42, NG) - base[NG]
    gain_normal = at(eugonadal, 42, NG) - eugonadal[NG].iloc[0]
    assert base.lh_iu_l > 9 and base[NG] < 300  # testicular failure: high LH, low T
    assert gain_primary < 0.4 * gain_normal
    assert at(treated, 42, NG) < eugonadal[NG].iloc[0]  # not brought up to a normal man's T


def test_degarelix_no_flare_then_castrate(baseline):
    f = run([{"drug": "degarelix", "dose": "240 mg"}, {"drug": "degarelix", "dose": "80 mg", "every": "1 mo", "start": "1 mo"}],
            until="3 mo", output_every="6 h")
    after = f[f.time_d > 0]
    assert after[NG].max() <= baseline[NG] * 1.02
    castrate = first_time(f, NG, 50.0)
    assert castrate is not None and castrate <= 14
    assert after[after.time_d >= 14][NG].max() < 50


def test_congenital_hh_no_pulses_low_hormones():
    f = run(until="1 d", resolution="pulsatile", output_every="2 min",
            patient={"phenotype": "congenital_hh", "age_years": 25})
    assert f.lh_iu_l.max() < 1.0 and f.lh_iu_l.max() - f.lh_iu_l.min() < 0.01
    assert f.fsh_iu_l.max() < 2.0
    assert f[NG].max() < 100
    assert f[SPERM].max() < 0.01
    assert 1.5 < f.testis_volume_ml.min() and f.testis_volume_ml.max() < 3.5  # ~2.3 mL (Huang 2015)


def test_secondary_hypogonadism_returns_to_its_own_low_baseline():
    patient = {"phenotype": "secondary_hypogonadism", "age_years": 50}
    base = run(until="2 d", patient=patient).iloc[-1]
    assert base[NG] < 350 and base.lh_iu_l < 5
    f = run([{"drug": "testosterone_cypionate", "dose": "100 mg", "every": "7 d", "start": "-1 y", "stop": "0 d"}],
            until="18 mo", patient=patient)
    assert at(f, 540, NG) == pytest.approx(base[NG], rel=0.15)


def test_anastrozole_raises_t_and_lh_without_touching_androgen_signal(baseline):
    f = run([{"drug": "anastrozole", "dose": "1 mg", "every": "1 d"}], until="29 d")
    assert at(f, 28, NG) > 1.2 * baseline[NG]
    assert at(f, 28, "estradiol_pg_ml") < baseline.estradiol_pg_ml


def test_hcg_keeps_itt_but_not_fsh_on_trt(baseline):
    f = run([{"drug": "testosterone_cypionate", "dose": "100 mg", "every": "7 d"},
             {"drug": "hcg", "dose": "500 IU", "every": "2 d"}], until="12 wk")
    assert at(f, 84, "itt_nmol_l") > 0.5 * baseline.itt_nmol_l
    assert at(f, 84, "fsh_iu_l") < 0.3 * baseline.fsh_iu_l


def test_hcg_with_trt_keeps_sperm_that_trt_alone_suppresses(baseline):
    """hCG is added to TRT to preserve fertility: with ITT kept and FSH suppressed, the typical
    man stays above the WHO 2010 limit of 15 M/mL over 6 months, while TRT alone takes him
    below a tenth of his baseline (ITT at about a quarter of normal)."""
    cypionate = {"drug": "testosterone_cypionate", "dose": "100 mg", "every": "7 d"}
    with_hcg = run([cypionate, {"drug": "hcg", "dose": "500 IU", "every": "2 d"}], until="6 mo")
    alone = run([cypionate], until="6 mo")
    assert at(with_hcg, 182, SPERM) >= 15.0
    assert at(with_hcg, 182, SPERM) < baseline[SPERM]  # FSH's share is missing
    assert at(alone, 182, SPERM) < 0.1 * baseline[SPERM]
    assert at(with_hcg, 182, SPERM) > 5.0 * at(alone, 182, SPERM)


def test_gonadorelin_pump_beats_hcg_hmg_in_congenital_hh():
    patient = {"phenotype": "congenital_hh", "age_years": 25}
    pump = run([{"drug": "gonadorelin", "route": "pump", "dose": "10 ug", "every": "90 min"}], until="36 mo", patient=patient)
    gonadotropins = run([{"drug": "hcg", "dose": "2000 IU", "route": "im", "every": "3.5 d"},
                         {"drug": "hmg", "dose": "150 IU", "route": "im", "every": "3.5 d"}], until="36 mo", patient=patient)
    first_pump = months_to(pump, 0.01)
    first_gn = months_to(gonadotropins, 0.01)
    assert first_pump is not None and first_gn is not None
    assert first_pump <= 0.7 * first_gn
    assert abs(first_pump / 6 - 1) <= 0.4
    assert abs(first_gn / 18 - 1) <= 0.4
    assert at(pump, 7, "lh_iu_l") > 5 * at(pump, 0, "lh_iu_l")  # the pump switches LH on within a week


def test_pump_gonadotropins_and_t_in_congenital_hh():
    """Huang 2015: LH 3.4 ± 2.4 and FSH 5.8 ± 3.8 IU/L after a week of pump; Mao 2017: T on the
    pump 8.3 ± 4.6 nmol/L (about 240 ng/dL)."""
    pump = run([{"drug": "gonadorelin", "route": "pump", "dose": "10 ug", "every": "90 min"}], until="91 d",
               patient={"phenotype": "congenital_hh", "age_years": 25})
    assert abs(at(pump, 7, "lh_iu_l") - 3.4) <= 2.4
    assert abs(at(pump, 7, "fsh_iu_l") - 5.8) <= 3.8
    assert abs(at(pump, 90, NG) / 28.84 - 8.3) <= 4.6


def test_androgen_stands_in_for_fsh_only_at_high_itt_in_mature_sertoli_cells():
    """The Sertoli support term: with FSH gone, normal-to-high ITT keeps most support in the
    adult testis, TE's and TRT's low ITT does not, and immature cells get none of it."""
    from hpgsim import model
    from hpgsim.physiology import sertoli

    params, _, _ = model.build()
    P, theta = params.index, params.vector()
    itt_ref = theta[P.itt_ref_nmol_l]
    ref = sertoli.support(theta, P, itt_ref, theta[P.fsh_ref_iu_l], 1.0)

    def rel(itt, maturity):
        return sertoli.support(theta, P, itt, 0.0, maturity) / ref

    w = theta[P.sertoli_fsh_independent]
    assert rel(1.3 * itt_ref, 1.0) > 0.8  # TRT + hCG: ITT above normal, no FSH
    assert rel(0.3 * itt_ref, 1.0) < 1.05 * rel(0.3 * itt_ref, 0.0)  # TRT alone: nothing to stand in
    assert rel(1.3 * itt_ref, 0.0) < w + 0.05  # immature Sertoli cells: the FSH-independent share only
