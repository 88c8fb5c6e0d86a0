"""Calibrated parameter values and their provenance.

``fitted.yaml`` (written by ``hpgsim calibrate --write``) holds the values estimated
against validation cases. :func:`apply` lays them over the module tables when the model is
built: the parameter's value or IIV CV is replaced and its source becomes
``"calibrated to: <case ids> (<date>); prior: <the table's own value and source>"``. The
tables in the modules stay the priors, so a calibration always starts from the same place.
Drug potencies (``what: potency``, keyed by the circulating species) are laid over the drug
library the same way by :func:`apply_potencies`.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import yaml

from ..parameters import Parameter, ParameterTable

FITTED_FILE = Path(__file__).with_name("fitted.yaml")
SPEC_FILE = Path(__file__).with_name("spec.yaml")


IIV_SUFFIX = ".iiv_cv"


def entry_key(name: str, what: str) -> str:
    """The key of an estimate in ``fitted.yaml``: the parameter's (or drug species') name, with
    ``.iiv_cv`` appended for an inter-individual CV, since one parameter may have both its
    typical value and its variability fitted."""
    return name + IIV_SUFFIX if what == "iiv_cv" else name


def parameter_name(key: str) -> str:
    """The parameter a ``fitted.yaml`` key belongs to (see :func:`entry_key`)."""
    return key.removesuffix(IIV_SUFFIX)


@lru_cache(maxsize=1)
def fitted() -> dict:
    """The shipped calibrated values (empty before any calibration)."""
    data = yaml.safe_load(FITTED_FILE.read_text(encoding="utf-8")) or {}
    return data


def _calibrated(p: Parameter, entry: dict, date: str) -> Parameter:
    ids = ", ".join(entry["calibrated_to"])
    if entry["what"] == "iiv_cv":
        prior = f"IIV CV {p.iiv_cv:g}"
        changes = {"iiv_cv": float(entry["value"])}
    else:
        prior = f"{p.value:g} {p.unit}"
        changes = {"value": float(entry["value"])}
    source = f"calibrated to: {ids} ({date}); prior {prior}: {p.source}"
    return dataclasses.replace(p, source=source, **changes)


def _entries(values: dict | None, *, potency: bool) -> tuple[dict, str]:
    """(entries, date) of ``values`` (default: ``fitted.yaml``): the drug potencies, or the
    parameter-table values and CVs."""
    data = fitted() if values is None else values
    entries = {k: v for k, v in (data.get("parameters") or {}).items() if (v["what"] == "potency") == potency}
    return entries, str(data.get("date", ""))


def apply(tables: list[ParameterTable], values: dict | None = None) -> list[ParameterTable]:
    """The tables with the calibrated values of ``values`` (default: ``fitted.yaml``)."""
    entries, date = _entries(values, potency=False)
    if not entries:
        return tables
    known = {p.name for t in tables for p in t.parameters}
    by_name: dict[str, list[dict]] = {}
    for key, entry in entries.items():
        by_name.setdefault(parameter_name(key), []).append(entry)
    unknown = sorted(set(by_name) - known)
    if unknown:
        raise ValueError(f"{FITTED_FILE.name}: unknown parameter {unknown[0]!r}")

    def calibrated(p: Parameter) -> Parameter:
        for entry in by_name.get(p.name, ()):
            p = _calibrated(p, entry, date)
        return p

    return [dataclasses.replace(t, parameters=tuple(calibrated(p) for p in t.parameters)) for t in tables]


def apply_potencies(species: tuple, values: dict | None = None) -> tuple:
    """The drug species with the calibrated potencies of ``values`` (default: ``fitted.yaml``)."""
    entries, date = _entries(values, potency=True)
    unknown = sorted(set(entries) - {s.name for s in species})
    if unknown:
        raise ValueError(f"{FITTED_FILE.name}: unknown drug species {unknown[0]!r}")
    out = []
    for s in species:
        entry = entries.get(s.name)
        if entry is not None:
            e = s.effect
            source = (f"potency calibrated to: {', '.join(entry['calibrated_to'])} ({date}); "
                      f"prior {e.potency:g} {s.unit}: {e.source}")
            s = dataclasses.replace(s, effect=dataclasses.replace(e, potency=float(entry["value"]), source=source))
        out.append(s)
    return tuple(out)


def provenance() -> str:
    """One line on which calibration the model carries."""
    data = fitted()
    entries = data.get("parameters") or {}
    if not entries:
        return "parameters: module tables (no calibration file values)"
    n = len(entries)
    return (f"parameters: module tables with {n} value{'s' if n != 1 else ''} from `hpgsim calibrate` "
            f"({data.get('date', '')})")
