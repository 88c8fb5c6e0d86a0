"""How hpgsim compiles its model code: one decorator for every compiled function.

``error_model="numpy"`` lets a division by zero give inf or nan as in NumPy instead of
raising, so numba does not test every divisor in the right-hand side before dividing: the
same numbers (no divisor in the model is zero on a valid state), about a fifth less time per
right-hand side (``benchmarks/run.py``). ``fastmath`` is limited to fused multiply-adds
(``contract``) and multiplying by a reciprocal instead of dividing (``arcp``): results change
in the last bits only (validation metrics by under 1e-6 relative), integration takes 5-8 %
less time; the flags that assume no NaN or infinity are left off, because the engine checks
its outputs for them. Compiled code is cached on disk (see ``_cache``).
"""

from numba import njit

FASTMATH = {"contract", "arcp"}

compiled = njit(cache=True, fastmath=FASTMATH, error_model="numpy")
"""Decorator for the model's compiled functions."""

compiled_nogil = njit(cache=True, nogil=True, fastmath=FASTMATH, error_model="numpy")
"""The same, releasing the GIL (the engine's loop over men runs in threads)."""
