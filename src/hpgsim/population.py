"""Virtual populations: inter-individual variability and covariates, reproducible by seed.

Each man ``i`` of a population with seed ``s`` draws from his own random stream
``default_rng([s, i])``: first his random effects, then his covariates. So the same seed
gives the same men, man ``i`` is the same in every protocol of a trial, and he does not
change when the population is larger or is cut into chunks for parallel runs.

Random effects follow the pharmacometric convention: ``P_i = P_typical * exp(eta_i)`` with
``eta ~ N(0, Omega)``, ``Omega_jj = ln(1 + CV_j²)`` from each parameter's ``iiv_cv`` in its
table, and the correlations of :data:`hpgsim.patients.IIV_CORRELATIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import model, patients
from .patients import Cohort, PatientSpec

DEFAULT_SEED = 0


@dataclass(frozen=True)
class Variability:
    """Names, covariance matrix and its Cholesky factor of the random effects."""

    names: tuple[str, ...]
    omega: np.ndarray
    cholesky: np.ndarray


def variability(correlations: dict[tuple[str, str], float] | None = None,
                cv_overrides: dict[str, float] | None = None) -> Variability:
    """The random effects declared in the parameter tables (``cv_overrides`` replaces the
    CV of named ones, for calibration)."""
    params, _, _ = model.build()
    varying = [p for p in params.parameters.values() if p.iiv_cv is not None]
    names = tuple(p.name for p in varying)
    cvs = {p.name: p.iiv_cv for p in varying}
    for name, cv in (cv_overrides or {}).items():
        if name not in cvs:
            raise KeyError(f"parameter {name!r} has no inter-individual variability to override")
        cvs[name] = cv
    sd = np.sqrt([np.log1p(cvs[n] ** 2) for n in names])
    corr = np.eye(len(names))
    pairs = patients.IIV_CORRELATIONS if correlations is None else correlations
    for (a, b), rho in pairs.items():
        i, j = names.index(a), names.index(b)
        corr[i, j] = corr[j, i] = rho
    omega = corr * np.outer(sd, sd)
    return Variability(names, omega, np.linalg.cholesky(omega))


@dataclass(frozen=True)
class Population:
    """N virtual men: covariates and random effects (one row per man)."""

    seed: int
    specs: tuple[PatientSpec, ...]
    eta: np.ndarray  # (N, n_random_effects)
    effects: Variability

    def __len__(self) -> int:
        return len(self.specs)

    def covariates(self):
        """One row per man: his covariates and his individual random effects."""
        import pandas as pd

        frame = pd.DataFrame([s.__dict__ for s in self.specs])
        for j, name in enumerate(self.effects.names):
            frame[f"eta_{name}"] = self.eta[:, j]
        frame.insert(0, "patient", np.arange(len(self)))
        return frame


def sample(cohort: Cohort, n: int, seed: int | None = None, first: int = 0,
           cv_overrides: dict[str, float] | None = None) -> Population:
    """Men ``first`` … ``first + n - 1`` of the population with this seed."""
    seed = DEFAULT_SEED if seed is None else int(seed)
    effects = variability(cv_overrides=cv_overrides)
    specs, etas = [], []
    for i in range(first, first + n):
        rng = np.random.default_rng([seed, i])
        etas.append(effects.cholesky @ rng.standard_normal(len(effects.names)))
        specs.append(cohort.sample(rng))
    eta = np.array(etas).reshape(n, len(effects.names))
    return Population(seed, tuple(specs), eta, effects)


def thetas(population: Population, overrides: dict[str, float] | None = None) -> np.ndarray:
    """Parameter vectors, one row per man: covariate effects, then random effects."""
    from .simulate import patient_theta

    params, _, _ = model.build()
    cols = [params.position(n) for n in population.effects.names]
    sperm_col = population.effects.names.index("sperm_baseline_factor")
    rows = []
    for spec, eta in zip(population.specs, population.eta):
        theta = patient_theta(spec, overrides)
        factor = np.exp(eta)
        if spec.baseline_sperm_m_ml is not None:  # a measured covariate replaces the random effect
            factor[sperm_col] = 1.0
        theta[cols] *= factor
        rows.append(theta)
    return np.array(rows)
