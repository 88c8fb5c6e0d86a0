"""Validation: the published record as data (``cases.yaml``), the metrics that compare the
model with it, the runner and the report (``hpgsim validate``)."""

from .cases import Case, CaseError, load_cases, select
from .run import CaseResult, MetricResult, run_cases

__all__ = ["Case", "CaseError", "CaseResult", "MetricResult", "load_cases", "run_cases", "select"]
