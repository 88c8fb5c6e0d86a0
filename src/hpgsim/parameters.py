"""Named, sourced model parameters.

Every number in hpgsim's physiology is a :class:`Parameter`: a name, a value, a unit, a
plausible range and a source (a citation, ``"calibrated: <target ids>"`` or
``"assumed: <reason>"``). Each organ module owns one :class:`ParameterTable`; the model
collects them into one flat vector whose positions are looked up by name, never by hand.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np


@dataclass(frozen=True)
class Parameter:
    """One model constant with its provenance.

    ``iiv_cv`` is the inter-individual variability: the coefficient of variation of a
    log-normal random effect, ``P_i = P_typical * exp(eta_i)`` with ``eta ~ N(0, omega²)``
    and ``omega² = ln(1 + CV²)`` (the pharmacometric convention). ``None`` means the
    parameter is the same in every man.
    """

    name: str
    value: float
    unit: str
    low: float
    high: float
    source: str
    description: str
    iiv_cv: float | None = None

    def __post_init__(self) -> None:
        if not (self.low <= self.value <= self.high):
            raise ValueError(
                f"parameter {self.name}: value {self.value} outside its plausible range "
                f"[{self.low}, {self.high}]"
            )
        if self.iiv_cv is not None and not 0.0 < self.iiv_cv <= 3.0:
            raise ValueError(f"parameter {self.name}: IIV CV {self.iiv_cv} outside (0, 3]")

    @property
    def omega_squared(self) -> float:
        """Variance of the log-normal random effect (0 without variability)."""
        return 0.0 if self.iiv_cv is None else float(np.log1p(self.iiv_cv**2))


@dataclass(frozen=True)
class ParameterTable:
    """The parameters of one module (one organ or mechanism)."""

    module: str
    title: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def __iter__(self):
        return iter(self.parameters)

    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def to_records(self) -> list[dict]:
        return [
            {
                "module": self.module,
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "low": p.low,
                "high": p.high,
                "source": p.source,
                "description": p.description,
                "iiv_cv": p.iiv_cv,
            }
            for p in self.parameters
        ]


def table(module: str, title: str, rows: Iterable[tuple]) -> ParameterTable:
    """Build a table from rows ``(name, value, unit, low, high, source, description[, iiv_cv])``.

    A compact row form keeps each module's table readable as a table in the source.
    """
    return ParameterTable(module, title, tuple(Parameter(*row) for row in rows))


class ParameterSet:
    """All parameters of a model as one float vector plus a name index.

    ``index`` is a namedtuple of integer positions, passed to compiled code so that the
    right-hand side reads ``theta[P.k_lh_clearance]`` rather than ``theta[17]``.
    """

    def __init__(self, tables: Iterable[ParameterTable]):
        self.tables: tuple[ParameterTable, ...] = tuple(tables)
        params = [p for t in self.tables for p in t.parameters]
        names = [p.name for p in params]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"parameter names defined twice: {sorted(duplicates)}")
        self.parameters: dict[str, Parameter] = {p.name: p for p in params}
        self.names: tuple[str, ...] = tuple(names)
        self.Index = namedtuple("ParameterIndex", names)
        self.index = self.Index(*range(len(names)))

    def vector(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        """The typical values, with ``overrides`` applied by name."""
        theta = np.array([self.parameters[n].value for n in self.names], dtype=float)
        for name, value in (overrides or {}).items():
            theta[self.position(name)] = value
        return theta

    def position(self, name: str) -> int:
        try:
            return getattr(self.index, name)
        except AttributeError:
            raise KeyError(f"unknown parameter {name!r}") from None
