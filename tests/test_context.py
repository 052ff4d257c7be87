"""The report's context, step by step: which section shows each story, the headlines, the trend.

Pure functions of the golden workspace's stories (tests/golden/workspace/): no template, no
chart drawn. The golden test checks the rendered result; these check the records it is made of.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from storyteller.figures.metrics import story_figures
from storyteller.figures.periods import Quarter
from storyteller.format.config import load_config
from storyteller.format.load import load_workspace
from storyteller.report.context import Period, ReportContext, build_context
from storyteller.report.sections import rank

WORKSPACE = Path(__file__).resolve().parent / "golden" / "workspace"
TODAY = dt.date(2026, 9, 21)


def _context(quarter: Quarter) -> ReportContext:
    workspace = load_workspace(load_config(WORKSPACE))
    stories = [s for s in workspace.stories if s.quarter == quarter]
    earlier = [s for s in workspace.stories if s.quarter < quarter]
    return build_context(stories, workspace.config, Period.quarter(quarter, 1), TODAY, earlier)


def test_every_story_of_the_period_is_shown_once_in_its_section() -> None:
    context = _context(Quarter(2026, 2))
    in_full = [v.id for c in context.categories.sections for v in c.stories]
    briefs = [v.id for v in context.small_wins]
    assert sorted(in_full + briefs) == ["dns-record-requests", "vm-provisioning"]
    assert [v.id for v in context.in_progress] == ["log-archive-tiering"]
    assert {r.anchor for r in context.appendix.rows} == {f"story-{id}" for id in [*in_full, *briefs]} | {
        "story-log-archive-tiering"
    }
    assert context.appendix.total.status == "2 delivered"


def test_the_ranking_puts_small_wins_apart_and_the_rest_most_hours_first() -> None:
    workspace = load_workspace(load_config(WORKSPACE))
    figures = [story_figures(s, workspace.config) for s in workspace.stories if s.quarter == Quarter(2026, 2)]
    ranking = rank(figures, workspace.config)
    assert [f.story.id for f in ranking.small_wins] == ["dns-record-requests"]
    assert [f.story.id for f in ranking.ranked] == ["vm-provisioning"]
    assert ranking.top_wins == ranking.ranked  # one story shown in full, and it saves hours
    assert {f.story.id for f in ranking.delivered} == {"dns-record-requests", "vm-provisioning"}


def test_the_headline_tiles_are_named_and_in_the_summary_order() -> None:
    headlines = _context(Quarter(2026, 2)).headlines
    assert [t.label for t in headlines.tiles] == [
        "Improvements delivered",
        "Hours saved a year",
        "Money saved a year",
        "FTE equivalent",
        "Teams involved",
        "Measured, not estimated",
    ]
    assert (headlines.delivered.value, headlines.involved.value) == ("2", "2")
    assert headlines.teams == ("Compute Operations", "Network Operations")


def test_the_trend_has_each_quarters_figures_and_its_last_is_the_period() -> None:
    context = _context(Quarter(2026, 2))
    quarters = context.trend.quarters
    assert [(q.quarter, q.stories) for q in quarters] == [("2026-Q1", 1), ("2026-Q2", 2)]
    assert quarters[-1].hours == context.headlines.hours.value  # the period's delivered stories
    assert context.trend.chart is not None
    first = _context(Quarter(2026, 1))
    assert first.trend.quarters == () and first.trend.chart is None  # one quarter: no trend


def test_a_slice_of_the_body_keeps_the_summary_and_holds_only_what_it_is_given() -> None:
    context = _context(Quarter(2026, 2))
    rows = context.appendix.rows[:1]
    sliced = context.with_body(rows=rows)
    assert sliced.appendix.rows == rows and sliced.appendix.total == context.appendix.total
    assert sliced.categories.sections == () and sliced.small_wins == () and sliced.in_progress == ()
    assert sliced.headlines == context.headlines and sliced.categories.chart == context.categories.chart
