"""Metric units: which family a unit belongs to, duration conversion to hours, periods a
year, and the one rounding of figures (half away from zero).

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
    "milliseconds": 1 / 3_600_000,
    "seconds": 1 / 3600,
    "minutes": 1 / 60,
    "hours": 1.0,
    "days": 24.0,
    "weeks": 168.0,
}

# Every way of writing a duration unit, matched ignoring case (`Minutes`, `HRS`).
DURATION_ALIASES: dict[str, str] = {
    alias: long
    for long, aliases in {
        "milliseconds": ("ms", "millisecond", "milliseconds"),
        "seconds": ("s", "sec", "secs", "second", "seconds"),
        "minutes": ("min", "mins", "minute", "minutes"),
        "hours": ("h", "hr", "hrs", "hour", "hours"),
        "days": ("d", "day", "days"),
        "weeks": ("w", "wk", "wks", "week", "weeks"),
    }.items()
    for alias in aliases
}

PERCENT_UNITS = frozenset({"percent", "%"})
COUNT_UNITS = frozenset({"count"})

# Periods of `frequency` and `per`; a workday's number a year is the workspace's
# `workdays_per_year`, the others are fixed.
PERIODS = ("day", "workday", "week", "month", "quarter", "year")
PERIODS_PER_YEAR: dict[str, int] = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}
DEFAULT_WORKDAYS_PER_YEAR = 250


def periods_per_year(period: str, workdays_per_year: int = DEFAULT_WORKDAYS_PER_YEAR) -> float:
    """How many of ``period`` a year has: day 365, workday the workspace's workdays_per_year, ..."""
    return float(workdays_per_year) if period == "workday" else float(PERIODS_PER_YEAR[period])


class Family(enum.Enum):
    DURATION = "duration"
    PERCENT = "percent"
    COUNT = "count"
    CURRENCY = "currency"
    OTHER = "other"


# The words a unit is matched against ignoring case, by family.
WORDS: dict[Family, frozenset[str]] = {
    Family.DURATION: frozenset(DURATION_ALIASES),
    Family.PERCENT: PERCENT_UNITS,
    Family.COUNT: COUNT_UNITS,
}


@functools.cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes known to Babel, so `CPU` or `TPS` is a word, not a currency."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def is_currency(unit: str) -> bool:
    """A currency is written in three capitals exactly (`EUR`; `eur` is a mistake, not a word)."""
    return len(unit) == 3 and unit.isupper() and unit.isalpha() and unit in currency_codes()


def family(unit: str) -> Family:
    lowered = unit.lower()
    for kind, words in WORDS.items():
        if lowered in words:
            return kind
    if is_currency(unit):
        return Family.CURRENCY
    return Family.OTHER


def canonical(unit: str) -> str:
    """The long lower-case form of a duration (`Min` -> `minutes`), `percent` for `%` and
    `Percent`, `count` for `Count`; other units unchanged."""
    lowered = unit.lower()
    if lowered in DURATION_ALIASES:
        return DURATION_ALIASES[lowered]
    if lowered in PERCENT_UNITS:
        return "percent"
    if lowered in COUNT_UNITS:
        return "count"
    return unit


def to_hours(value: float, unit: str) -> float:
    return value * HOURS_PER[canonical(unit)]


def from_hours(hours: float, unit: str) -> float:
    return hours / HOURS_PER[canonical(unit)]


def default_better(unit: str) -> str | None:
    """`lower` for durations and money; percent and other units must say (v1.1: a percentage
    is as often a failure rate as an availability)."""
    if family(unit) in (Family.DURATION, Family.CURRENCY):
        return "lower"
    return None


def near_miss(unit: str) -> str | None:
    """The known unit word ``unit`` is probably a typo of (`minuts` -> `minutes`), or None.

    Only words of five or more letters count, one edit away (a letter added, dropped or
    changed, or two neighbours swapped), or two for words of eight or more letters, so short
    or distant custom units (`GB`, `VMs`, `hosts`, `tickets`) stay custom units."""
    lowered = unit.lower()
    if len(lowered) < 5 or family(unit) is not Family.OTHER:
        return None
    allowed = 2 if len(lowered) >= 8 else 1
    known = sorted(word for words in WORDS.values() for word in words)
    # On a tie the longer word: `minuts` is `minutes` rather than `minute`.
    distance, _, word = min((edits(lowered, word), -len(word), word) for word in known)
    return word if distance <= allowed else None


def currency_case(unit: str) -> str | None:
    """The currency code ``unit`` names in other case (`eur` -> `EUR`), or None."""
    upper = unit.upper()
    if upper != unit and len(unit) == 3 and unit.isalpha() and upper in currency_codes():
        return upper
    return None


def edits(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbours as one edit (GPB -> GBP is 1)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


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
