"""Patients: phenotypes and covariates acting through named, sourced effects.

A patient is a set of *individual* parameters (generator activity, Leydig and Sertoli
capacity, SHBG, BMI, ...) computed from the phenotype and covariates by the effects in
``PARAMETERS``. Inter-individual variability will later multiply the same individual
parameters by log-normal random effects, so no module needs rewriting for populations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .parameters import table

PHENOTYPES = ("eugonadal", "secondary_hypogonadism", "primary_hypogonadism", "congenital_hh")

PARAMETERS = table(
    "patients",
    "Phenotype and covariate effects",
    [
        ("secondary_hh_generator_activity", 0.3, "1", 0.05, 0.9,
         "assumed: adult-onset (functional) secondary hypogonadism as a weaker GnRH generator under more sensitive feedback (below), giving T ~250-300 ng/dL with low-normal LH; set by hand with the sensitivity so that clomiphene doubles T (issue 28: before, with a weaker generator alone (0.12), clomiphene 25 mg daily reached 392-420 ng/dL against ~500)",
         "GnRH amplitude scale in secondary hypogonadism"),
        ("secondary_hh_feedback_sensitivity", 1.6, "1", 1.0, 3.0,
         "assumed (clinic): functional hypogonadism of adulthood is a hypothalamus held down by sex-steroid feedback (obesity, age, illness) more than a failing generator, which is why SERMs and aromatase inhibitors double T in these men (Ramasamy 2014: 247 -> 504 ng/dL on clomiphene; Taylor 2010: 573 on 50 mg every other day; enclomiphene 275 -> 412 / 520 / 589 on 12.5 / 25 / 50 mg); set by hand to those (clomiphene_secondary_hypogonadism, enclomiphene_doses)",
         "feedback sensitivity in secondary hypogonadism (typical man 1)"),
        ("primary_hh_leydig_capacity", 0.25, "1", 0.05, 0.6,
         "assumed: testicular failure with high LH/FSH and low T; SERMs and hCG then raise T little",
         "Leydig capacity in primary hypogonadism"),
        ("primary_hh_sertoli_capacity", 0.3, "1", 0.05, 0.8,
         "assumed: damaged seminiferous epithelium in primary hypogonadism", "Sertoli capacity in primary hypogonadism"),
        ("primary_hh_sperm_factor", 0.25, "1", 0.05, 0.5,
         "assumed (issue 28): testicular failure with FSH ~25 IU/L and inhibin B ~30 pg/mL goes with azoospermia or severe oligozoospermia (Klinefelter syndrome, the commonest cause, is azoospermic in most men), not with 16 M/mL; the germinal epithelium is damaged more than the Sertoli cells' hormone output, so sperm output is set to about 4 M/mL in the typical man (16 M/mL before)",
         "sperm output relative to the reference man in primary hypogonadism"),
        ("congenital_hh_sertoli_maturity", 0.02, "1", 0.0, 0.3,
         "assumed: prepubertal, immature Sertoli cells; testis ~2.3 mL (Huang 2015)", "initial Sertoli maturity in congenital HH (typical man)"),
        ("congenital_hh_maturity_logit_sd", 2.5, "1", 0.0, 3.0,
         "prior set by hand to fsh_addon_chh and gnrh_pump_chh, then fitted with them (spermatogenesis_support); men with congenital HH range from complete (testes 1-2 mL) to partial forms with some pubertal development (4-8 mL), and that spread separates the men who respond to hCG alone, to FSH within a year, or later (Bouloux 2003: 19 of 49 on hCG alone, 14 of the other 30 within 48 weeks of FSH)",
         "between-man SD of the logit of initial Sertoli maturity in congenital HH"),
        ("age_ref_years", 35.0, "y", 20.0, 50.0, "reference age of the reference man (Travison 19-39 y cohort)", "reference age"),
        ("age_leydig_slope_per_y", 0.008, "1/y", 0.0, 0.02,
         "assumed: serum T falls ~1 %/y after 40 (cross-sectional cohorts)", "fractional loss of Leydig capacity per year above reference age"),
        ("age_shbg_slope_per_y", 0.012, "1/y", 0.0, 0.03,
         "assumed: SHBG rises ~1 %/y with age", "fractional rise of SHBG per year above reference age"),
        ("bmi_shbg_slope", 0.04, "1/(kg/m²)", 0.0, 0.08,
         "assumed: SHBG falls with adiposity (~4 % per BMI unit)", "fractional fall of SHBG per BMI unit above 25"),
        ("asian_germ_sensitivity", 1.3, "1", 1.0, 4.0,
         "assumed: Asian men suppress more completely (WHO 1995: 89 % vs 67 % azoospermic); no measurement of germ-cell loss by ethnicity exists, so the multiplier alone carries that difference and its range is wide",
         "germ-cell loss multiplier in Asian men"),
        ("asian_recovery_factor", 1.25, "1", 1.0, 2.0,
         "assumed: Asian origin recovers faster (Liu 2006, direction only)", "recovery rate multiplier in Asian men"),
        ("age_diurnal_amplitude_slope_per_y", 0.0023, "1/y", 0.0, 0.005,
         "Brambilla DJ et al. JCEM 2009 (abs): 16:00 vs 08:00 T 20-25 % lower at 30-40 y, 10 % at 70 y; the cosine amplitude falls from 0.155 at 35 to 0.063 at 75 [derived]",
         "fall of the diurnal amplitude of testicular T per year above the reference age"),
        ("diurnal_amplitude_young", 0.155, "1", 0.05, 0.3,
         "Brambilla 2009 (abs): 16:00 T 22.5 % below 08:00 at 30-40 y gives a cosine amplitude of 0.155 with the peak at 07:00 [derived]",
         "diurnal amplitude (cosine) of testicular T at or below the reference age"),
        ("age_restart_onset_years", 50.0, "y", 35.0, 65.0,
         "assumed: the clinic sees older men restart more slowly after TRT or androgens, while Liu 2006's volunteers (20-50 y) recovered faster when older; the slowing starts after the volunteers' ages",
         "age above which the generator's suppression memory fades more slowly"),
        ("age_restart_slope_per_y", 0.08, "1/y", 0.0, 0.1,
         "assumed: size set by hand so that after five years of cypionate 200 mg weekly a man of 65 recovers sperm months later than a man of 25 (clinic direction; no published rate): at 65 the memory fades at 0.3 of the rate at 50",
         "fractional slowing per year above the onset age of the fading of the generator's suppression memory"),
        ("bmi_generator_slope", 0.02, "1/(kg/m²)", 0.0, 0.06,
         "assumed: obesity suppresses the GnRH generator (functional hypogonadism: free T falls with BMI, Wu FC et al. JCEM 2008, EMAS; size set so that free T is ~15 % lower at BMI 35 than at 22)",
         "fractional fall of GnRH generator activity per BMI unit above 25"),
        ("age_recovery_max_years", 50.0, "y", 35.0, 80.0,
         "assumed: Liu 2006's volunteers were 20-50 years old; their faster regrowth with age is not extrapolated beyond the oldest of them",
         "age above which the regrowth rate's age effect stops growing"),
        ("age_recovery_slope_per_y", 0.02, "1/y", 0.0, 0.05,
         "assumed: older men recovered faster in Liu 2006's multivariate analysis (direction only; the size, 2 % per year about the reference age, is assumed)",
         "fractional change of the recovery-rate factor per year of age above the reference age"),
    ],
)

INDIVIDUAL = table(
    "individual",
    "Individual parameters of one man (typical eugonadal man shown)",
    [
        ("generator_activity", 1.0, "1", 0.0, 2.0,
         "phenotype; IIV assumed: LH spans ~1.5-9 IU/L in normal men (physiology.md §4), split between generator and Leydig sensitivity",
         "GnRH pulse generator activity", 0.35),
        ("leydig_capacity", 1.0, "1", 0.0, 2.0,
         "phenotype and age; IIV assumed (CV 0.8): Leydig cell number differs several-fold between men; with the feedback holding T, a man's capacity shows mostly in his LH (high capacity, low LH), and Liu 2006's faster recovery with lower baseline LH says low LH marks a healthy testis, so most of the between-man spread of the axis sits here and the feedback sensitivity (fitted to the T centiles, Travison 2017) carries the rest",
         "Leydig steroidogenic capacity", 0.8),
        ("sertoli_capacity", 1.0, "1", 0.0, 2.0,
         "phenotype; IIV assumed: Sertoli number varies ~2-fold between men (inhibin B 100-300 pg/mL)",
         "Sertoli cell capacity", 0.25),
        ("sertoli_maturity_start", 1.0, "1", 0.0, 1.0, "phenotype", "Sertoli maturity at the start"),
        ("feedback_sensitivity", 1.0, "1", 0.3, 3.0,
         "IIV assumed: the set point of the axis differs between men (total T 264-916 ng/dL at 2.5-97.5th centiles, Travison 2017) while LH stays in range; a man's hypothalamic-pituitary sensitivity to sex-steroid feedback sets where his T settles",
         "sex-steroid feedback sensitivity (scales the androgen and estrogen signals)", 0.25),
        ("shbg_set_point_nmol_l", 30.0, "nmol/L", 5.0, 150.0,
         "age and BMI; IIV assumed: SHBG reference interval ~10-57 nmol/L in adult men (log-SD ~0.4 before covariates)",
         "SHBG", 0.35),
        ("bmi", 25.0, "kg/m²", 15.0, 60.0, "scenario", "body-mass index"),
        ("germ_sensitivity", 1.0, "1", 0.5, 3.0,
         "ethnicity; IIV assumed: on TE 200 mg weekly only ~2/3 of non-Asian men are azoospermic at 6 months while time to azoospermia is 120 ± 40 d (WHO 1990/1995), i.e. men differ in how completely germ cells are lost",
         "germ-cell loss multiplier", 0.40),
        ("recovery_rate_factor", 1.0, "1", 0.5, 3.0,
         "ethnicity; IIV assumed: after stopping, 67 % recover by 6 months but 10 % need more than a year (Liu 2006), a long right tail (prior CV at the previous fit, 2.44)",
         "rate multiplier of regrowth after suppression (Leydig capacity, spermatogonial reserve)", 2.44),
        ("testis_t_uptake", 1.0, "1", 0.2, 5.0,
         "assumed (no measurement of tubular testosterone uptake by man exists): how much serum testosterone reaches the seminiferous tubules differs between men; on TE most of the ITT that is left comes from serum T, so this spread is a spread of residual support on TE that leaves men whose ITT is made in the testis (congenital HH on a pump, hCG) almost untouched; CV fitted to the azoospermia fractions on TE (spermatogenesis_support)",
         "serum testosterone's share of ITT, relative to the typical man", 2.5),
        ("t_diurnal_amplitude", 0.155, "1", 0.0, 0.3,
         "age (patients: diurnal_amplitude_young, age_diurnal_amplitude_slope_per_y)",
         "cosine amplitude of the daily rhythm of testicular T"),
        ("axis_restart_factor", 1.0, "1", 0.05, 2.0,
         "age (patients: age_restart_slope_per_y)",
         "rate multiplier of the fading of the generator's suppression memory"),
        ("sperm_baseline_factor", 1.0, "1", 0.05, 5.0,
         "baseline sperm concentration; IIV from WHO 2010: 5th centile 15 M/mL against a typical 60 M/mL is a log-SD of ~0.84 in all; hormonal differences between men supply part of it",
         "sperm output relative to the reference man", 0.6),
    ],
)


IIV_CORRELATIONS: dict[tuple[str, str], float] = {
    # assumed: Liu 2006 found that men who suppress faster also recover faster, and men with
    # lower baseline LH recover faster; a shared "responsiveness" of the germinal epithelium
    # and a shared health of the testis (Leydig capacity with the regrowth rate) give those
    # directions. Liu gives directions only; 0.6 each is the size that shows both in the
    # virtual Liu population (at 0.3 the suppression direction was -0.02, at 0 for the Leydig
    # pair the LH direction was -0.31).
    ("germ_sensitivity", "recovery_rate_factor"): 0.6,
    ("leydig_capacity", "recovery_rate_factor"): 0.6,
}
"""Correlations between random effects (pairs not listed are independent)."""


@dataclass(frozen=True)
class PatientSpec:
    phenotype: str = "eugonadal"
    age_years: float = 35.0
    bmi: float = 25.0
    ethnicity: str = "non_asian"
    baseline_sperm_m_ml: float | None = None
    sertoli_maturity_z: float = 0.0
    """Standard-normal deviate of initial Sertoli maturity (congenital HH only; 0 = typical)."""


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def congenital_maturity(typical: float, logit_sd: float, z: float) -> float:
    """Initial Sertoli maturity of a man with congenital HH: logit-normal around the typical
    value, so it stays inside (0, 1) and spreads over orders of magnitude at the low end."""
    return 1.0 / (1.0 + math.exp(-(_logit(typical) + logit_sd * z)))


def individual_values(spec: PatientSpec, values: dict[str, float]) -> dict[str, float]:
    """Individual parameters of one man from his phenotype and covariates.

    ``values`` holds the current typical values of all parameters by name (so calibration
    or variability applied there flows through).
    """
    v = values
    out = {p.name: p.value for p in INDIVIDUAL}
    if spec.phenotype == "secondary_hypogonadism":
        out["generator_activity"] = v["secondary_hh_generator_activity"]
        out["feedback_sensitivity"] = v["secondary_hh_feedback_sensitivity"]
    elif spec.phenotype == "primary_hypogonadism":
        out["leydig_capacity"] = v["primary_hh_leydig_capacity"]
        out["sertoli_capacity"] = v["primary_hh_sertoli_capacity"]
        out["sperm_baseline_factor"] = v["primary_hh_sperm_factor"]
    elif spec.phenotype == "congenital_hh":
        out["generator_activity"] = 0.0
        out["sertoli_maturity_start"] = congenital_maturity(
            v["congenital_hh_sertoli_maturity"], v["congenital_hh_maturity_logit_sd"], spec.sertoli_maturity_z)
    years = spec.age_years - v["age_ref_years"]
    out["leydig_capacity"] *= math.exp(-v["age_leydig_slope_per_y"] * max(0.0, years))
    out["generator_activity"] *= math.exp(-v["bmi_generator_slope"] * max(0.0, spec.bmi - 25.0))
    out["t_diurnal_amplitude"] = max(0.0, v["diurnal_amplitude_young"]
                                     - v["age_diurnal_amplitude_slope_per_y"] * max(0.0, years))
    out["axis_restart_factor"] = math.exp(
        -v["age_restart_slope_per_y"] * max(0.0, spec.age_years - v["age_restart_onset_years"]))
    out["shbg_set_point_nmol_l"] = v["shbg_ref_nmol_l"] * math.exp(
        v["age_shbg_slope_per_y"] * years - v["bmi_shbg_slope"] * (spec.bmi - 25.0)
    )
    out["bmi"] = spec.bmi
    if spec.ethnicity == "asian":
        out["germ_sensitivity"] = v["asian_germ_sensitivity"]
        out["recovery_rate_factor"] = v["asian_recovery_factor"]
    regrowth_years = min(spec.age_years, v["age_recovery_max_years"]) - v["age_ref_years"]
    out["recovery_rate_factor"] *= math.exp(v["age_recovery_slope_per_y"] * regrowth_years)
    if spec.baseline_sperm_m_ml is not None:
        out["sperm_baseline_factor"] = spec.baseline_sperm_m_ml / v["sperm_ref_m_ml"]
    return out


@dataclass(frozen=True)
class Covariate:
    """A covariate in a virtual population: fixed, truncated normal, or uniform.

    ``typical`` is the value the typical patient (population 1) takes.
    """

    low: float
    high: float
    mean: float | None = None
    sd: float | None = None

    @classmethod
    def fixed(cls, value: float) -> "Covariate":
        return cls(value, value, value, 0.0)

    @property
    def typical(self) -> float:
        return self.mean if self.mean is not None else 0.5 * (self.low + self.high)

    def sample(self, rng) -> float:
        if self.low == self.high:
            return self.low
        if self.mean is None:
            return float(rng.uniform(self.low, self.high))
        for _ in range(1000):  # rejection keeps the normal's shape inside the bounds
            x = float(rng.normal(self.mean, self.sd))
            if self.low <= x <= self.high:
                return x
        return float(min(max(self.mean, self.low), self.high))


@dataclass(frozen=True)
class Cohort:
    """Who the men of a scenario are: a phenotype and covariates that may vary."""

    phenotype: str = "eugonadal"
    age_years: Covariate = Covariate.fixed(35.0)
    bmi: Covariate = Covariate.fixed(25.0)
    asian_fraction: float = 0.0
    baseline_sperm_m_ml: Covariate | None = None

    def typical(self) -> PatientSpec:
        sperm = None if self.baseline_sperm_m_ml is None else self.baseline_sperm_m_ml.typical
        ethnicity = "asian" if self.asian_fraction > 0.5 else "non_asian"
        return PatientSpec(self.phenotype, self.age_years.typical, self.bmi.typical, ethnicity, sperm)

    def sample(self, rng) -> PatientSpec:
        """One man's covariates, drawn in a fixed order so a seed always gives the same man."""
        age = self.age_years.sample(rng)
        bmi = self.bmi.sample(rng)
        asian = rng.uniform() < self.asian_fraction
        sperm = None if self.baseline_sperm_m_ml is None else self.baseline_sperm_m_ml.sample(rng)
        # drawn last, so adding it left every earlier draw (and so every adult man) unchanged
        maturity_z = float(rng.standard_normal())
        return PatientSpec(self.phenotype, age, bmi, "asian" if asian else "non_asian", sperm, maturity_z)
