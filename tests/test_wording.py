"""The words and decimals of a story's before-and-after table (spec v1.1 "Words"): the word
after a factor follows the metric, and a metric's values share one number of decimals."""

from __future__ import annotations

from collections.abc import Callable

from storyteller.figures.metrics import story_figures
from storyteller.format.config import load_config
from storyteller.format.load import load_workspace
from storyteller.report.fmt import Formatter
from storyteller.report.views import MetricRow, story_view

STORY = """\
title: Disk-full incidents
summary: Fewer disk-full incidents.
quarter: 2026-Q3
team: Storage Operations
category: proactive-problem-management
problem: Disks filled up.
outcome: They do not any more.
metrics:
"""


def _rows(make_workspace: Callable[..., object], metrics: str) -> list[MetricRow]:
    ws = make_workspace("organization: Test Org\nhourly_rate: 95\ncurrency: EUR\n")
    ws.story("subject", STORY + metrics)  # type: ignore[attr-defined]
    workspace = load_workspace(load_config(ws.root))  # type: ignore[attr-defined]
    assert not workspace.problems, workspace.problems
    (story,) = workspace.stories
    view = story_view(story_figures(story, workspace.config), workspace.config, Formatter("en_US", "EUR"), None)
    return list(view.metrics)


def _metric(unit: str, before: str, after: str, *more: str) -> str:
    lines = [
        f"  - name: {unit} {before} to {after}",
        f"    unit: {unit}",
        f"    before: {before}",
        f"    after: {after}",
    ]
    return "\n".join([*lines, *(f"    {line}" for line in more)]) + "\n"


def test_the_word_after_a_factor_follows_the_metric(make_workspace: Callable[..., object]) -> None:
    metrics = [
        _metric("minutes", "50", "20", "frequency: 40 per month"),  # one event's duration
        _metric("hours", "10.5", "1.5", "per: month", "hands_on: true"),  # time in a period
        _metric("minutes", "50", "20", "frequency: 10 per month", "hands_on: false"),  # waiting
        _metric("minutes", "310", "31", "per: year", "hands_on: false"),  # downtime
        _metric("count", "14", "2", "per: month", "better: lower", "each: 45 minutes"),
        _metric("count", "2", "5", "better: higher"),
        _metric("percent", "22", "6", "better: lower"),  # a rework rate
        _metric("percent", "40", "90", "better: higher"),
        _metric("EUR", "1200", "400", "per: month"),
        _metric("tickets", "300", "120", "better: lower"),
        _metric("count", "6", "1", "per: quarter", "better: lower", "each: 400 EUR"),
    ]
    rows = _rows(make_workspace, "".join(metrics))
    assert [(r.result, r.frequency, r.hours) for r in rows] == [
        ("2.5\u00d7 faster", "40 per month", "240"),
        ("7.0\u00d7 less time", "per month", "108"),
        ("2.5\u00d7 less time", "10 per month, not hands-on work", ""),
        ("10\u00d7 less time", "per year, not hands-on work", ""),
        ("7.0\u00d7 fewer", "per month, 45 min each", "108"),  # 12 x 12 x 0.75 h
        ("2.5\u00d7 more", "", ""),
        ("3.7\u00d7 lower", "", ""),
        ("2.3\u00d7 higher", "", ""),  # 2.25, half away from zero
        ("3.0\u00d7 lower", "per month: \u20ac9,600 a year", ""),  # 800 x 12
        ("2.5\u00d7 lower", "", ""),
        ("6.0\u00d7 fewer", "per quarter, \u20ac400 each: \u20ac8,000 a year", ""),  # 5 x 4 x 400
    ]
    assert [r.money for r in rows][-1] == "\u20ac8,000"


def test_money_in_another_currency_is_said_apart(make_workspace: Callable[..., object]) -> None:
    (row,) = _rows(make_workspace, _metric("count", "6", "1", "per: quarter", "better: lower", "each: 400 USD"))
    assert row.frequency == "per quarter, $400 each: $8,000 a year (not converted)"


def test_a_metrics_values_share_its_decimals(make_workspace: Callable[..., object]) -> None:
    metrics = [
        _metric("minutes", "3", "0.5", "frequency: 10 per month"),
        _metric("percent", "99.5", "99.95", "better: higher"),
        _metric("hours", "120", "96", "frequency: 1 per month"),
        _metric("EUR", "0.12", "0.08", "per: month"),
        _metric("tickets", "1200.5", "1000", "better: lower"),
    ]
    rows = _rows(make_workspace, "".join(metrics))
    assert [(r.before, r.after, r.change) for r in rows] == [
        ("3.0 min", "0.5 min", "\u22122.5 min"),  # never "3 min" next to "0.50 min"
        ("99.50%", "99.95%", "+0.45 pp"),
        ("120 h", "96 h", "\u221224 h"),
        ("\u20ac0.12", "\u20ac0.08", "\u2212\u20ac0.04"),
        ("1,200.5 tickets", "1,000.0 tickets", "\u2212200.5 tickets"),
    ]
