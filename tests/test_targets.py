"""Typical-patient calibration targets, recomputed from the model (never stored answers).

Each test names the target id of the calibration table (copied into
``docs/calibration_targets.yaml``) and asserts the published value within its tolerance.
"""

import numpy as np
import pytest

from conftest import TE200, at, first_time, run

NG = "testosterone_total_ng_dl"


# ------------------------------------------------------------------ reference_ranges
def test_ref_total_and_free_t(baseline):
    assert 400 <= baseline[NG] <= 700
    assert 120 <= baseline.testosterone_free_pg_ml <= 300


def test_ref_gonadotropins_e2_inhibin(baseline):
    assert 3 <= baseline.lh_iu_l <= 8
    assert 3 <= baseline.fsh_iu_l <= 8
    assert 15 <= baseline.estradiol_pg_ml <= 35
    assert 100 <= baseline.inhibin_b_pg_ml <= 250


def test_ref_itt_and_ratio(baseline):
    ratio = baseline.itt_nmol_l / (baseline[NG] / 28.842)
    assert 800 <= baseline.itt_nmol_l <= 2500
    assert 40 <= ratio <= 200


def test_ref_semen(baseline):
    assert 40 <= baseline.sperm_concentration_m_ml <= 120
    assert baseline.sperm_concentration_m_ml >= 15  # WHO 2010 lower limit


def test_ref_pulses_interval_and_lh_half_life():
    f = run(until="2 d", resolution="pulsatile", output_every="2 min")
    day = f[f.time_d >= 0.5]
    lh = day.lh_iu_l.values
    peaks = [i for i in range(1, len(lh) - 1) if lh[i] > lh[i - 1] and lh[i] >= lh[i + 1]]
    interval_min = np.diff(day.time_d.values[peaks]).mean() * 1440
    assert 75 <= interval_min <= 120
    from hpgsim.model import build

    params, _, _ = build()
    assert 20 <= params.parameters["lh_half_life_min"].value <= 90


# ------------------------------------------------------------------ suppression
@pytest.fixture(scope="module")
def te3w(baseline):
    f = run([TE200], until="43 d")
    return {c: at(f, 21, c) / baseline[c] for c in ("lh_iu_l", "fsh_iu_l", "itt_nmol_l")}


def test_te200_gonadotropins_itt(te3w):
    assert te3w["lh_iu_l"] <= 0.15
    assert te3w["fsh_iu_l"] <= 0.15
    assert -0.98 <= te3w["itt_nmol_l"] - 1 <= -0.85


@pytest.fixture(scope="module")
def te_long():
    return run([TE200], until="200 d")


def test_te200_sperm_kinetics(te_long):
    weeks = [first_time(te_long, "sperm_concentration_m_ml", x) / 7 for x in (10, 5, 3, 1)]
    for got, want in zip(weeks, (6.8, 8.7, 10.0, 13.0)):
        assert abs(got / want - 1) <= 0.25, weeks


def test_te200_sperm_halves_in_about_five_weeks(te_long, baseline):
    half = first_time(te_long, "sperm_concentration_m_ml", baseline.sperm_concentration_m_ml / 2) / 7
    assert 3.5 <= half <= 7.0


@pytest.mark.parametrize("dose, change", [(125, -0.25), (250, -0.07), (500, 0.26)])
def test_te_hcg_itt(dose, change, baseline):
    f = run([TE200, {"drug": "hcg", "dose": f"{dose} IU", "route": "sc", "every": "2 d"}], until="22 d")
    assert abs(at(f, 21, "itt_nmol_l") / baseline.itt_nmol_l - 1 - change) <= 0.15


def test_te_hcg_itt_increases_with_dose(baseline):
    itt = [at(run([TE200, {"drug": "hcg", "dose": f"{d} IU", "every": "2 d"}], until="22 d"), 21, "itt_nmol_l")
           for d in (125, 250, 500)]
    assert itt[0] < itt[1] < itt[2]


# ------------------------------------------------------------------ drugs at baseline
def response(regimen, days, baseline, columns):
    f = run([regimen], until=f"{days + 1} d")
    return {c: at(f, days, c) / baseline[c] for c in columns}


def test_anastrozole_men(baseline):
    r = response({"drug": "anastrozole", "dose": "1 mg", "every": "1 d"}, 28, baseline, ("estradiol_pg_ml", "lh_iu_l"))
    assert -0.65 <= r["estradiol_pg_ml"] - 1 <= -0.30
    assert 1.5 <= r["lh_iu_l"] <= 2.8


def test_letrozole_young_men(baseline):
    r = response({"drug": "letrozole", "dose": "2.5 mg", "every": "1 d"}, 28, baseline,
                 ("estradiol_pg_ml", "lh_iu_l", NG))
    assert abs(r["estradiol_pg_ml"] - 1 - (-0.46)) <= 0.15
    assert abs((r["lh_iu_l"] - 1) / 3.39 - 1) <= 0.35
    assert abs((r[NG] - 1) / 1.46 - 1) <= 0.35


def test_clomiphene_50_healthy_gonadotropins(baseline):
    r = response({"drug": "clomiphene_citrate", "dose": "50 mg", "every": "1 d"}, 30, baseline, ("lh_iu_l", "fsh_iu_l"))
    for col, change in (("lh_iu_l", 1.77), ("fsh_iu_l", 1.70)):
        assert abs((r[col] - 1) / change - 1) <= 0.35, (col, r[col])


@pytest.mark.xfail(strict=True, reason="calibration gap: T +0.89 vs +1.46 (35 % tolerance); Leydig output rises "
                   "less than the published T for the published LH rise")
def test_clomiphene_50_healthy_testosterone(baseline):
    r = response({"drug": "clomiphene_citrate", "dose": "50 mg", "every": "1 d"}, 30, baseline, (NG,))
    assert abs((r[NG] - 1) / 1.46 - 1) <= 0.35, r[NG]


def test_clomiphene_isomers():
    import hpgsim

    sc = hpgsim.load_scenario({"regimens": [{"drug": "clomiphene_citrate", "dose": "25 mg", "every": "1 d"}],
                               "simulate": {"until": "180 d", "output_every": "1 h"}})
    result = hpgsim.simulate(sc)
    last_month = result.times_d >= 150
    enc = result.state("central_enclomiphene")[last_month].mean() / 4300.0  # ng/mL, time-averaged
    zuc = result.state("central_zuclomiphene")[last_month].mean() / 4300.0
    assert 10 <= zuc / enc <= 30
    assert zuc == pytest.approx(44.0, rel=0.35)


def test_tamoxifen_10(baseline):
    f = run([{"drug": "tamoxifen", "dose": "10 mg", "every": "1 d"}], until="181 d")
    folds = {"lh_iu_l": (at(f, 180, "lh_iu_l") / baseline.lh_iu_l, 4.1 / 1.7),
             "fsh_iu_l": (at(f, 120, "fsh_iu_l") / baseline.fsh_iu_l, 7.7 / 4.9),
             NG: (at(f, 120, NG) / baseline[NG], 38 / 25)}
    for col, (got, want) in folds.items():
        assert abs(got / want - 1) <= 0.35, (col, got)


def test_leuprolide_flare(baseline):
    f = run([{"drug": "leuprolide", "dose": "22.5 mg", "route": "im"}], until="42 d", output_every="6 h")
    week1 = f[(f.time_d > 0) & (f.time_d <= 7)][NG]
    assert week1.max() > baseline[NG]
    assert at(f, 14, NG) <= baseline[NG]
    castrate = first_time(f, NG, 50.0, after=0.0)
    assert castrate is not None and 14 <= castrate <= 28


def test_hcg_6000_biphasic(baseline):
    f = run([{"drug": "hcg", "dose": "6000 IU", "route": "im"}], until="8 d", output_every="1 h")
    fold = f[NG].values / baseline[NG]
    t = f.time_d.values
    first = fold[(t > 0) & (t <= 1.5)].max()
    second_window = (t >= 2.0) & (t <= 5.0)
    second = fold[second_window].max()
    t_second = t[second_window][np.argmax(fold[second_window])]
    assert t_second > 2.0 and second > first
    assert abs(np.interp(4 / 24, t, fold) / 1.6 - 1) <= 0.3
    assert abs(second / 2.4 - 1) <= 0.3
    assert np.interp(6.0, t, fold) <= 1.3  # back to baseline within the target's 30 % fold tolerance


@pytest.mark.parametrize(
    "regimen, until, window, want, patient",
    [
        ({"drug": "testosterone_enanthate", "dose": "50 mg", "route": "sc", "every": "7 d"}, "84 d", (42, 84), 422.4, "secondary_hypogonadism"),
        ({"drug": "testosterone_enanthate", "dose": "100 mg", "route": "sc", "every": "7 d"}, "84 d", (42, 84), 895.5, "secondary_hypogonadism"),
        ({"drug": "testosterone_gel", "dose": "60.75 mg", "every": "1 d"}, "112 d", (84, 112), 561.0, "secondary_hypogonadism"),
        ({"drug": "testosterone_undecanoate", "dose": "750 mg", "route": "im", "every": "10 wk", "start": "4 wk"}, "50 wk", (30 * 7, 50 * 7), 497.0, "secondary_hypogonadism"),
    ],
)
def test_testosterone_products(regimen, until, window, want, patient):
    regimens = [regimen]
    if regimen["drug"] == "testosterone_undecanoate":
        regimens = [dict(regimen, start="0 d", every=None, stop=None), regimen]
        regimens[0] = {k: v for k, v in regimens[0].items() if v is not None}
    f = run(regimens, until=until, patient={"phenotype": patient, "age_years": 50})
    w = f[(f.time_d >= window[0]) & (f.time_d <= window[1])]
    assert abs(w[NG].mean() / want - 1) <= 0.30, w[NG].mean()
