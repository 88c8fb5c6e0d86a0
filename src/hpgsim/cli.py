"""Command line: ``hpgsim run``, ``hpgsim drugs``, ``hpgsim params``.

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
