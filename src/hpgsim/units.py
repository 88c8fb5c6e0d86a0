"""Quantities with units, as written in scenario files ("100 mg", "7 d", "5 ug/h").

hpgsim's scenario contract has a small closed set of units, so a table is clearer and
stricter than a general unit library: anything not in it is refused by name.
"""

from __future__ import annotations

import re

DAYS_PER_MONTH = 30.4375
DAYS_PER = {
    "min": 1.0 / 1440.0,
    "h": 1.0 / 24.0,
    "d": 1.0,
    "wk": 7.0,
    "mo": DAYS_PER_MONTH,
    "y": 365.25,
}
"""Time units in days; ``mo`` and ``y`` are the contract's mean month and Julian year."""

AMOUNT_UNITS = {
    "mg": ("mass", 1.0),
    "ug": ("mass", 1e-3),
    "µg": ("mass", 1e-3),
    "mcg": ("mass", 1e-3),
    "g": ("mass", 1e3),
    "IU": ("activity", 1.0),
}
"""Dose units: mass in mg, biological activity in IU (hCG, FSH, hMG)."""

_QUANTITY = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+)\s*([^\s\d].*?)\s*$")


class UnitError(ValueError):
    """A quantity string that is malformed or has a unit that does not fit."""


def split_quantity(text: object) -> tuple[float, str]:
    """Split ``"100 mg"`` into ``(100.0, "mg")``; refuse bare numbers and junk."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise UnitError(f"expected a quantity with a unit such as '100 mg', got {text!r}")
    if isinstance(text, (int, float)):
        raise UnitError(f"missing unit in {text!r}: write it as a quantity such as '{text} mg'")
    match = _QUANTITY.match(text)
    if not match and _is_number(text):
        raise UnitError(f"missing unit in {text!r}: write it as a quantity such as '{text.strip()} mg'")
    if not match:
        raise UnitError(f"malformed quantity {text!r}: expected a number and a unit, e.g. '7 d'")
    return float(match.group(1)), match.group(2)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_time_days(text: object) -> float:
    """A time or duration in days (``"-3 y"`` → ``-1095.75``)."""
    value, unit = split_quantity(text)
    if unit not in DAYS_PER:
        raise UnitError(f"unit {unit!r} in {text!r} is not a time unit ({', '.join(DAYS_PER)})")
    return value * DAYS_PER[unit]


def parse_amount(text: object) -> tuple[float, str]:
    """A dose as ``(value, kind)`` with kind ``"mass"`` (mg) or ``"activity"`` (IU)."""
    value, unit = split_quantity(text)
    if unit not in AMOUNT_UNITS:
        raise UnitError(f"unit {unit!r} in {text!r} is not a dose unit (mg, ug, IU)")
    kind, factor = AMOUNT_UNITS[unit]
    return value * factor, kind


def parse_rate_per_day(text: object) -> tuple[float, str]:
    """An infusion rate such as ``"5 ug/h"`` as ``(amount per day, kind)``."""
    value, unit = split_quantity(text)
    if "/" not in unit:
        raise UnitError(f"rate {text!r} needs an amount per time unit, e.g. '5 ug/h'")
    amount_unit, time_unit = (part.strip() for part in unit.split("/", 1))
    if amount_unit not in AMOUNT_UNITS:
        raise UnitError(f"unit {amount_unit!r} in rate {text!r} is not a dose unit (mg, ug, IU)")
    if time_unit not in DAYS_PER:
        raise UnitError(f"unit {time_unit!r} in rate {text!r} is not a time unit")
    kind, factor = AMOUNT_UNITS[amount_unit]
    return value * factor / DAYS_PER[time_unit], kind


# Conversions between the reporting units of the contract and the model's internal ones.
T_MOLAR_MASS_G_MOL = 288.42
NG_DL_PER_NMOL_L = T_MOLAR_MASS_G_MOL / 10.0  # 1 nmol/L testosterone = 28.84 ng/dL
