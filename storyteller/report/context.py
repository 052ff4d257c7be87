"""The report's content: one typed context per period, made from stories and their figures.

Everything a template shows is computed and formatted before it gets there, so templates
only lay it out and every number in them can be traced to a story and a formula (see the
appendix). ``build_context`` runs one pure step a piece of the report: each story's view
and chart (views.py); which section shows each story, the headline figures, the categories
and the trend (sections.py); the appendix (appendix.py). The context groups what they return.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from storyteller.figures.metrics import StoryFigures, story_figures, totals
from storyteller.figures.periods import Quarter, Span
from storyteller.format.config import Config
from storyteller.format.story import Story
from storyteller.report.appendix import Appendix, AppendixRow, appendix
from storyteller.report.charts import Chart, Palette
from storyteller.report.fmt import Formatter
from storyteller.report.sections import (
    Categories,
    CategoryView,
    Earlier,
    Headlines,
    Trend,
    categories,
    headlines,
    rank,
    trend,
)
from storyteller.report.views import StoryView, story_chart, story_view

if TYPE_CHECKING:
    from storyteller.evidence.pack import Evidence


@dataclass(frozen=True)
class Period:
    """A quarter (``2026-Q3``) or a fiscal year (``2026``) that a report covers."""

    key: str
    label: str
    quarters: tuple[Quarter, ...]
    first_day: dt.date
    last_day: dt.date

    @property
    def is_year(self) -> bool:
        return len(self.quarters) > 1

    def span(self, fiscal_year_start: int) -> Span:
        """The days the period covers, for the realised figures."""
        if self.is_year:
            return Span.of_year(self.quarters[0].year, fiscal_year_start)
        return Span.of_quarter(self.quarters[0], fiscal_year_start)

    @classmethod
    def quarter(cls, quarter: Quarter, fiscal_year_start: int) -> Period:
        label = f"Q{quarter.number} {quarter.year}" if fiscal_year_start == 1 else f"Q{quarter.number} FY{quarter.year}"
        return cls(
            str(quarter), label, (quarter,), quarter.first_day(fiscal_year_start), quarter.last_day(fiscal_year_start)
        )

    @classmethod
    def year(cls, year: int, fiscal_year_start: int) -> Period:
        quarters = tuple(Quarter(year, n) for n in range(1, 5))
        label = f"Annual review {year}" if fiscal_year_start == 1 else f"Annual review FY{year}"
        return cls(
            str(year),
            label,
            quarters,
            quarters[0].first_day(fiscal_year_start),
            quarters[-1].last_day(fiscal_year_start),
        )


@dataclass(frozen=True)
class ReportContext:
    """Everything the report templates may use (with StrictUndefined, nothing else exists)."""

    organization: str
    title: str
    period: Period
    period_label: str
    period_dates: str
    period_phrase: str  # "Q3 2026", "fiscal year 2026": fits in "In ... the teams delivered"
    generated: str
    lang: str
    currency: str
    palette: Palette
    brand: str
    logo: Path | None
    headlines: Headlines
    top_wins: tuple[StoryView, ...]
    categories: Categories
    trend: Trend
    small_wins: tuple[StoryView, ...]
    in_progress: tuple[StoryView, ...]
    appendix: Appendix
    keywords: str
    paper: str
    empty: bool
    stories_total: int
    charts: tuple[Chart, ...] = field(default=())
    evidence: Evidence | None = None  # the files its PDF carries (storyteller/evidence); None in the HTML's

    def with_body(
        self,
        sections: tuple[CategoryView, ...] = (),
        small_wins: tuple[StoryView, ...] = (),
        in_progress: tuple[StoryView, ...] = (),
        rows: tuple[AppendixRow, ...] = (),
    ) -> ReportContext:
        """The same report holding only these pieces of its body (categories' sections, small
        wins, stories in progress, appendix rows): one part of a PDF laid out in parts."""
        return dataclasses.replace(
            self,
            categories=dataclasses.replace(self.categories, sections=sections),
            small_wins=small_wins,
            in_progress=in_progress,
            appendix=dataclasses.replace(self.appendix, rows=rows),
        )


def build_context(
    stories: Sequence[Story],
    config: Config,
    period: Period,
    today: dt.date,
    earlier: Sequence[Story] = (),
) -> ReportContext:
    """The context of one report. ``stories`` are the period's; ``earlier`` are those of
    earlier quarters, for the trend chart."""
    fmt = Formatter(config.locale, config.currency)
    palette = Palette.from_brand(config.brand_primary)
    figures = [story_figures(s, config) for s in stories]
    before = [story_figures(s, config) for s in earlier]
    total = totals(figures, config, period.span(config.fiscal_year_start), [*before, *figures])
    ranking = rank(figures, config)
    views = {f.story.id: story_view(f, config, fmt, story_chart(f, fmt, palette)) for f in figures}
    by_category = categories(ranking, views, config, fmt, palette)
    known = {f.story.id: f for f in [*before, *figures]}
    over_time = trend(period.quarters, stories, earlier, known, config, fmt, palette)
    phrase = period.label if not period.is_year else f"fiscal year {period.key}"
    return ReportContext(
        organization=config.organization,
        title=config.title,
        period=period,
        period_label=period.label,
        period_dates=_dates(period, today, fmt),
        period_phrase=phrase,
        generated=fmt.date(today),
        lang=config.locale.replace("_", "-"),
        currency=config.currency,
        palette=palette,
        brand=config.brand_primary,
        logo=config.brand_logo,
        headlines=headlines(
            ranking.delivered, total, config, fmt, _previous(period, before, config), phrase, today < period.last_day
        ),
        top_wins=tuple(views[f.story.id] for f in ranking.top_wins),
        categories=by_category,
        trend=over_time,
        small_wins=tuple(views[f.story.id] for f in ranking.small_wins),
        in_progress=tuple(views[f.story.id] for f in ranking.in_progress),
        appendix=appendix(figures, total, config, fmt),
        keywords=", ".join(label for _, label in config.categories),
        paper=config.paper,
        empty=not figures,
        stories_total=len(figures),
        charts=_charts(by_category, over_time, views),
    )


def _previous(period: Period, before: Sequence[StoryFigures], config: Config) -> Earlier | None:
    """The latest period before ``period`` that has stories (a quarter, or a fiscal year for an
    annual review), with its delivered stories' totals; None when there is none."""
    if not before:
        return None
    fiscal = config.fiscal_year_start
    last = max(f.story.quarter for f in before)
    if period.is_year:
        mine = [f for f in before if f.story.quarter.year == last.year]
        label = Period.year(last.year, fiscal).key if fiscal == 1 else f"FY{last.year}"
    else:
        mine = [f for f in before if f.story.quarter == last]
        label = Period.quarter(last, fiscal).label
        label = label.split(" ")[0] if last.year == period.quarters[0].year else label
    delivered = tuple(f for f in mine if f.story.delivered)
    return Earlier(label, delivered, totals(mine, config))


def _dates(period: Period, today: dt.date, fmt: Formatter) -> str:
    """The period's first and last day; a year not over yet says so."""
    to_date = period.is_year and period.first_day <= today < period.last_day
    return fmt.date_range(period.first_day, period.last_day) + (" (year to date)" if to_date else "")


def _charts(by_category: Categories, over_time: Trend, views: Mapping[str, StoryView]) -> tuple[Chart, ...]:
    """Every chart of the report in the order the report shows them, so that a PDF laid out
    while charts are still being converted rarely waits for one; then those of the stories
    shown as brief entries, which show no chart (small wins, stories in progress)."""
    shown_first = {v.id: v for c in by_category.sections for v in c.stories} | dict(views)
    summary = [c for c in (by_category.chart, over_time.chart) if c]
    return tuple(summary + [v.chart for v in shown_first.values() if v.chart])


def with_rendered_charts(context: ReportContext, rendered: dict[str, Chart]) -> ReportContext:
    """The same context with every chart's SVG filled in from ``rendered`` (by key)."""

    def fill(chart: Chart | None) -> Chart | None:
        return rendered[chart.key] if chart is not None else None

    def fill_story(view: StoryView) -> StoryView:
        return dataclasses.replace(view, chart=fill(view.chart))

    sections = tuple(
        dataclasses.replace(c, stories=tuple(fill_story(v) for v in c.stories)) for c in context.categories.sections
    )
    return dataclasses.replace(
        context,
        categories=dataclasses.replace(context.categories, sections=sections, chart=fill(context.categories.chart)),
        trend=dataclasses.replace(context.trend, chart=fill(context.trend.chart)),
        top_wins=tuple(fill_story(v) for v in context.top_wins),
        small_wins=tuple(fill_story(v) for v in context.small_wins),
        in_progress=tuple(fill_story(v) for v in context.in_progress),
    )
