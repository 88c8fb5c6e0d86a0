"""Adaptive Dormand-Prince 5(4) integration of the model, restarted at every dosing event.

Doses are discontinuities: the time axis is cut into segments at every bolus and every
change of infusion or pump, and each segment starts from the post-dose state. Output
times inside a step are read from the method's fourth-order continuous extension, so the
output grid does not cut steps short (Hairer, Nørsett & Wanner, Solving ODEs I, 2nd ed.,
§II.6). The step-size controller is Gustafsson's PI controller, which keeps a step near a
stability boundary from alternating between acceptance and rejection (ibid. §IV.2, as in
DOPRI5), except that a step far more accurate than needed grows by the elementary
controller; after a dose, the first step is the one that succeeded after the previous dose.
The averaged formulation keeps the fastest rates at hours (GnRH and receptor binding are
pulse-averaged, not integrated), which is what lets an explicit compiled method stay fast;
``benchmarks/`` compares it with SciPy's LSODA on the same equations.
(Dormand & Prince, J Comput Appl Math 1980;6:19-26.)
"""

from __future__ import annotations

import numpy as np

from .compiled import compiled, kernel
from .model import live_drug_states, live_library, rhs

# Dormand-Prince 5(4) tableau
C2, C3, C4, C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
A21 = 1.0 / 5.0
A31, A32 = 3.0 / 40.0, 9.0 / 40.0
A41, A42, A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
A51, A52, A53, A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
A61, A62, A63, A64, A65 = 9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0
B1, B3, B4, B5, B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
E1, E3, E4, E5, E6, E7 = (
    71.0 / 57600.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0, -1.0 / 40.0
)

# Dense output: Hairer's coefficients for the continuous extension of DOPRI5
D1, D3, D4 = -12715105075.0 / 11282082432.0, 87487479700.0 / 32700410799.0, -10690763975.0 / 1880347072.0
D5, D6, D7 = 701980252875.0 / 199316789632.0, -1453857185.0 / 822651844.0, 69997945.0 / 29380423.0

SOLUTION_ROW = np.array([B1, 0.0, B3, B4, B5, B6])
STAGE_ROWS = (np.array([A21]), np.array([A31, A32]), np.array([A41, A42, A43]),
              np.array([A51, A52, A53, A54]), np.array([A61, A62, A63, A64, A65]), SOLUTION_ROW)
"""Rows 2-7 of the tableau: stage 7 is the fifth-order solution (first same as last)."""
STAGE_NODES = np.array([C2, C3, C4, C5, 1.0, 1.0])
ERROR_ROW = np.array([E1, 0.0, E3, E4, E5, E6, E7])
DENSE_ROW = np.array([D1, 0.0, D3, D4, D5, D6, D7])
"""The tableau as arrays, which the compiled loop reads as constants."""

_stage_rhs = kernel(inline=True)(rhs.py_func)
"""The right-hand side compiled into the stage loop of :func:`_integrate` (one copy, called
six times per step). With the pituitary inputs compiled into it too, numba and LLVM then see
one function instead of passing the parameter and state indices (about 140 integers) and the
drug library's arrays at every call: 0.89-0.91 of the typical man's solve time and 0.77-0.81
of a 10,000-man trial's, the same states bit for bit (README, "Speed")."""

SAFETY = 0.9
PI_BETA = 0.04
"""Weight of the previous step's error in the PI controller (Hairer's DOPRI5 default)."""
I_CONTROL_BELOW = 0.15
"""Below this error estimate the step grows by the elementary controller (SAFETY·err^-1/5),
faster than the PI controller allows: steps far more accurate than needed, as when a dose's
transient has passed, reach their size in fewer steps (2-9 % fewer attempts on the example
protocols at rtol 1e-4, with a similar error against a tight solution)."""
STRETCH = 1.1
"""A segment's remainder up to this many trial steps is taken in one step, not two."""

H_MIN = 1e-10
"""Smallest step (days): accepted whatever its error estimate, so a kink cannot stall time."""

DRUG_FLUSH = 1e-12
"""Drug amounts below this are set to zero so a washed-out drug stops limiting the step."""


@compiled
def absolute_tolerances(atol, of_untreated, scales):
    """Each state's absolute tolerance: ``atol``, or ``of_untreated`` × the state's untreated
    level (``scales``, :func:`hpgsim.model.state_scales`) where that is larger.

    With ``of_untreated`` at 0 every state gets ``atol``. A positive share stops the solver
    from following a suppressed hormone (FSH or ITT at a few per cent of normal on TRT) to
    ``rtol`` of its own tiny value, far below what any assay resolves.
    """
    out = np.empty(scales.size)
    for i in range(scales.size):
        out[i] = max(atol, of_untreated * scales[i])
    return out


@kernel
def _combine(k, coeffs, out, n_body, drugs):
    """out = Σ_j coeffs[j]·k[j] over the physiology states ``0 … n_body-1`` (one contiguous
    loop that vectorizes) and the live drug states ``drugs``; the others stay exactly zero."""
    for i in range(n_body):
        out[i] = 0.0
    for i in drugs:
        out[i] = 0.0
    for j in range(coeffs.size):
        c = coeffs[j]
        for i in range(n_body):
            out[i] += c * k[j, i]
        for i in drugs:
            out[i] += c * k[j, i]


@kernel
def _stage(y, h, k, coeffs, out, n_body, drugs):
    _combine(k, coeffs, out, n_body, drugs)
    for i in range(n_body):
        out[i] = y[i] + h * out[i]
    for i in drugs:
        out[i] = y[i] + h * out[i]


@kernel
def _copy(src, dst, n_body, drugs):
    for i in range(n_body):
        dst[i] = src[i]
    for i in drugs:
        dst[i] = src[i]


@kernel
def _store(y, out_row):
    """out_row = y element by element (assigning a whole row may copy through a temporary
    array, which a kernel cannot create)."""
    for i in range(y.size):
        out_row[i] = y[i]


@kernel
def _interpolate(y, y_new, k, d, h, theta, out_row):
    """State at fraction ``theta`` of the step from ``y`` to ``y_new`` (continuous extension)."""
    t1 = 1.0 - theta
    for i in range(y.size):
        dy = y_new[i] - y[i]
        spline = h * k[0, i] - dy
        quartic = h * (d[0] * k[0, i] + d[2] * k[2, i] + d[3] * k[3, i] + d[4] * k[4, i]
                       + d[5] * k[5, i] + d[6] * k[6, i])
        out_row[i] = y[i] + theta * (dy + t1 * (spline + theta * (dy - h * k[6, i] - spline + t1 * quartic)))


@compiled
def solve(y0, seg_t0, seg_t1, seg_bolus, seg_u, out_t, theta, P, S, ref, lib, mode,
          rtol, atol, hmax):
    """Integrate over all segments; return (states at ``out_t``, accepted steps, rejected).

    ``atol`` holds each state's absolute tolerance (see :func:`absolute_tolerances`).
    Rows of output times not reached (the solver gave up) stay NaN; callers report it.
    """
    n = y0.size
    out = np.full((out_t.size, n), np.nan)
    lib = live_library(S, lib, y0, seg_bolus, seg_u)
    n_accept, n_reject = _integrate(y0.copy(), np.zeros(n), np.zeros(n), np.zeros((7, n)), out,
                                    seg_t0, seg_t1, seg_bolus, seg_u, out_t, theta, P, S, ref, lib,
                                    live_drug_states(S, lib), mode, rtol, atol, hmax)
    return out, n_accept, n_reject


@kernel
def _integrate(y, y_new, tmp, k, out, seg_t0, seg_t1, seg_bolus, seg_u, out_t, theta, P, S, ref, lib,
               drug_live, mode, rtol, atol, hmax):
    """The stepping loop of :func:`solve`, in the buffers it allocates: (accepted steps,
    rejected steps)."""
    n = y.size
    n_out = out_t.size
    n_body = S.depot0
    n_accept = 0
    n_reject = 0
    k_out = 0
    h = min(hmax, 1e-3)
    h_after_dose = 0.0  # first accepted step after the previous dose (0: none yet)
    err_old = 1e-4
    for seg in range(seg_t0.size):
        t = seg_t0[seg]
        t_end = seg_t1[seg]
        u = seg_u[seg]
        dosed = False
        for i in range(n):
            if seg_bolus[seg, i] != 0.0:
                dosed = True
            y[i] += seg_bolus[seg, i]
        if dosed and h_after_dose > 0.0:
            h = h_after_dose
        first_step = dosed
        while k_out < n_out and out_t[k_out] <= t:
            _store(y, out[k_out])
            k_out += 1
        rhs(t, y, k[0], theta, P, S, ref, lib, u, mode)
        rejected = False
        while t < t_end:
            h_try = min(h, hmax)
            # stretch onto the segment's end, but never re-grow a step just rejected
            last = h_try * (1.0 if rejected else STRETCH) >= t_end - t
            if last:
                h_try = t_end - t
            for j in range(6):  # stages 2-7; the last one is the candidate solution y_new
                stage_y = y_new if j == 5 else tmp
                _stage(y, h_try, k, STAGE_ROWS[j], stage_y, n_body, drug_live)
                _stage_rhs(t + STAGE_NODES[j] * h_try, stage_y, k[j + 1], theta, P, S, ref, lib, u, mode)
            _combine(k, ERROR_ROW, tmp, n_body, drug_live)
            err = 0.0  # RMS over all n states; drugs never given add exact zeros
            for i in range(n_body):
                scale = atol[i] + rtol * max(abs(y[i]), abs(y_new[i]))
                err += (h_try * tmp[i] / scale) ** 2
            for i in drug_live:
                scale = atol[i] + rtol * max(abs(y[i]), abs(y_new[i]))
                err += (h_try * tmp[i] / scale) ** 2
            err = np.sqrt(err / n)
            if not np.isfinite(err):  # the trial step overflowed: shrink it, or give up
                if h_try < H_MIN:
                    return n_accept, n_reject  # rows not reached stay NaN
                n_reject += 1
                rejected = True
                h = 0.2 * h_try
                continue
            if err <= 1.0 or h_try < H_MIN:
                t_new = t_end if last else t + h_try
                while k_out < n_out and out_t[k_out] <= t_new:
                    if out_t[k_out] == t_new:
                        _store(y_new, out[k_out])
                    else:
                        _interpolate(y, y_new, k, DENSE_ROW, h_try, (out_t[k_out] - t) / h_try, out[k_out])
                    k_out += 1
                t = t_new
                _copy(y_new, y, n_body, drug_live)
                flushed = False
                for i in drug_live:
                    if y[i] != 0.0 and abs(y[i]) < DRUG_FLUSH:
                        y[i] = 0.0
                        flushed = True
                if flushed:
                    rhs(t, y, k[0], theta, P, S, ref, lib, u, mode)
                else:
                    _copy(k[6], k[0], n_body, drug_live)
                n_accept += 1
                if first_step:
                    h_after_dose = h_try
                    first_step = False
                if err == 0.0:
                    factor = 5.0
                elif err < I_CONTROL_BELOW:
                    factor = min(5.0, SAFETY * err ** -0.2)
                else:
                    factor = min(5.0, max(0.2, SAFETY * err ** (PI_BETA * 0.75 - 0.2) * err_old ** PI_BETA))
                err_old = max(err, 1e-4)
                if rejected:
                    factor = min(factor, 1.0)
                rejected = False
                if not last or factor < 1.0:
                    h = h_try * factor
            else:
                n_reject += 1
                rejected = True
                h = h_try * max(0.2, SAFETY * err ** -0.25)
    return n_accept, n_reject
