"""One line naming the machine a benchmark ran on, for quoting its numbers with it."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _cpuinfo(field: str) -> str | None:
    path = Path("/proc/cpuinfo")
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == field:
            return value.strip()
    return None


def _cores(n) -> str:
    return "1 core" if n == 1 else f"{n} cores"


def describe(cores: int | None = None) -> str:
    """Architecture, processor model and clock (where the system reports them), cores, Python.

    Absolute times differ between processors by factors of two on the same code, so a quoted
    time needs the processor it was measured on; ratios against a peer in the same run do not.
    """
    model = _cpuinfo("model name") or platform.processor() or "processor not reported"
    mhz = _cpuinfo("cpu MHz")
    clock = f" at {float(mhz) / 1000:.2f} GHz" if mhz else ""
    return (f"{platform.machine()}, {model}{clock}, {_cores(cores or os.cpu_count())}, "
            f"Python {platform.python_version()}")
