"""The report rounds half away from zero (spec v1.1 "Rounding"), and its totals are the rounded
exact totals: worked examples, then a property over generated workspaces."""

from __future__ import annotations

import datetime as dt
import tempfile
import textwrap
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.figures.periods import Quarter
from storyteller.format.config import load_config
from storyteller.format.load import load_workspace
from storyteller.report.context import Period, build_context
from storyteller.report.fmt import Formatter, rounded

from .helpers import BASE_STORY

FMT = Formatter("en_US", "USD")


def test_halves_round_away_from_zero_never_to_even() -> None:
    assert FMT.hours(766.5) == "767"  # half-to-even gave 766 next to quarters of 525 + 242
    assert FMT.hours(765.5) == "766"
    assert FMT.factor(5 / 4) == "1.3\u00d7"  # half-to-even gave 1.2x
    assert FMT.change(0.25 - 2.5, "hours") == "\u22122.3 h"  # half-to-even gave -2.2 h
    assert FMT.money(2.5) == "$3" and FMT.money(-2.5) == "\u2212$3"
    assert FMT.number(0.125, 2) == "0.13"
    assert FMT.percent(0.125) == "13%" and FMT.percent(0.0125) == "1.3%"
    assert FMT.money_compact(1_250_000) == "$1.3M" and FMT.money_compact(178_500) == "$179K"


def test_float_noise_does_not_turn_a_half_down() -> None:
    assert 0.1 * 3 * 2555 != 766.5  # the sum a computer makes of 766.5
    assert FMT.hours(766.4999999999999) == "767"
    assert str(rounded(2.675, 2)) == "2.68"  # what is written, not its binary neighbour 2.67499...
    assert str(rounded(-0.4)) == "0"  # never "-0"


def _half_away(value: Fraction) -> int:
    whole = int(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


STORY = """\
title: Story {index}
summary: Something is faster.
quarter: 2026-Q3
team: Team {index}
category: automation
problem: It was slow.
outcome: It is fast.
metrics:
"""
METRIC = """\
  - name: Time per task {index}
    unit: minutes
    before: {before}
    after: {after}
    frequency: {times} per {period}
"""
PER_YEAR = {"week": 52, "month": 12, "quarter": 4, "year": 1}
quarter_minutes = st.integers(0, 4 * 600).map(lambda q: Fraction(q, 4))  # 0 to 600 min in steps of 15 s
metric = st.tuples(quarter_minutes, quarter_minutes, st.integers(1, 400), st.sampled_from(sorted(PER_YEAR)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(metric, min_size=1, max_size=3), min_size=1, max_size=4))
def test_the_report_total_is_the_rounded_exact_total(stories: list[list[tuple[Fraction, Fraction, int, str]]]) -> None:
    exact = sum(
        ((before - after) / 60 * times * PER_YEAR[period] for one in stories for before, after, times, period in one),
        Fraction(0),
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "storyteller.yaml").write_text("organization: Test Org\n", encoding="utf-8")
        for index, one in enumerate(stories):
            text = STORY.format(index=index) + "".join(
                METRIC.format(index=i, before=float(b), after=float(a), times=t, period=p)
                for i, (b, a, t, p) in enumerate(one)
            )
            path = root / "stories" / f"s{index}.yaml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        workspace = load_workspace(load_config(root))
        assert not workspace.problems
        context = build_context(
            workspace.stories, workspace.config, Period.quarter(Quarter(2026, 3), 1), dt.date(2026, 9, 30)
        )
    if abs(exact) >= 10:  # whole hours from 10 up
        expected = f"{_half_away(exact):,}".replace("-", "\u2212")
        assert context.headlines.hours.value == expected
        assert context.appendix.total.hours == expected


def test_chart_labels_and_the_list_round_as_the_report_does(
    make_workspace: Callable[..., object], runner: CliRunner
) -> None:
    from storyteller.report.charts import Palette, category_chart, category_row, trend_chart
    from storyteller.report.fmt import Formatter

    whole = Formatter("en_US", "USD").number

    palette = Palette.from_brand("#0f4c5c")
    trend = trend_chart([("2026-Q2", 242.5, 2), ("2026-Q3", 766.5, 3)], palette)
    assert "2026-Q2: 243 hours from 2 stories; 2026-Q3: 767 hours from 3 stories" in trend.description
    category = category_chart([category_row("Automation", 524.5, 242.0, lambda v: whole(v, 0))], palette)
    assert "Automation: 767 hours (525 measured, 242 estimated)" in category.description

    ws = make_workspace()
    ws.story("half", BASE_STORY.replace("frequency: 40 per month", "frequency: 1533 per year"))  # type: ignore[attr-defined]
    listed = runner.invoke(app, ["list", "-w", str(ws.root)])  # type: ignore[attr-defined]
    assert listed.exit_code == 0, listed.output
    assert "767" in listed.stdout and "766" not in listed.stdout  # 30 min x 1533 = 766.5 h
