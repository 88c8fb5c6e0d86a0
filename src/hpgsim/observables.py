"""What a lab would measure, computed from the model state: the contract's output columns.

Each row has a clock time: time 0 is the scenario's ``time_of_day`` (08:00 unless set), so
rows at whole days are morning values, the time labs are drawn. Total and free T carry the
daily rhythm of testicular secretion at that clock time
(:func:`hpgsim.physiology.testosterone.diurnal_factor`); the other columns have none worth
modelling (Brambilla 2009: much lower diurnal variation in SHBG, LH, FSH and E2).
"""

from __future__ import annotations

import numpy as np

from .compiled import compiled, kernel
from .model import drug_effects, serum_lh, testicular_secretion
from .physiology import spermatogenesis, testosterone
from .physiology.spermatogenesis import N_EPIDIDYMIS, N_STAGES
from .physiology.testosterone import MORNING_H
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


def clock_hours(times_d, time_of_day_h: float = MORNING_H) -> np.ndarray:
    """Clock time (h, 0-24) of each output time when time 0 is at ``time_of_day_h``.

    >>> clock_hours(np.array([0.0, 0.25, 1.0]))
    array([ 8., 14.,  8.])
    """
    return np.mod(time_of_day_h + 24.0 * np.asarray(times_d, dtype=float), 24.0)


@compiled
def observe(Y, U, clock_h, theta, P, S, ref, lib, mode):
    """One row of measurable quantities per state row (assays see exogenous LH and FSH).

    ``clock_h`` is each row's clock time (:func:`clock_hours`). ``U`` holds each row's segment inputs: serum LH is re-derived from the state
    (:func:`hpgsim.model.serum_lh`), where the averaged resolution treats it as quasi-steady.
    """
    out = np.empty((Y.shape[0], 11))
    _observe_rows(Y, U, clock_h, theta, P, S, ref, lib, mode, out)
    return out


@kernel
def _observe_rows(Y, U, clock_h, theta, P, S, ref, lib, mode, out):
    """Fill ``out`` (rows of :data:`COLUMNS`) from the state rows ``Y``."""
    for r in range(Y.shape[0]):
        y = Y[r]
        effects = drug_effects(theta, P, S, y, lib)
        lh = serum_lh(y, theta, P, S, ref, U[r], mode, effects)
        lh_exo, fsh_exo = effects[6], effects[7]
        # the testicular share of serum T follows the daily rhythm (the state is the 08:00 level)
        state_t = max(y[S.serum_t], 0.0)
        testicular = testosterone.testicular_share_nmol_l(
            theta, P, state_t, testicular_secretion(y, theta, P, S, ref, lh + effects[5]))
        serum_t = state_t + testicular * (testosterone.diurnal_factor(theta, P, clock_h[r]) - 1.0)
        shbg = max(y[S.shbg], 0.0)
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
