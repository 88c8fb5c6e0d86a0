"""Lower limits of quantification of the laboratory assays, as the single-run report uses them.

A laboratory does not report a value below its assay's lower limit of quantification: it
writes "< 0.1 IU/L".  The model has no such limit, and its outputs (the timeseries files)
keep the true values; only the report's text and tables show "< limit", while its plots
keep the true curve and draw the limit as a dashed line.  A scenario may set other limits
in ``simulate.assay_limits`` (column name: limit in the column's unit).

This module holds the one table of limits; it imports nothing from the rest of the
package, so that checking a scenario does not load the plotting code of the report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

__all__ = ["AssayLimit", "ASSAY_LIMITS", "resolve_limits"]


@dataclass(frozen=True)
class AssayLimit:
    """The lower limit of quantification of the assay of one output column."""

    label: str
    column: str
    limit: float
    unit: str
    source: str


_GONADOTROPHIN_SOURCE = (
    "Clinical immunoassays report '< 0.1-0.2 IU/L'; ultrasensitive research assays reach "
    "0.005 IU/L (Robertson DM et al. Clin Endocrinol 2001;55:331)"
)

#: Default limits, one row per column that a scenario's ``simulate.assay_limits`` may set.
ASSAY_LIMITS: tuple[AssayLimit, ...] = (
    AssayLimit("LH", "lh_iu_l", 0.1, "IU/L", _GONADOTROPHIN_SOURCE),
    AssayLimit("FSH", "fsh_iu_l", 0.1, "IU/L", _GONADOTROPHIN_SOURCE),
)


def resolve_limits(overrides: Mapping[str, float] | None = None) -> dict[str, AssayLimit]:
    """The limits keyed by column, with ``overrides`` (column: limit) in place of the defaults.

    An overridden limit's source says that the scenario set it.  Raises ``ValueError`` for a
    column without an assay limit or a limit that is not a positive, finite number (a
    scenario's ``simulate.assay_limits`` is checked, with the field named, before this).
    """
    limits = {a.column: a for a in ASSAY_LIMITS}
    for column, value in (overrides or {}).items():
        if column not in limits:
            raise ValueError(f"no assay limit for column {column!r}; known: {', '.join(limits)}")
        try:
            limit = math.nan if isinstance(value, bool) else float(value)
        except (TypeError, ValueError):
            limit = math.nan
        if not (math.isfinite(limit) and limit > 0.0):
            raise ValueError(f"assay limit of {column}: {value!r} is not a positive, finite number")
        limits[column] = replace(limits[column], limit=limit, source="Set by the scenario")
    return limits
