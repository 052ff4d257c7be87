"""Numbers, money, percentages and dates for the report, formatted by Babel for the locale.

Figures are rounded the way a finance team would present them: whole hours and whole
currency units once they are large, one decimal where a small figure needs it, and never
float noise such as 5831.999.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache, wraps
from typing import ParamSpec

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

from storyteller.figures import units

MINUS = "\u2212"  # a real minus sign reads better than a hyphen in tables

P = ParamSpec("P")


def _wide(babel_format: Callable[P, str]) -> Callable[P, str]:
    """Babel rounds in the current decimal context, 28 digits: a finite figure above 10^28
    (a payback time of 10^34 weeks from valid story numbers) raised InvalidOperation. 400
    digits hold every float, so every figure the model allows formats."""

    @wraps(babel_format)
    def call(*args: P.args, **kwargs: P.kwargs) -> str:
        with decimal.localcontext() as context:
            context.prec = 400
            return babel_format(*args, **kwargs)

    return call


# Babel formats a number in about 0.2 ms; a report formats thousands, mostly the same ones
# again on every rebuild of the live preview, so the results are remembered.
_decimal = lru_cache(maxsize=16384)(_wide(format_decimal))
_currency = lru_cache(maxsize=16384)(_wide(format_currency))
_percent = _wide(format_percent)
_compact_currency = _wide(format_compact_currency)


@dataclass(frozen=True)
class Formatter:
    locale: str
    currency: str

    @cached_property
    def _babel(self) -> Locale:
        return Locale.parse(self.locale)

    @cached_property
    def _whole_money_pattern(self) -> str:
        pattern = self._babel.currency_formats["standard"].pattern
        return re.sub(r"[.,]0+", "", pattern.split(";")[0])

    def number(self, value: float, decimals: int | None = None) -> str:
        """1234.5 -> '1,235'; small values keep one decimal (2.5 -> '2.5')."""
        if decimals is None:
            decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
            if 0 < abs(value) < 1:
                decimals = 2
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        value = float(f"{value:.15g}")  # a float's 16th and 17th digits are noise: 1/1e-21 is 999,...,900,000
        text = _decimal(round(value, decimals) + 0.0, format=pattern, locale=self._babel)
        return text.replace("-", MINUS)

    def hours(self, value: float) -> str:
        return self.number(value, 0 if abs(value) >= 10 else None)

    def money(self, value: float, currency: str | None = None) -> str:
        """Whole currency units: '$22,800', '22.800 €'."""
        code = currency or self.currency
        text = _currency(
            round(value) + 0.0, code, format=self._whole_money_pattern, locale=self._babel, currency_digits=False
        )
        return text.replace("-", MINUS)

    def money_compact(self, value: float, currency: str | None = None) -> str:
        """For headline tiles: '$179K', '$1.2M' from 100,000 up, else the whole amount."""
        if abs(value) < 100_000:
            return self.money(value, currency)
        digits = 0 if abs(value) < 1_000_000 else 1
        return _compact_currency(value, currency or self.currency, locale=self._babel, fraction_digits=digits)

    def percent(self, ratio: float, decimals: int | None = None) -> str:
        """0.873 -> '87%' (one decimal below 10 %)."""
        if decimals is None:
            decimals = 1 if abs(ratio) < 0.1 and ratio != 0 else 0
        pattern = self._babel.percent_formats[None].pattern.split(";")[0]  # keeps the locale's "87 %"
        pattern = re.sub(r"0(\.0+)?", "0" + ("." + "0" * decimals if decimals else ""), pattern, count=1)
        return _percent(ratio, format=pattern, locale=self._babel).replace("-", MINUS)

    def factor(self, value: float) -> str:
        decimals = 0 if value >= 10 else 1
        return self.number(value, decimals) + "\u00d7"

    def fte(self, value: float) -> str:
        return self.number(value, 2 if abs(value) < 10 else 1)

    def weeks(self, value: float) -> str:
        return self.number(value, 0 if value >= 10 else 1)

    def date(self, day: dt.date, style: str = "long") -> str:
        return format_date(day, style, locale=self._babel)

    def date_range(self, first: dt.date, last: dt.date) -> str:
        return f"{self.date(first, 'medium')} \u2013 {self.date(last, 'medium')}"

    def value(self, amount: float, unit: str) -> str:
        """A metric value with its unit: '50 min', '99.5%', '$1,200', '4,200 alerts'."""
        kind = units.family(unit)
        if kind is units.Family.CURRENCY:
            return self.money(amount, unit)
        if kind is units.Family.PERCENT:
            return self.number(amount, None if not float(amount).is_integer() else 0) + "%"
        shown = self.number(amount, None if abs(amount) < 100 else 0)
        if kind is units.Family.DURATION:
            word = _SHORT[units.canonical(unit)]
            if word in ("days", "weeks") and abs(amount) == 1:
                word = word[:-1]  # "1 day", not "1 days"
            return f"{shown} {word}"
        if kind is units.Family.COUNT:
            return shown
        return f"{shown} {unit}"

    def change(self, amount: float, unit: str) -> str:
        """A signed change: '−30 min', '+4 pp', '−$8,500'."""
        kind = units.family(unit)
        sign = "+" if amount > 0 else ""
        if kind is units.Family.PERCENT:
            return f"{sign}{self.number(amount)} pp"
        if kind is units.Family.CURRENCY:
            return sign + self.money(amount, unit)
        return sign + self.value(amount, unit)


_SHORT = {"seconds": "s", "minutes": "min", "hours": "h", "days": "days", "weeks": "weeks"}
