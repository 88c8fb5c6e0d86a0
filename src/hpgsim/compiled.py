"""How hpgsim compiles its model code: the decorators every compiled function uses.

``error_model="numpy"`` lets a division by zero give inf or nan as in NumPy instead of
raising, so numba does not test every divisor in the right-hand side before dividing: the
same numbers (no divisor in the model is zero on a valid state), about a fifth less time per
right-hand side (``benchmarks/run.py``). ``fastmath`` is limited to fused multiply-adds
(``contract``) and multiplying by a reciprocal instead of dividing (``arcp``): results change
in the last bits only (validation metrics by under 1e-6 relative), integration takes 5-8 %
less time; the flags that assume no NaN or infinity are left off, because the engine checks
its outputs for them. Compiled code is cached on disk (see ``_cache``).

The right-hand side and the solver's vector steps are compiled by :func:`kernel`, without
numba's reference counting: they only compute with numbers and the arrays they are handed,
so the counts they would keep (an atomic add and subtract for every slice, view and array
argument, about a dozen per right-hand side) protect nothing there. ``_nrt`` is an
undocumented numba option; the lock file pins numba, and an unknown option fails at the first
compilation, not silently.
"""

from numba import njit

FASTMATH = {"contract", "arcp"}

compiled = njit(cache=True, fastmath=FASTMATH, error_model="numpy")
"""Decorator for the model's compiled functions."""

compiled_nogil = njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
"""The same, releasing the GIL (the engine's loop over men runs in threads)."""

KERNELS: list = []
"""Every function compiled by :func:`kernel` (``tests/test_solver.py`` checks that none
returns an array)."""


def kernel(function=None, *, inline=False):
    """Compile ``function`` like :data:`compiled`, without reference counting.

    For functions that create no array and return no array: they read and write the arrays they
    are given (slices and views of them included) and return numbers or tuples of numbers.
    numba refuses to compile an array allocation here; returning an array would leave its
    count wrong, which the test named above rules out.

    ``@kernel(inline=True)`` compiles the function into each caller (numba's IR inlining).
    It is meant for the large functions called once or a few times per right-hand side, and
    for one copy of the right-hand side itself in the solver's stage loop
    (``solver._stage_rhs``, made with ``kernel(inline=True)(rhs.py_func)``): numba passes the
    parameter index ``P`` (a named tuple of about 120 integers) as that many separate
    arguments on every call LLVM does not inline itself. Each inlined copy adds compile time
    (README, "Speed").
    """
    if function is None:
        return lambda f: kernel(f, inline=inline)
    dispatcher = njit(cache=True, fastmath=FASTMATH, error_model="numpy", _nrt=False,
                      inline="always" if inline else "never")(function)
    KERNELS.append(dispatcher)
    return dispatcher
