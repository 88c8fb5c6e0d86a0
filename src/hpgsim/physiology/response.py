"""Dose-response shapes shared by every module (compiled helpers, no parameters)."""

import math

from ..compiled import kernel


@kernel
def power(x, n):
    """x**n for x >= 0, by multiplication and square roots for the exponents the tables
    use (glibc's pow costs several times more, and the right-hand side calls this often)."""
    if n == 1.0:
        return x
    if n == 2.0:
        return x * x
    if n == 3.0:
        return x * x * x
    if n == 4.0:
        x2 = x * x
        return x2 * x2
    if n == 8.0:
        x2 = x * x
        x4 = x2 * x2
        return x4 * x4
    if n == 16.0:
        x2 = x * x
        x4 = x2 * x2
        x8 = x4 * x4
        return x8 * x8
    if n == 0.25:
        return math.sqrt(math.sqrt(x))
    if n == 0.5:
        return math.sqrt(x)
    if n == 0.75:
        r = math.sqrt(x)
        return r * math.sqrt(r)
    if n == 1.5:
        return x * math.sqrt(x)
    return x**n


@kernel
def adaptation_rate(level, load, build_per_d, fade_per_d):
    """d(level)/dt of a bounded (0-1) memory of a load: it builds towards 1 at
    ``build_per_d`` while the load (0-1) is on and fades towards 0 at ``fade_per_d`` while
    it is off. Written without branches on the state, so the SBML export can trace it."""
    return build_per_d * load * (1.0 - level) - fade_per_d * (1.0 - load) * level


@kernel
def shortcut(condition):
    """``condition``, marking a branch that only saves work: it skips terms that would add
    zero, or reads values tabled in advance instead of computing them again.

    Tracing the equations for an export (``hpgsim.symbolic``) never takes such a branch,
    so the exported equations need no branch on the state.
    """
    return condition


@kernel
def hill(x, half, n):
    """Stimulatory Hill function (x/half)^n / (1 + (x/half)^n), for x >= 0."""
    r = power(max(x, 0.0) / half, n)
    return r / (1.0 + r)


@kernel
def hill_inhibition(x, half, n):
    """1 - hill: the fraction left by an inhibitor at level x."""
    return 1.0 / (1.0 + power(max(x, 0.0) / half, n))
