"""Sertoli cells: function driven by FSH and ITT, maturation, inhibin B.

Sertoli support for spermatogenesis needs androgen (ITT) and is strengthened by FSH, the
two partly redundant: ITT alone keeps some spermatogenesis (hCG alone induces sperm in
about half of men with congenital HH), FSH alone does not. At normal-to-high ITT androgen
also stands in for missing FSH in mature Sertoli cells, which is why hCG keeps sperm output
on TRT although TRT holds FSH down. Maturation is a slow,
one-way state driven mainly by FSH: adult men start mature; men with congenital HH start
immature, which is why inducing spermatogenesis takes many months. Germ-cell entry switches
on over a narrow band of maturity (a threshold, not a proportion), so the months from first
sperm to useful counts depend little on how fast maturity got there. Inhibin B comes from mature, functioning
Sertoli cells and grows with the germ cells they hold.
"""

import math

from ..compiled import kernel
from ..parameters import table
from .response import hill, power

PARAMETERS = table(
    "sertoli",
    "Sertoli cells and inhibin B",
    [
        ("sertoli_itt_half_nmol_l", 150.0, "nmol/L", 50.0, 800.0,
         "prior: spermatogenesis is kept when ITT is at or above ~25 % of normal (Coviello 2005, hCG arms) while ITT of ~6 % (72 nmol/L on TE) suppresses it; Coviello 2004: ITT 13 nmol/L gives 1.3 M/mL; see `hpgsim calibrate`",
         "ITT giving half-maximal androgen support"),
        ("sertoli_itt_hill", 2.0, "1", 1.0, 4.0, "assumed", "Hill exponent of ITT support"),
        ("sertoli_fsh_half_iu_l", 1.0, "IU/L", 0.5, 8.0,
         "assumed: FSH action saturates below normal FSH levels; the simulated hMG regimen gives about 2 IU/L of FSH, and with a half-effect at 2 IU/L men with congenital HH on hCG + hMG never reached 5 M/mL, where Mao 2017 saw a median of 27 months",
         "FSH giving half-maximal FSH support"),
        ("sertoli_fsh_hill", 2.0, "1", 1.0, 4.0, "assumed", "Hill exponent of FSH support"),
        ("sertoli_fsh_independent", 0.4, "1", 0.1, 0.8,
         "set by hand: hCG alone keeps part of spermatogenesis (Bouloux 2003: it induces sperm in 19 of 49 men with congenital HH, those with larger testes); in the virtual congenital HH men it induces almost none (see the limitations)",
         "share of Sertoli support that needs no FSH"),
        ("sertoli_itt_fsh_substitute_nmol_l", 1174.0, "nmol/L", 600.0, 3000.0,
         "assumed: testosterone at normal-to-high ITT stands in for missing FSH. Men on TE 200 mg weekly whose ITT is held at or above baseline by hCG 500 IU every other day (Coviello 2005) have FSH at 3 % of baseline, yet TRT with low-dose hCG is the regimen used to keep fertility on TRT; set at the reference ITT so that TE alone (ITT -94 %) and TRT alone (ITT about a quarter of normal) are unaffected. Acts in proportion to Sertoli maturity (assumed: immature Sertoli cells respond little to androgen); without that gate hCG + hMG overtook the pump in congenital HH (ratio at 5 M/mL 0.74, limit 0.7)",
         "ITT at which androgen stands in for half of the missing FSH support"),
        ("sertoli_itt_fsh_substitute_hill", 4.0, "1", 2.0, 8.0,
         "assumed: steep, so the substitution acts only near and above normal ITT",
         "Hill exponent of that substitution"),
        ("sertoli_response_per_d", 0.07015, "1/d", 0.02, 0.5,
         "calibrated: te200_sperm_kinetics, liu2006_recovery", "Sertoli function rate"),
        ("sertoli_maturation_per_d", 0.065, "1/d", 0.01, 0.3,
         "calibrated by hand: gnrh_pump_chh, fsh_addon_chh (months to first sperm in congenital HH: 6 on the pump, 18 on hCG + hMG; 47 % reach 1 M/mL within 48 weeks of FSH)", "logistic Sertoli maturation rate at full function and FSH"),
        ("maturation_fsh_half_iu_l", 5.0, "IU/L", 1.0, 10.0,
         "calibrated by hand: gnrh_pump_chh (the pump, with endogenous FSH ~4-6 IU/L, induces sperm ~3x sooner than hCG + hMG 150 IU twice weekly, FSH ~2-4 IU/L)",
         "FSH giving half-maximal drive of Sertoli maturation"),
        ("maturation_fsh_hill", 3.0, "1", 1.0, 5.0,
         "assumed: FSH-driven Sertoli proliferation and maturation is steep in FSH (hMG's lower FSH exposure is much slower than a pump's)",
         "Hill exponent of FSH in Sertoli maturation"),
        ("maturity_entry_half", 0.45, "1", 0.1, 0.6,
         "calibrated by hand: gnrh_pump_chh; a threshold, not a proportion: in congenital HH both the pump and hCG + hMG take 8-9 months from first sperm to >= 5 M/mL although first sperm comes 3x sooner on the pump (Mao 2017), so germ-cell entry switches on over a narrow band of Sertoli maturity",
         "Sertoli maturity at which germ-cell entry is half that of the adult testis"),
        ("maturity_entry_hill", 16.0, "1", 2.0, 20.0,
         "calibrated by hand: gnrh_pump_chh (see maturity_entry_half)",
         "steepness of the maturity threshold for germ-cell entry"),
        ("inhibin_b_ref_pg_ml", 150.0, "pg/mL", 100.0, 250.0,
         "fertile men mean 132 pg/mL (95 % CI 114-155); Kelsey 2016 adult median ~170", "inhibin B of the reference man"),
        ("inhibin_basal_fraction", 0.35, "1", 0.1, 0.6,
         "calibrated: inhibin B falls ~2.5-fold (to ~40 %) on TE 200 mg weekly (Wallace 1993)",
         "share of inhibin B secreted by mature Sertoli cells regardless of hormones and germ cells"),
        ("inhibin_sertoli_exponent", 1.0, "1", 0.3, 2.0, "assumed", "dependence of inhibin B on Sertoli function"),
        ("inhibin_germ_exponent", 0.5, "1", 0.0, 1.5,
         "assumed: inhibin B falls ~2.5-fold on TE (Wallace 1993) and correlates with sperm output",
         "dependence of inhibin B on germ-cell load"),
        ("inhibin_half_life_d", 1.0, "d", 0.2, 3.0, "assumed", "inhibin B equilibration half-life"),
    ],
)


@kernel
def support(theta, P, itt, fsh_total, maturity):
    """Absolute Sertoli drive: androgen support × (FSH-independent + FSH-dependent part).

    The FSH-dependent part is carried by FSH or, at normal-to-high ITT in mature Sertoli
    cells, by androgen in its place (either pathway: f + s - f·s), so hCG that keeps ITT up
    on TRT keeps support while TRT holds FSH down.
    """
    androgen = hill(max(itt, 0.0), theta[P.sertoli_itt_half_nmol_l], theta[P.sertoli_itt_hill])
    fsh = hill(max(fsh_total, 0.0), theta[P.sertoli_fsh_half_iu_l], theta[P.sertoli_fsh_hill])
    substitute = hill(max(itt, 0.0), theta[P.sertoli_itt_fsh_substitute_nmol_l],
                      theta[P.sertoli_itt_fsh_substitute_hill]) * min(max(maturity, 0.0), 1.0)
    w = theta[P.sertoli_fsh_independent]
    return androgen * (w + (1.0 - w) * (fsh + substitute - fsh * substitute))


@kernel
def function_rate(theta, P, function, drive_rel):
    return theta[P.sertoli_response_per_d] * (drive_rel - function)


@kernel
def maturation_rate(theta, P, maturity, function, fsh_total):
    """One-way maturation, driven by Sertoli function and, above all, FSH. Logistic: the
    immature Sertoli population proliferates and matures from what it already is, so a
    man's starting maturity (testis size) sets how long induction takes."""
    fsh = hill(max(fsh_total, 0.0), theta[P.maturation_fsh_half_iu_l], theta[P.maturation_fsh_hill])
    m = max(maturity, 0.0)
    return theta[P.sertoli_maturation_per_d] * min(function, 1.5) * fsh * m * (1.0 - m)


@kernel
def maturity_entry(theta, P, maturity):
    """The steep threshold in maturity through which a Sertoli population takes germ cells."""
    return hill(maturity, theta[P.maturity_entry_half], theta[P.maturity_entry_hill])


@kernel
def germ_capacity(theta, P, maturity, adult_entry):
    """Germ cells a Sertoli population can support: number × a steep threshold in maturity
    (1 in the adult testis; ``adult_entry`` is :func:`maturity_entry` at maturity 1, computed
    once per man)."""
    return theta[P.sertoli_capacity] * maturity_entry(theta, P, maturity) / adult_entry


@kernel
def inhibin_rate(theta, P, inhibin_b, maturity, function, germ_load):
    k = math.log(2.0) / theta[P.inhibin_half_life_d]
    basal = theta[P.inhibin_basal_fraction]
    regulated = (power(max(function, 0.0), theta[P.inhibin_sertoli_exponent])
                 * power(max(germ_load, 0.0), theta[P.inhibin_germ_exponent]))
    target = theta[P.inhibin_b_ref_pg_ml] * maturity * (basal + (1.0 - basal) * regulated)
    return k * (target - inhibin_b)
