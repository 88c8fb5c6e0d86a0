"""``hpgsim validate``: run the cases, then build the report and tables in memory (nothing is
written until everything succeeded)."""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

import pandas as pd

from ..calibration import provenance
from .cases import select
from .report import pass_summary, render
from .run import CaseResult, run_cases

LIMITATIONS_FILE = Path(__file__).with_name("limitations.md")
CONFLICTS_FILE = Path(__file__).with_name("conflicts.md")


def _bullets(path: Path) -> list[str]:
    """The top-level ``- `` items of a Markdown list file."""
    text = path.read_text(encoding="utf-8")
    return [line[2:].strip() for line in text.splitlines() if line.startswith("- ")]


def limitations() -> list[str]:
    """The model's limitations, one plain sentence or two each (also quoted in the README)."""
    return _bullets(LIMITATIONS_FILE)


def conflicts() -> list[str]:
    """Where published sources disagree, and the choice hpgsim made (also in the README)."""
    return _bullets(CONFLICTS_FILE)


def metrics_table(results: list[CaseResult]) -> pd.DataFrame:
    rows = []
    for r in results:
        for m in r.metrics:
            tol = m.metric.tolerance
            rows.append({
                "case": r.case.id, "group": r.case.group, "metric": m.metric.name,
                "label": m.metric.label or m.metric.name, "unit": m.metric.unit,
                "published": m.published, "simulated": m.simulated,
                "interval_low": m.interval[0], "interval_high": m.interval[1], "n_men": m.n_men,
                "tolerance": None if tol is None else tol.describe(m.published),
                "passed": m.passed,
            })
        if r.error:
            rows.append({"case": r.case.id, "group": r.case.group, "metric": "error", "label": r.error,
                         "passed": False})
    return pd.DataFrame(rows)


def _number(x: float) -> str:
    """A figure as the summary prints it: 3 significant digits, no trailing zeros.

    >>> _number(531.2), _number(0.7614), _number(float("inf"))
    ('531', '0.761', 'never')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "never"
    return f"{x:.3g}"


def summary_markdown(results: list[CaseResult]) -> str:
    """The README's validation table: one row per case, its judged metrics as
    "label: published → simulated (95 % interval over men)" and whether all hold."""
    lines = ["| case | group | metric: published → simulated (95 % interval over men) | holds |",
             "|---|---|---|---|"]
    for r in results:
        parts = []
        for m in r.judged:
            target = _number(m.published) if m.published is not None else m.metric.tolerance.describe(None)
            interval = ""
            if not any(math.isnan(v) for v in m.interval):
                interval = f" ({_number(m.interval[0])}–{_number(m.interval[1])})"
            mark = "" if m.passed else " **(misses)**"
            parts.append(f"{m.metric.label or m.metric.name}: {target} → {_number(m.simulated)}{interval}{mark}")
        cell = "; ".join(parts).replace("|", "\\|") if parts else (r.error or "–")
        lines.append(f"| `{r.case.id}` | {r.case.group} | {cell} | {'yes' if r.passed else 'no'} |")
    return "\n".join(lines) + "\n"


def render_validation(*, only=None, fast=False, sensitivity=True, echo=print,
                      trajectories: int = 8) -> tuple[dict[str, bytes], bool]:
    """Run the selected cases (and the sensitivity analysis); return (files, all passed)."""
    cases = select(only, fast=True if fast else None)
    start = time.perf_counter()

    def progress(r: CaseResult) -> None:
        status = "pass" if r.passed else "FAIL"
        echo(f"{r.case.id:<32} {status}  ({r.seconds:.1f} s)" + (f"  {r.error}" if r.error else ""))

    results = run_cases(cases, on_case=progress)
    files: dict[str, bytes] = {}
    section = ""
    if sensitivity:
        from ..sensitivity import run_morris, section_html

        echo("global sensitivity analysis (Morris) ...")
        analysis = run_morris(trajectories=trajectories)
        section = section_html(analysis)
        files["sensitivity.csv"] = analysis.table.to_csv(index=False).encode()
    seconds = time.perf_counter() - start
    table = metrics_table(results)
    files["metrics.csv"] = table.to_csv(index=False).encode()
    buf = io.BytesIO()
    table.astype({"passed": "boolean"}).to_parquet(buf, index=False)
    files["metrics.parquet"] = buf.getvalue()
    html = render(results, provenance=provenance(), limitations=limitations(), conflicts=conflicts(),
                  sensitivity_html=section, seconds=seconds)
    files["report.html"] = html.encode("utf-8")
    files["summary.md"] = (f"{pass_summary(results)}.\n\n" + summary_markdown(results)).encode("utf-8")
    passed = all(r.passed for r in results)
    echo(f"{pass_summary(results)} ({seconds:.0f} s)")
    return files, passed
