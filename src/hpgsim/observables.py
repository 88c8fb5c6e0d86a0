"""What a lab would measure, computed from the model state: the contract's output columns."""

from __future__ import annotations

import numpy as np

from .compiled import compiled, kernel
from .model import drug_effects, serum_lh
from .physiology import spermatogenesis, testosterone
from .physiology.spermatogenesis import N_EPIDIDYMIS, N_STAGES
from .units import NG_DL_PER_NMOL_L, T_MOLAR_MASS_G_MOL

COLUMNS = (
    "lh_iu_l",
    "fsh_iu_l",
    "testosterone_total_ng_dl",
    "testosterone_free_pg_ml",
    "estradiol_pg_ml",
    "shbg_nmol_l",
    "itt_nmol_l",
    "inhibin_b_pg_ml",
    "sperm_concentration_m_ml",
    "total_motile_count_m",
    "testis_volume_ml",
)
PG_ML_PER_PMOL_L = T_MOLAR_MASS_G_MOL / 1000.0


@compiled
def observe(Y, U, theta, P, S, ref, lib, mode):
    """One row of measurable quantities per state row (assays see exogenous LH and FSH).

    ``U`` holds each row's segment inputs: serum LH is re-derived from the state
    (:func:`hpgsim.model.serum_lh`), where the averaged resolution treats it as quasi-steady.
    """
    out = np.empty((Y.shape[0], 11))
    _observe_rows(Y, U, theta, P, S, ref, lib, mode, out)
    return out


@kernel
def _observe_rows(Y, U, theta, P, S, ref, lib, mode, out):
    """Fill ``out`` (rows of :data:`COLUMNS`) from the state rows ``Y``."""
    for r in range(Y.shape[0]):
        y = Y[r]
        effects = drug_effects(theta, P, S, y, lib)
        lh = serum_lh(y, theta, P, S, ref, U[r], mode, effects)
        lh_exo, fsh_exo = effects[6], effects[7]
        serum_t = max(y[S.serum_t], 0.0)
        shbg = theta[P.shbg_nmol_l]
        free_t = testosterone.free_testosterone_pmol_l(theta, P, serum_t, shbg)
        germ = y[S.germ0:S.germ0 + N_STAGES]
        epi = y[S.epi0:S.epi0 + N_EPIDIDYMIS]
        sperm = (theta[P.sperm_ref_m_ml] * theta[P.sperm_baseline_factor]
                 * max(spermatogenesis.output_relative(theta, P, epi), 0.0))
        capacity = y[S.sertoli_maturity] * theta[P.sertoli_capacity]
        out[r, 0] = lh + lh_exo
        out[r, 1] = max(y[S.fsh], 0.0) + fsh_exo
        out[r, 2] = serum_t * NG_DL_PER_NMOL_L
        out[r, 3] = free_t * PG_ML_PER_PMOL_L
        out[r, 4] = max(y[S.e2], 0.0)
        out[r, 5] = shbg
        out[r, 6] = max(y[S.itt], 0.0)
        out[r, 7] = max(y[S.inhibin_b], 0.0)
        out[r, 8] = sperm
        out[r, 9] = sperm * theta[P.semen_volume_ml] * theta[P.motile_fraction]
        out[r, 10] = spermatogenesis.testis_volume_ml(
            theta, P, capacity, max(spermatogenesis.germ_load(germ), 0.0))
