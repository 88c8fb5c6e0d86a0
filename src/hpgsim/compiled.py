"""How hpgsim compiles its model code: one decorator for every compiled function.

``error_model="numpy"`` lets a division by zero give inf or nan as in NumPy instead of
raising, so numba does not test every divisor in the right-hand side before dividing: the
same numbers (no divisor in the model is zero on a valid state), about a fifth less time per
right-hand side (``benchmarks/run.py``). Compiled code is cached on disk (see ``_cache``).
"""

from numba import njit

compiled = njit(cache=True, error_model="numpy")
"""Decorator for the model's compiled functions."""

compiled_nogil = njit(cache=True, nogil=True, error_model="numpy")
"""The same, releasing the GIL (the engine's loop over men runs in threads)."""
