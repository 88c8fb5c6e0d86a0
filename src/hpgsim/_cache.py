"""Where compiled code is cached, keyed by the package's own source.

numba invalidates a cached function only when *its* file changes, not when a function it
calls (in another module) changes; the integrator compiles the whole right-hand side into
itself. Keying the cache folder by a hash of every source file of the package makes any
change, anywhere, start from a clean cache. Set ``HPGSIM_CACHE_DIR`` to move the cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
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
