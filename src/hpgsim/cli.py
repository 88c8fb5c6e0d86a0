"""Command line: ``hpgsim run``, ``hpgsim trial``, ``hpgsim validate``, ``hpgsim export-sbml``,
``hpgsim drugs``, ``hpgsim params``.

Bad input exits with status 2 and one message naming the field and the problem, and
writes nothing: outputs are computed first and written only when everything succeeded.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .scenario import ScenarioError, load_scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="hpgsim: simulate the male HPG axis under testosterone therapy and fertility drugs. "
    "For research and education; not medical advice.",
)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="scenario file (YAML, contract version 1)"),
    out: Path = typer.Option(..., "--out", help="output folder"),
) -> None:
    """Simulate a scenario; write timeseries.parquet (and .csv for one patient) and report.html."""
    from .outputs import render_outputs, write_outputs

    try:
        sc = load_scenario(scenario)
        files = render_outputs(sc)
    except ScenarioError as exc:
        _fail(str(exc))
    except RuntimeError as exc:  # the solver could not integrate this scenario
        _fail(f"simulation failed: {exc}", code=1)
    write_outputs(files, out)
    typer.echo(f"wrote {', '.join(sorted(files))} to {out}")


@app.command()
def trial(
    protocols: list[Path] = typer.Argument(..., help="one scenario file per protocol"),
    n: int = typer.Option(2000, "--n", help="number of virtual men (the same men in every protocol)"),
    out: Path = typer.Option(..., "--out", help="output folder"),
    seed: int = typer.Option(None, "--seed", help="population seed (default: the first file's seed, else 0)"),
    scheduler: str = typer.Option(None, "--scheduler", envvar="DASK_SCHEDULER_ADDRESS",
                                  help="Dask scheduler address (tcp://host:port); default: this machine"),
    chunk: int = typer.Option(250, "--chunk", help="men per work unit"),
    rtol: float = typer.Option(None, "--rtol", help="solver relative tolerance (default 1e-4; absolute: 1e-3 of it)"),
) -> None:
    """Run each protocol on the same virtual men; write endpoints, Kaplan-Meier curves, tables, report."""
    from .outputs import render_trial_outputs, write_outputs
    from .trial import TRIAL_RTOL, run_trial

    try:
        scenarios = [load_scenario(p) for p in protocols]
        if chunk < 1:
            raise ScenarioError("--chunk: must be at least 1")
        if rtol is not None and not 1e-12 <= rtol <= 1e-2:
            raise ScenarioError(f"--rtol: {rtol:g} is outside 1e-12 to 1e-2")
        result = run_trial(scenarios, n, seed=seed, scheduler=scheduler, chunk_size=chunk,
                           rtol=TRIAL_RTOL if rtol is None else rtol)
        files = render_trial_outputs(result)
    except ScenarioError as exc:
        _fail(str(exc))
    except RuntimeError as exc:
        _fail(f"simulation failed: {exc}", code=1)
    write_outputs(files, out)
    typer.echo(f"wrote {', '.join(sorted(files))} to {out}")


@app.command("export-sbml")
def export_sbml(
    scenario: Path = typer.Argument(..., help="scenario file (averaged resolution)"),
    out: Path = typer.Option(None, "--out", help="file to write (default: standard output)"),
) -> None:
    """Write the averaged model of the scenario's typical patient, with its doses, as SBML L3V2."""
    from .sbml import export_sbml as to_sbml

    try:
        text = to_sbml(load_scenario(scenario))
    except (ScenarioError, ValueError) as exc:
        _fail(str(exc))
    if out is None:
        typer.echo(text)
        return
    from .outputs import write_outputs

    write_outputs({out.name: text.encode("utf-8")}, out.parent)
    typer.echo(f"wrote {out}", err=True)


@app.command()
def validate(
    out: Path = typer.Option(..., "--out", help="output folder"),
    only: list[str] = typer.Option(None, "--only", help="run only this case id (repeatable)"),
    fast: bool = typer.Option(False, "--fast", help="only the typical-patient cases (the test-suite subset)"),
    sensitivity: bool = typer.Option(True, "--sensitivity/--no-sensitivity",
                                     help="include the global sensitivity analysis (full runs only)"),
) -> None:
    """Reproduce the published record: run the validation cases, write report.html and tables.

    Exits 1 when a case fails (the report is still written), 2 on bad options.
    """
    from .outputs import write_outputs
    from .validation.cases import CaseError
    from .validation.command import render_validation

    try:
        files, passed = render_validation(only=only or None, fast=fast,
                                          sensitivity=sensitivity and not only and not fast,
                                          echo=lambda line: typer.echo(line, err=True))
    except CaseError as exc:
        _fail(str(exc))
    write_outputs(files, out)
    typer.echo(f"wrote {', '.join(sorted(files))} to {out}")
    if not passed:
        raise typer.Exit(1)


@app.command()
def calibrate(
    out: Path = typer.Option(..., "--out", help="output folder for the fit's tables"),
    fit: list[str] = typer.Option(None, "--fit", help="run only this fit of the calibration spec (repeatable)"),
    write: bool = typer.Option(False, "--write", help="write the estimates into the shipped parameter values"),
    max_evaluations: int = typer.Option(None, "--max-evaluations",
                                        help="model evaluations per fit (default: the spec's budget)"),
) -> None:
    """Estimate uncertain parameters against validation cases; report residuals and identifiability."""
    import pandas as pd

    from .calibration import fit as calibration
    from .outputs import write_outputs
    from .validation.cases import CaseError

    specs = calibration.load_spec()
    names = [s["name"] for s in specs]
    unknown = [f for f in fit or () if f not in names]
    if unknown:
        _fail(f"--fit: unknown fit {unknown[0]!r}; known: {', '.join(names)}")
    try:
        results = calibration.run_pipeline(specs, only=fit, max_evaluations=max_evaluations,
                                           echo=lambda line: typer.echo(line, err=True))
    except (CaseError, ValueError) as exc:
        _fail(str(exc))
    text = "\n\n".join(calibration.summary_text(r) for r in results)
    ident = pd.concat([r.identifiability.assign(fit=r.name) for r in results])
    resid = pd.concat([r.residuals.assign(fit=r.name) for r in results])
    write_outputs({"summary.txt": text.encode(), "identifiability.csv": ident.to_csv(index=False).encode(),
                   "residuals.csv": resid.to_csv(index=False).encode()}, out)
    typer.echo(text)
    if write:
        calibration.write_fitted(results)
        typer.echo(f"wrote the estimates to {calibration.FITTED_FILE.name}")


@app.command()
def drugs() -> None:
    """List the drug library: names, routes, usual doses, sources."""
    from .tables import drug_table

    typer.echo(drug_table())


@app.command()
def params(module: str = typer.Option(None, "--module", help="only this module")) -> None:
    """Print the parameter tables (value, unit, plausible range, source)."""
    from .tables import parameter_tables

    try:
        typer.echo(parameter_tables(module))
    except KeyError as exc:
        _fail(str(exc.args[0]))


if __name__ == "__main__":  # pragma: no cover
    app(prog_name="hpgsim")
