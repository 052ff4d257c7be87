"""Metric units: which family a unit belongs to, and duration conversion to hours.

Five duration units convert by fixed factors, so a table is clearer and cheaper to import
than a units library (pint costs hundreds of milliseconds at start-up, and `validate`
must start fast).
"""

from __future__ import annotations

import decimal
import enum
import functools
import math

HOURS_PER: dict[str, float] = {
    "seconds": 1 / 3600,
    "minutes": 1 / 60,
    "hours": 1.0,
    "days": 24.0,
    "weeks": 168.0,
}

DURATION_ALIASES: dict[str, str] = {
    "s": "seconds",
    "sec": "seconds",
    "secs": "seconds",
    "second": "seconds",
    "seconds": "seconds",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "h": "hours",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
}

PERCENT_UNITS = frozenset({"percent", "%"})

PERIODS_PER_YEAR: dict[str, int] = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}


class Family(enum.Enum):
    DURATION = "duration"
    PERCENT = "percent"
    COUNT = "count"
    CURRENCY = "currency"
    OTHER = "other"


@functools.cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes known to Babel, so `CPU` or `TPS` is a word, not a currency."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def family(unit: str) -> Family:
    if unit in DURATION_ALIASES:
        return Family.DURATION
    if unit in PERCENT_UNITS:
        return Family.PERCENT
    if unit == "count":
        return Family.COUNT
    if len(unit) == 3 and unit.isupper() and unit.isalpha() and unit in currency_codes():
        return Family.CURRENCY
    return Family.OTHER


def canonical(unit: str) -> str:
    """The long form of a duration unit (`min` -> `minutes`); other units unchanged."""
    if unit in DURATION_ALIASES:
        return DURATION_ALIASES[unit]
    if unit in PERCENT_UNITS:
        return "percent"
    return unit


def to_hours(value: float, unit: str) -> float:
    return value * HOURS_PER[canonical(unit)]


def from_hours(hours: float, unit: str) -> float:
    return hours / HOURS_PER[canonical(unit)]


def default_better(unit: str) -> str | None:
    """`lower` for durations and money, `higher` for percent; other units must say."""
    kind = family(unit)
    if kind in (Family.DURATION, Family.CURRENCY):
        return "lower"
    if kind is Family.PERCENT:
        return "higher"
    return None


def round_half_away(value: float, places: int = 0) -> float:
    """``value`` rounded to ``places`` decimals, halves away from zero (766.5 -> 767,
    1.25 -> 1.3, -2.25 -> -2.3), as a finance team rounds; Python's `round` rounds halves to
    even. The decimal written (its repr, which is what the author and the export see) is
    rounded, not the nearest binary fraction, so 2.675 -> 2.68. -0.0 comes back as 0.0."""
    if not math.isfinite(value):
        raise ValueError(f"cannot round {value!r}")
    step = decimal.Decimal(1).scaleb(-places)
    # Precision for every digit of the largest float (1.8e308) plus the decimals kept.
    exact = decimal.Context(prec=330 + places, rounding=decimal.ROUND_HALF_UP)
    rounded = decimal.Decimal(repr(float(value))).quantize(step, context=exact)
    return float(rounded) + 0.0
