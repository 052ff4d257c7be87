"""Fiscal quarters and years: naming, ordering, and the dates they cover."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# 2000-Q1..2099-Q4, ASCII digits only (`\\d` would take ٢٠٢٦): format/fields.py FIRST_YEAR, LAST_YEAR
QUARTER_PATTERN = re.compile(r"^(20[0-9]{2})-Q([1-4])$")
# What parse() takes: also a quarter a date of 2099 gives when the fiscal year starts after January.
_ANY_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter ``number`` of fiscal ``year`` (named by the calendar year in which it ends)."""

    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _ANY_QUARTER.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a quarter like 2026-Q3")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of_date(cls, day: dt.date, fiscal_year_start: int = 1) -> Quarter:
        months_in = (day.month - fiscal_year_start) % 12
        year = day.year if fiscal_year_start == 1 or day.month < fiscal_year_start else day.year + 1
        return cls(year, months_in // 3 + 1)

    def first_day(self, fiscal_year_start: int = 1) -> dt.date:
        month0 = fiscal_year_start - 1 + 3 * (self.number - 1)  # months after January of year 0
        year = self.year - (0 if fiscal_year_start == 1 else 1) + month0 // 12
        return dt.date(year, month0 % 12 + 1, 1)

    def last_day(self, fiscal_year_start: int = 1) -> dt.date:
        following = Quarter(self.year + self.number // 4, self.number % 4 + 1)
        return following.first_day(fiscal_year_start) - dt.timedelta(days=1)


def fiscal_year_first_day(year: int, fiscal_year_start: int = 1) -> dt.date:
    return Quarter(year, 1).first_day(fiscal_year_start)


@dataclass(frozen=True)
class Span:
    """The days of a quarter or a fiscal year, and how many days its fiscal year has (365, or
    366 with a 29 February): what realised benefit is counted over."""

    first: dt.date
    last: dt.date
    year_days: int

    @classmethod
    def of_quarter(cls, quarter: Quarter, fiscal_year_start: int = 1) -> Span:
        year = cls.of_year(quarter.year, fiscal_year_start)
        return cls(quarter.first_day(fiscal_year_start), quarter.last_day(fiscal_year_start), year.year_days)

    @classmethod
    def of_year(cls, year: int, fiscal_year_start: int = 1) -> Span:
        first = fiscal_year_first_day(year, fiscal_year_start)
        last = fiscal_year_first_day(year + 1, fiscal_year_start) - dt.timedelta(days=1)
        return cls(first, last, (last - first).days + 1)

    def days_after(self, day: dt.date) -> int:
        """Days of the span after ``day`` (0 when ``day`` is its last day or later)."""
        start = max(day + dt.timedelta(days=1), self.first)
        return max(0, (self.last - start).days + 1)

    def share_after(self, day: dt.date) -> float:
        """The part of a yearly figure realised in the span by something live from the day after ``day``."""
        return self.days_after(day) / self.year_days


@dataclass(frozen=True)
class Selection:
    """Which stories a command covers: every one, one quarter, or one fiscal year."""

    quarter: Quarter | None = None
    year: int | None = None

    def covers(self, quarter: Quarter) -> bool:
        if self.quarter is not None:
            return quarter == self.quarter
        if self.year is not None:
            return quarter.year == self.year
        return True

    def __str__(self) -> str:
        if self.quarter is not None:
            return str(self.quarter)
        if self.year is not None:
            return str(self.year)
        return "all"
