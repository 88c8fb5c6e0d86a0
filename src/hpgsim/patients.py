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
        ("secondary_hh_generator_activity", 0.12, "1", 0.05, 0.9,
         "assumed: adult-onset secondary hypogonadism as a weaker GnRH generator, giving T ~250-300 ng/dL with low-normal LH",
         "GnRH amplitude scale in secondary hypogonadism"),
        ("primary_hh_leydig_capacity", 0.25, "1", 0.05, 0.6,
         "assumed: testicular failure with high LH/FSH and low T; SERMs and hCG then raise T little",
         "Leydig capacity in primary hypogonadism"),
        ("primary_hh_sertoli_capacity", 0.3, "1", 0.05, 0.8,
         "assumed: damaged seminiferous epithelium in primary hypogonadism", "Sertoli capacity in primary hypogonadism"),
        ("congenital_hh_sertoli_maturity", 0.02, "1", 0.0, 0.3,
         "assumed: prepubertal, immature Sertoli cells; testis ~2.3 mL (Huang 2015)", "initial Sertoli maturity in congenital HH"),
        ("age_ref_years", 35.0, "y", 20.0, 50.0, "reference age of the reference man (Travison 19-39 y cohort)", "reference age"),
        ("age_leydig_slope_per_y", 0.008, "1/y", 0.0, 0.02,
         "assumed: serum T falls ~1 %/y after 40 (cross-sectional cohorts)", "fractional loss of Leydig capacity per year above reference age"),
        ("age_shbg_slope_per_y", 0.012, "1/y", 0.0, 0.03,
         "assumed: SHBG rises ~1 %/y with age", "fractional rise of SHBG per year above reference age"),
        ("bmi_shbg_slope", 0.04, "1/(kg/m²)", 0.0, 0.08,
         "assumed: SHBG falls with adiposity (~4 % per BMI unit)", "fractional fall of SHBG per BMI unit above 25"),
        ("asian_germ_sensitivity", 1.3, "1", 1.0, 2.0,
         "assumed: Asian men suppress more completely (WHO 1995: 89 % vs 67 % azoospermic)",
         "germ-cell loss multiplier in Asian men"),
        ("asian_recovery_factor", 1.25, "1", 1.0, 2.0,
         "assumed: Asian origin recovers faster (Liu 2006, direction only)", "Leydig recovery rate multiplier in Asian men"),
    ],
)

INDIVIDUAL = table(
    "individual",
    "Individual parameters of one man (typical eugonadal man shown)",
    [
        ("generator_activity", 1.0, "1", 0.0, 2.0, "phenotype", "GnRH pulse generator activity"),
        ("leydig_capacity", 1.0, "1", 0.0, 2.0, "phenotype and age", "Leydig steroidogenic capacity"),
        ("sertoli_capacity", 1.0, "1", 0.0, 2.0, "phenotype", "Sertoli cell capacity"),
        ("sertoli_maturity_start", 1.0, "1", 0.0, 1.0, "phenotype", "Sertoli maturity at the start"),
        ("shbg_nmol_l", 30.0, "nmol/L", 5.0, 150.0, "age and BMI", "SHBG"),
        ("bmi", 25.0, "kg/m²", 15.0, 60.0, "scenario", "body-mass index"),
        ("germ_sensitivity", 1.0, "1", 0.5, 3.0, "ethnicity", "germ-cell loss multiplier"),
        ("recovery_rate_factor", 1.0, "1", 0.5, 3.0, "ethnicity", "Leydig capacity rate multiplier"),
        ("sperm_baseline_factor", 1.0, "1", 0.05, 5.0, "baseline sperm concentration", "sperm output relative to the reference man"),
    ],
)


@dataclass(frozen=True)
class PatientSpec:
    phenotype: str = "eugonadal"
    age_years: float = 35.0
    bmi: float = 25.0
    ethnicity: str = "non_asian"
    baseline_sperm_m_ml: float | None = None


def individual_values(spec: PatientSpec, values: dict[str, float]) -> dict[str, float]:
    """Individual parameters of one man from his phenotype and covariates.

    ``values`` holds the current typical values of all parameters by name (so calibration
    or variability applied there flows through).
    """
    v = values
    out = {p.name: p.value for p in INDIVIDUAL}
    if spec.phenotype == "secondary_hypogonadism":
        out["generator_activity"] = v["secondary_hh_generator_activity"]
    elif spec.phenotype == "primary_hypogonadism":
        out["leydig_capacity"] = v["primary_hh_leydig_capacity"]
        out["sertoli_capacity"] = v["primary_hh_sertoli_capacity"]
    elif spec.phenotype == "congenital_hh":
        out["generator_activity"] = 0.0
        out["sertoli_maturity_start"] = v["congenital_hh_sertoli_maturity"]
    years = spec.age_years - v["age_ref_years"]
    out["leydig_capacity"] *= math.exp(-v["age_leydig_slope_per_y"] * max(0.0, years))
    out["shbg_nmol_l"] = v["shbg_ref_nmol_l"] * math.exp(
        v["age_shbg_slope_per_y"] * years - v["bmi_shbg_slope"] * (spec.bmi - 25.0)
    )
    out["bmi"] = spec.bmi
    if spec.ethnicity == "asian":
        out["germ_sensitivity"] = v["asian_germ_sensitivity"]
        out["recovery_rate_factor"] = v["asian_recovery_factor"]
    if spec.baseline_sperm_m_ml is not None:
        out["sperm_baseline_factor"] = spec.baseline_sperm_m_ml / v["sperm_ref_m_ml"]
    return out
