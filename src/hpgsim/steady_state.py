"""The untreated steady state each man starts from.

A man's own equilibrium differs from the reference man's when his individual parameters
(age, SHBG, random effects) differ. Newton's method on the averaged right-hand side finds
it in a few dozen right-hand-side calls; if Newton fails (a degenerate phenotype), the
model is integrated for three untreated years instead. Sertoli maturity is one-way
development, not an equilibrium, so it keeps its starting value.
"""

from __future__ import annotations

import numpy as np

from .compiled import compiled
from .model import AVERAGED, PULSATILE, reference_state, rhs
from .physiology.spermatogenesis import N_EPIDIDYMIS, N_STAGES
from .solver import solve

WARMUP_DAYS = 3.0 * 365.25
PULSATILE_SETTLE_DAYS = 1.0
HMAX_AVERAGED = 1.0
HMAX_PULSATILE = 1.0 / 1440.0
HMAX = {AVERAGED: HMAX_AVERAGED, PULSATILE: HMAX_PULSATILE}
"""Largest step (days) of each resolution."""
NEWTON_TOL = 1e-11
"""Largest relative rate of change (per day) accepted as 'at rest'."""


@compiled
def moving_states(S):
    """States that relax at rest (the unknowns of the Newton solve)."""
    fixed = (S.pulse_phase, S.lh, S.sertoli_maturity)  # phase, quasi-steady LH, development
    idx = []
    for k in range(S.germ0 + N_STAGES + N_EPIDIDYMIS):
        if k != fixed[0] and k != fixed[1] and k != fixed[2]:
            idx.append(k)
    return np.array(idx)


@compiled
def _residual(f, y, idx):
    r = 0.0
    for k in idx:
        r = max(r, abs(f[k]) / max(abs(y[k]), 1e-6))
    return r


@compiled
def newton_rest(y, theta, P, S, ref, lib, u):
    """Solve dy/dt = 0 in place for the moving states; True when converged."""
    idx = moving_states(S)
    m = idx.size
    f = np.empty(y.size)
    f_try = np.empty(y.size)
    jac = np.empty((m, m))
    rhs(0.0, y, f, theta, P, S, ref, lib, u, AVERAGED)
    res = _residual(f, y, idx)
    for _ in range(30):
        if res <= NEWTON_TOL:
            return True
        for j in range(m):
            k = idx[j]
            saved = y[k]
            h = 1e-7 * abs(saved) + 1e-12
            y[k] = saved + h
            rhs(0.0, y, f_try, theta, P, S, ref, lib, u, AVERAGED)
            y[k] = saved
            for i in range(m):
                jac[i, j] = (f_try[idx[i]] - f[idx[i]]) / h
        try:
            step = np.linalg.solve(jac, -f[idx])
        except Exception:  # singular Jacobian (an extreme parameter set): warm up instead
            return False
        lam = 1.0
        y_try = y.copy()
        while lam > 1e-3:  # damped: accept the first step that lowers the residual
            for i in range(m):
                y_try[idx[i]] = max(y[idx[i]] + lam * step[i], 0.0)
            rhs(0.0, y_try, f_try, theta, P, S, ref, lib, u, AVERAGED)
            res_try = _residual(f_try, y_try, idx)
            if res_try < res:
                break
            lam *= 0.5
        if lam <= 1e-3:
            return False
        y[:] = y_try
        f[:] = f_try
        res = res_try
    return res <= NEWTON_TOL


@compiled
def _integrate(y, t_from, t_to, theta, P, S, ref, lib, u, mode, rtol, atol, hmax):
    end = np.array([t_to])
    Y, _, _ = solve(y, np.array([t_from]), end, np.zeros((1, y.size)), u.reshape(1, -1), end,
                    theta, P, S, ref, lib, mode, rtol, np.full(y.size, atol), hmax)
    return Y[0].copy()


@compiled
def untreated_state(theta, P, S, ref, lib, n, n_inputs, mode, t0):
    """(state at ``t0`` of this man before any treatment, found by Newton?)."""
    u = np.zeros(n_inputs)
    y = reference_state(theta, P, S, ref, n)
    converged = newton_rest(y, theta, P, S, ref, lib, u)
    if not converged:
        y = _integrate(reference_state(theta, P, S, ref, n), t0 - WARMUP_DAYS, t0,
                       theta, P, S, ref, lib, u, AVERAGED, 1e-7, 1e-10, HMAX_AVERAGED)
    if mode == PULSATILE:
        y = _integrate(y, t0 - PULSATILE_SETTLE_DAYS, t0, theta, P, S, ref, lib, u, PULSATILE,
                       1e-6, 1e-9, HMAX_PULSATILE)
    return y, converged
