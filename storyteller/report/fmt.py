"""Numbers, money, percentages and dates for the report, formatted by Babel for the locale.

Figures are rounded the way a finance team would present them: half away from zero (766.5 h
is 767 h, 1.25x is 1.3x; never to even), whole hours and whole currency units once they are
large, one decimal where a small figure needs it, and never float noise such as 5831.999.
Babel is given numbers already rounded, so its own half-to-even rounding never applies.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Context, Decimal
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


NOISE_DECIMALS = 9  # float noise lives beyond this: 766.4999999999999 is 766.5 to a person
_ROOMY = Context(prec=400)  # every digit of any finite float, so quantize never overflows


def rounded(value: float, decimals: int = 0) -> Decimal:
    """``value`` rounded half away from zero to ``decimals`` places (units.round_half_away:
    766.5 -> 767, 1.25 -> 1.3, -2.25 -> -2.3), as a Decimal for Babel, which then has nothing
    left to round. Float noise is cleared first, so a sum that should be 766.5 and came out as
    766.4999999999999 still rounds up, as it would on paper."""
    clean = units.round_half_away(value, max(decimals, NOISE_DECIMALS))
    return Decimal(repr(units.round_half_away(clean, decimals))).quantize(Decimal(1).scaleb(-decimals), context=_ROOMY)


def decimals_needed(value: float, most: int = 2) -> int:
    """The fewest decimals (up to ``most``) that show ``value`` without rounding it: 3 -> 0, 0.5 -> 1."""
    return next((d for d in range(most) if rounded(value, d) == rounded(value, most)), most)


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
        text = _decimal(rounded(value, decimals), format=pattern, locale=self._babel)
        return text.replace("-", MINUS)

    def hours(self, value: float) -> str:
        return self.number(value, 0 if abs(value) >= 10 else None)

    def money(self, value: float, currency: str | None = None) -> str:
        """Whole currency units: '$22,800', '22.800 €'."""
        code = currency or self.currency
        text = _currency(
            rounded(value), code, format=self._whole_money_pattern, locale=self._babel, currency_digits=False
        )
        return text.replace("-", MINUS)

    def money_compact(self, value: float, currency: str | None = None) -> str:
        """For headline tiles: '$179K', '$1.2M' from 100,000 up, else the whole amount."""
        if abs(value) < 100_000:
            return self.money(value, currency)
        digits = 0 if abs(value) < 1_000_000 else 1
        step = 3 * int(math.log10(abs(value)) // 3) - digits  # the last digit the compact form shows
        shown = rounded(value, -step)  # half away from zero here, so Babel has nothing left to round
        return _compact_currency(shown, currency or self.currency, locale=self._babel, fraction_digits=digits)

    def percent(self, ratio: float, decimals: int | None = None) -> str:
        """0.873 -> '87%' (one decimal below 10 %)."""
        if decimals is None:
            decimals = 1 if abs(ratio) < 0.1 and ratio != 0 else 0
        pattern = self._babel.percent_formats[None].pattern.split(";")[0]  # keeps the locale's "87 %"
        pattern = re.sub(r"0(\.0+)?", "0" + ("." + "0" * decimals if decimals else ""), pattern, count=1)
        return _percent(rounded(ratio, decimals + 2), format=pattern, locale=self._babel).replace("-", MINUS)

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

    def value(self, amount: float, unit: str, decimals: int | None = None) -> str:
        """A metric value with its unit: '50 min', '99.5%', '$1,200', '4,200 alerts'.
        ``decimals``: the metric's (see metric_decimals), so its values line up."""
        kind = units.family(unit)
        if kind is units.Family.CURRENCY:
            return self.money(amount, unit) if not decimals else self._money_cents(amount, unit, decimals)
        if decimals is None:
            decimals = 0 if kind is units.Family.PERCENT and float(amount).is_integer() else None
            if abs(amount) >= 100 and kind is not units.Family.PERCENT:
                decimals = 0
        if kind is units.Family.PERCENT:
            return self.number(amount, decimals) + "%"
        shown = self.number(amount, decimals)
        if kind is units.Family.DURATION:
            word = _SHORT.get(units.canonical(unit), units.canonical(unit))
            if word in ("days", "weeks") and abs(amount) == 1:
                word = word[:-1]  # "1 day", not "1 days"
            return f"{shown} {word}"
        if kind is units.Family.COUNT:
            return shown
        return f"{shown} {unit}"

    def change(self, amount: float, unit: str, decimals: int | None = None) -> str:
        """A signed change: '−30 min', '+4 pp', '−$8,500'."""
        kind = units.family(unit)
        sign = "+" if rounded(amount, 2 if decimals is None else decimals) > 0 else ""
        if kind is units.Family.PERCENT:
            return f"{sign}{self.number(amount, decimals)} pp"
        return sign + self.value(amount, unit, decimals)

    def _money_cents(self, amount: float, code: str, decimals: int) -> str:
        """An amount with its cents, for a metric whose values have them ('$0.12')."""
        pattern = self._whole_money_pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
        text = _currency(rounded(amount, decimals), code, format=pattern, locale=self._babel, currency_digits=False)
        return text.replace("-", MINUS)


def metric_decimals(*values: float) -> int:
    """The decimals that show every value of a metric as written (up to 2), so its before,
    after and change line up: 3 and 0.5 minutes are "3.0 min" and "0.5 min", never "3 min"
    next to "0.50 min"."""
    return max((decimals_needed(v) for v in values), default=0)


_SHORT = {"milliseconds": "ms", "seconds": "s", "minutes": "min", "hours": "h", "days": "days", "weeks": "weeks"}
