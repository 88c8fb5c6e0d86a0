"""Turn a simulated scenario into the contract's files, all-or-nothing."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from .report import DosingPeriod, render_report
from .scenario import Scenario
from .simulate import Result, simulate


def dosing_periods(scenario: Scenario) -> list[DosingPeriod]:
    """One band per regimen, from its start to its stop (or last dose + interval, or the end)."""
    periods = []
    until = scenario.settings.until_d
    for r in scenario.regimens:
        if r.stop_d is not None:
            stop = min(r.stop_d, until)
        elif r.every_d is None and r.rate_per_day is None:
            stop = min(r.start_d + 1.0, until)
        else:
            stop = until
        periods.append(DosingPeriod(r.drug, _label(r), r.start_d, stop, r.route))
    return periods


def _label(r) -> str:
    from .drugs import PRODUCTS

    unit = PRODUCTS[r.drug].dose_unit
    if r.rate_per_day is not None:
        return f"{r.label} {r.rate_per_day / 24.0 * (1000 if unit == 'mg' else 1):g} {'ug' if unit == 'mg' else unit}/h"
    amount = f"{r.dose * 1000:g} ug" if unit == "mg" and r.dose < 1 else f"{r.dose:g} {unit}"
    every = "" if r.every_d is None else f" every {_interval(r.every_d)}"
    return f"{r.label} {amount}{every}"


def _interval(days: float) -> str:
    if days < 1.0:
        return f"{days * 1440:g} min"
    if days % 7 == 0:
        return f"{days / 7:g} wk"
    return f"{days:g} d"


def render_outputs(scenario: Scenario, result: Result | None = None) -> dict[str, bytes]:
    """All output files of a run as bytes, keyed by file name (nothing written yet)."""
    result = result or simulate(scenario)
    frame = result.to_pandas()
    files: dict[str, bytes] = {}
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    files["timeseries.parquet"] = buf.getvalue()
    if scenario.settings.population == 1:
        files["timeseries.csv"] = frame.to_csv(index=False, float_format="%.6g").encode()
    html = render_report(
        title=f"hpgsim: {scenario.name}", frame=frame, dosing_periods=dosing_periods(scenario),
        scenario_text=scenario.text, resolution=scenario.settings.resolution,
        assay_limits=dict(scenario.settings.assay_limits),
    )
    files["report.html"] = html.encode("utf-8")
    return files


def write_outputs(files: dict[str, bytes], out: Path) -> None:
    """Write every file atomically (temporary name, then rename) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out / name)


def _parquet(frame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def km_table(result):
    """Kaplan-Meier curves of every protocol and endpoint, with 95 % bands, as one table."""
    import pandas as pd

    from .trial import kaplan_meier

    parts = []
    for (proto, ep), g in result.endpoints.groupby(["protocol", "endpoint"], sort=False):
        km = kaplan_meier(g["time_d"].to_numpy(), g["event"].to_numpy(), proto)
        ci = km.confidence_interval_
        parts.append(pd.DataFrame({
            "protocol": proto, "endpoint": ep, "time_months": km.survival_function_.index.to_numpy(),
            "probability": 1.0 - km.survival_function_.iloc[:, 0].to_numpy(),
            "probability_low": 1.0 - ci.iloc[:, 1].to_numpy(),
            "probability_high": 1.0 - ci.iloc[:, 0].to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True)


def render_trial_outputs(result) -> dict[str, bytes]:
    """All files of a virtual trial as bytes, keyed by file name (nothing written yet)."""
    from .trial_report import render_trial_report

    summary, comparisons = result.summary(), result.comparisons()
    return {
        "endpoints.parquet": _parquet(result.endpoints),
        "covariates.parquet": _parquet(result.covariates),
        "kaplan_meier.parquet": _parquet(km_table(result)),
        "summary.parquet": _parquet(summary),
        "summary.csv": summary.to_csv(index=False, float_format="%.6g").encode(),
        "comparisons.parquet": _parquet(comparisons),
        "comparisons.csv": comparisons.to_csv(index=False, float_format="%.6g").encode(),
        "azoospermia.csv": result.azoospermia.to_csv(index=False, float_format="%.6g").encode(),
        "report.html": render_trial_report(result).encode("utf-8"),
    }
