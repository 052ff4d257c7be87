"""Locale formatting (Babel) and the chart palette."""

from __future__ import annotations

import colorsys
import datetime as dt
import itertools

import pytest

from storyteller.report.charts import Palette
from storyteller.report.fmt import Formatter


@pytest.mark.parametrize(
    ("locale", "currency", "money", "number", "percent"),
    [
        ("en_US", "USD", "$60,000", "5,832", "87%"),
        ("de_DE", "EUR", "60.000\xa0€", "5.832", "87\xa0%"),
        ("fr_FR", "EUR", "60\u202f000\xa0€", "5\u202f832", "87\xa0%"),
    ],
)
def test_money_numbers_and_percent_follow_the_locale(
    locale: str, currency: str, money: str, number: str, percent: str
) -> None:
    fmt = Formatter(locale, currency)
    assert fmt.money(60_000) == money
    assert fmt.number(5831.999) == number  # rounded as finance would, never 5831.999
    assert fmt.percent(0.873) == percent


def test_figures_are_rounded_for_reading() -> None:
    fmt = Formatter("en_US", "USD")
    assert fmt.hours(239.99999) == "240"
    assert fmt.hours(2.5) == "2.5"
    assert fmt.money(22_799.6) == "$22,800"
    assert fmt.money(-8_500) == "\u2212$8,500"
    assert fmt.money_compact(1_234_567) == "$1.2M" and fmt.money_compact(178_760) == "$179K"
    assert fmt.factor(2.5) == "2.5\u00d7" and fmt.factor(48.2) == "48\u00d7"
    assert fmt.value(50, "min") == "50 min" and fmt.value(99.5, "percent") == "99.5%"
    assert fmt.change(4, "percent") == "+4 pp" and fmt.change(-30, "minutes") == "\u221230 min"
    assert fmt.date(dt.date(2026, 7, 1)) == "July 1, 2026"
    assert Formatter("de_DE", "EUR").date(dt.date(2026, 7, 1)) == "1. Juli 2026"


def _lightness(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b  # the grey a greyscale print shows


@pytest.mark.parametrize("brand", ["#0f4c5c", "#1f4e79", "#ffcc00", "#e6f0ff", "#000000", "#c8102e"])
def test_the_palette_stays_apart_in_greyscale_and_dark_enough_for_white_text(brand: str) -> None:
    palette = Palette.from_brand(brand)
    greys = sorted(_lightness(c) for c in (palette.primary, palette.accent, palette.neutral, palette.tint))
    assert all(b - a > 0.12 for a, b in itertools.pairwise(greys)), (brand, palette)
    assert _lightness(palette.primary) < 0.35  # white text on it stays readable
    hue = colorsys.rgb_to_hls(*(int(brand[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    got = colorsys.rgb_to_hls(*(int(palette.primary[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    assert min(abs(hue - got), 1 - abs(hue - got)) < 0.02 or brand == "#000000"  # still the brand's hue
