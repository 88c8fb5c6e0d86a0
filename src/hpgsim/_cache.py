"""Where compiled code is cached, keyed by the package's own source.

numba invalidates a cached function only when *its* file changes, not when a function it
calls (in another module) changes; the integrator compiles the whole right-hand side into
itself. Keying the cache folder by a hash of the compiled core's source files (the
modules with compiled code, and those whose constants and tables it reads) makes any change
there start from a clean cache, while editing a report or the command line does not.
Set ``HPGSIM_CACHE_DIR`` to move the cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
COMPILED_CORE = (
    "physiology/*.py", "drugs/*.py", "model.py", "solver.py", "steady_state.py", "engine.py",
    "observables.py", "units.py", "parameters.py", "patients.py", "_cache.py", "compiled.py",
)


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted({p for pattern in COMPILED_CORE for p in PACKAGE.glob(pattern)}):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def configure() -> Path:
    base = os.environ.get("HPGSIM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "hpgsim"
    )
    folder = Path(base) / f"numba-{source_hash()}"
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    try:
        import numba.core.config as numba_config

        numba_config.CACHE_DIR = str(folder)
    except ImportError:  # pragma: no cover - numba is a hard dependency
        pass
    return folder
