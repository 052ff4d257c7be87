"""The report's content: one typed context per period, made from stories and their figures.

Everything a template shows is computed and formatted here, so templates only lay it out
and every number in them can be traced to a story and a formula (see the appendix).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from storyteller.figures import units
from storyteller.figures.metrics import MetricFigures, StoryFigures, Totals, story_figures, totals
from storyteller.figures.periods import Quarter
from storyteller.format.model import Config, Story
from storyteller.report import charts
from storyteller.report.charts import Chart, Palette
from storyteller.report.fmt import Formatter
from storyteller.report.markdown import link_href
from storyteller.report.markdown import render as markdown


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
class Headline:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class MetricRow:
    name: str
    before: str
    after: str
    change: str
    result: str  # "2.5× faster", "eliminated", "regression", "no change"
    hours: str  # yearly hours saved, or "" when not defined
    money: str
    estimated: bool
    regression: bool
    eliminated: bool
    source: str
    basis: str
    frequency: str


@dataclass(frozen=True)
class StoryView:
    id: str
    anchor: str
    file: str
    title: str
    summary: str
    team: str
    owners: tuple[str, ...]
    partners: tuple[str, ...]
    category: str
    category_label: str
    quarter: str
    status: str
    impact: tuple[str, ...]
    tags: tuple[str, ...]
    hours: str
    hours_value: float
    estimated_hours: str
    money: str
    other_money: tuple[str, ...]
    fte: str
    payback: str
    effort: str
    metrics: tuple[MetricRow, ...]
    problem: Markup
    solution: Markup | None
    outcome: Markup
    quote_text: str
    quote_by: str
    links: tuple[tuple[str, str], ...]
    images: tuple[tuple[Path, str, str], ...]  # (file, alt, caption)
    chart: Chart | None
    highlight: str  # the one line for "top wins" and the small-wins list
    has_estimates: bool
    has_regression: bool


@dataclass(frozen=True)
class CategoryView:
    key: str
    label: str
    anchor: str
    stories: tuple[StoryView, ...]
    summary: str


@dataclass(frozen=True)
class AppendixRow:
    title: str
    anchor: str
    quarter: str
    team: str
    category: str
    status: str
    hours: str
    estimated: str
    money: str
    fte: str
    payback: str


@dataclass(frozen=True)
class Formula:
    name: str
    text: str


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
    headlines: tuple[Headline, ...]
    top_wins: tuple[StoryView, ...]
    category_chart: Chart | None
    trend_chart: Chart | None
    categories: tuple[CategoryView, ...]
    small_wins: tuple[StoryView, ...]
    in_progress: tuple[StoryView, ...]
    appendix: tuple[AppendixRow, ...]
    appendix_total: AppendixRow
    formulas: tuple[Formula, ...]
    keywords: str
    teams: tuple[str, ...]
    partner_teams: tuple[str, ...]
    other_currency: str
    paper: str
    empty: bool
    stories_total: int
    measured_share: str
    measured_note: str  # "all of them measured", "87% of them measured, the rest estimated"
    charts: tuple[Chart, ...] = field(default=())


def _anchor(story: Story) -> str:
    return f"story-{story.id}"


def _result(f: MetricFigures, fmt: Formatter) -> str:
    if f.eliminated:
        return "eliminated"
    if f.change == 0:
        return "no change"
    if f.factor is None:
        return "regression" if f.regression else "improved"
    if f.regression:
        return f"{fmt.factor(1 / f.factor)} worse"
    kind = units.family(f.metric.unit)
    if f.metric.better == "higher":
        word = "higher"
    elif kind is units.Family.DURATION:
        word = "faster"
    elif kind in (units.Family.CURRENCY, units.Family.PERCENT):
        word = "lower"
    else:
        word = "fewer"
    return f"{fmt.factor(f.factor)} {word}"


def _metric_row(f: MetricFigures, fmt: Formatter) -> MetricRow:
    m = f.metric
    freq = str(m.frequency) if m.frequency else (f"per {m.per}" if m.per else "")
    return MetricRow(
        name=m.name,
        before=fmt.value(m.before, m.unit),
        after=fmt.value(m.after, m.unit),
        change=fmt.change(f.change, m.unit),
        result=_result(f, fmt),
        hours=fmt.hours(f.yearly_hours_saved) if f.yearly_hours_saved is not None else "",
        money=fmt.money(f.yearly_money_saved) if f.yearly_money_saved is not None else "",
        estimated=f.estimated,
        regression=f.regression,
        eliminated=f.eliminated,
        source=m.source or "",
        basis=m.basis,
        frequency=freq,
    )


def _highlight(s: StoryFigures, fmt: Formatter) -> str:
    if s.yearly_hours_saved > 0:
        text = f"{fmt.hours(s.yearly_hours_saved)} hours a year"
        if s.yearly_money_saved:
            text += f", {fmt.money(s.yearly_money_saved)}"
        return text
    best = [f for f in s.metrics if f.eliminated]
    if best:
        return f"{best[0].metric.name.lower()}: eliminated"
    factors = [f for f in s.metrics if f.factor and not f.regression and f.factor > 1]
    if factors:
        top = max(factors, key=lambda f: f.factor or 0)
        return f"{top.metric.name.lower()}: {_result(top, fmt)}"
    if s.yearly_money_saved:
        return f"{fmt.money(s.yearly_money_saved)} a year"
    return ""


def story_view(s: StoryFigures, config: Config, fmt: Formatter, chart: Chart | None) -> StoryView:
    story = s.story
    return StoryView(
        id=story.id,
        anchor=_anchor(story),
        file=story.file,
        title=story.title,
        summary=story.summary,
        team=story.team,
        owners=story.owners,
        partners=story.partners,
        category=story.category,
        category_label=config.category_label(story.category),
        quarter=str(story.quarter),
        status=story.status,
        impact=tuple(dict(config.outcomes).get(k, k) for k in story.impact),
        tags=story.tags,
        hours=fmt.hours(s.yearly_hours_saved),
        hours_value=s.yearly_hours_saved,
        estimated_hours=fmt.hours(s.estimated_hours_saved) if s.estimated_hours_saved else "",
        money=fmt.money(s.yearly_money_saved) if s.yearly_money_saved is not None else "",
        other_money=tuple(fmt.money(v, code) for code, v in sorted(s.other_currency.items())),
        fte=fmt.fte(s.fte) if s.yearly_hours_saved else "",
        payback=fmt.weeks(s.payback_weeks) if s.payback_weeks is not None else "",
        effort=fmt.hours(story.effort_hours) if story.effort_hours is not None else "",
        metrics=tuple(_metric_row(f, fmt) for f in s.metrics),
        problem=markdown(story.problem),
        solution=markdown(story.solution) if story.solution else None,
        outcome=markdown(story.outcome),
        quote_text=story.quote.text if story.quote else "",
        quote_by=(story.quote.by or "") if story.quote else "",
        links=tuple((link.title, link_href(link.url)) for link in story.links),
        images=tuple((image.path, image.alt, image.caption or "") for image in story.images),
        chart=chart,
        highlight=_highlight(s, fmt),
        has_estimates=any(f.estimated for f in s.metrics),
        has_regression=any(f.regression for f in s.metrics),
    )


def _story_chart(s: StoryFigures, fmt: Formatter, palette: Palette) -> Chart | None:
    rows = [
        (
            f.metric.name,
            float(f.metric.before),
            float(f.metric.after),
            fmt.value(f.metric.before, f.metric.unit),
            fmt.value(f.metric.after, f.metric.unit) + (" (eliminated)" if f.eliminated else ""),
            f.regression,
        )
        for f in s.metrics
    ]
    return charts.before_after_chart(s.story.title, rows, palette) if rows else None


def _formulas(config: Config, fmt: Formatter) -> tuple[Formula, ...]:
    rate = (
        f"{fmt.money(config.hourly_rate)} an hour (the workspace's hourly_rate)"
        if config.hourly_rate is not None
        else "not set, so no money is derived from hours"
    )
    return (
        Formula("Change", "After minus before, in the metric's unit; for percentages, in percentage points (pp)."),
        Formula("Relative change", "The change divided by the before value, in percent; not shown when before is 0."),
        Formula(
            "Factor",
            "For a lower-is-better metric, before divided by after (\u201c2.5\u00d7 faster\u201d); for a "
            "higher-is-better metric, after divided by before. When a lower-is-better value reaches 0 the "
            "problem is marked eliminated; when before is 0 only the change is shown.",
        ),
        Formula(
            "Regression",
            "A metric that moved the wrong way is marked as a regression and keeps its sign: its hours count "
            "against the story's total.",
        ),
        Formula(
            "Yearly hours saved",
            "For a metric of hands-on work time with a frequency: (before \u2212 after) in hours \u00d7 events a "
            "year (a day 365, a week 52, a month 12, a quarter 4). A story's figure is the sum of its metrics'; "
            "a period's is the sum of its delivered stories'. Waiting and lead times save no hours.",
        ),
        Formula(
            "Yearly money saved",
            f"Yearly hours saved \u00d7 the hourly rate: {rate}; plus, for money metrics with a frequency or "
            f"period, (before \u2212 after) \u00d7 periods a year. Only amounts in {config.currency} are added; "
            "other currencies are shown apart and never converted.",
        ),
        Formula(
            "FTE equivalent",
            f"Yearly hours saved \u00f7 {fmt.number(config.hours_per_fte)} working hours of one full-time person "
            "(the workspace's hours_per_fte).",
        ),
        Formula(
            "Payback",
            "Hours it took to build \u00f7 (yearly hours saved \u00f7 52): the weeks until the saved time repays "
            "the effort.",
        ),
        Formula(
            "Measured and estimated",
            "Figures from metrics marked estimated are counted apart; the measured share is the part of the hours "
            "saved that comes from measured metrics.",
        ),
        Formula(
            "Delivered and in progress",
            "Totals count delivered stories only; stories in progress are listed, never added.",
        ),
    )


def _money_note(total: Totals, config: Config, fmt: Formatter) -> str:
    """Where the money comes from: time saved at the hourly rate, and direct savings."""
    if total.yearly_money_saved is None:
        return f"no hourly rate or {config.currency} figures"
    from_time = total.yearly_hours_saved * config.hourly_rate if config.hourly_rate else 0.0
    direct = total.yearly_money_saved - from_time
    if config.hourly_rate and abs(direct) >= 0.5:
        return f"{fmt.money(from_time)} of time at {fmt.money(config.hourly_rate)}/h, {fmt.money(direct)} direct"
    if config.hourly_rate:
        return f"time saved at {fmt.money(config.hourly_rate)} an hour"
    return f"direct savings in {config.currency}"


def _appendix_row(s: StoryFigures, config: Config, fmt: Formatter) -> AppendixRow:
    story = s.story
    return AppendixRow(
        title=story.title,
        anchor=_anchor(story),
        quarter=str(story.quarter),
        team=story.team,
        category=config.category_label(story.category),
        status="in progress" if not story.delivered else "delivered",
        hours=fmt.hours(s.yearly_hours_saved),
        estimated=fmt.hours(s.estimated_hours_saved) if s.estimated_hours_saved else "\u2013",
        money=fmt.money(s.yearly_money_saved) if s.yearly_money_saved is not None else "\u2013",
        fte=fmt.fte(s.fte) if story.delivered and s.yearly_hours_saved else "\u2013",
        payback=fmt.weeks(s.payback_weeks) if s.payback_weeks is not None else "\u2013",
    )


def _is_small(s: StoryFigures, config: Config) -> bool:
    """A modest saving: some hours, fewer than small_win_hours, nothing eliminated, no large
    money figure. A story that lost time is never a "win": it stays in its category."""
    if not s.story.delivered or s.other_currency or any(f.eliminated or f.regression for f in s.metrics):
        return False
    money_cap = config.small_win_hours * (config.hourly_rate or 0)
    return 0 < s.yearly_hours_saved < config.small_win_hours and (s.yearly_money_saved or 0) <= money_cap


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
    total = totals(figures, config)
    order = {key: i for i, (key, _) in enumerate(config.categories)}
    delivered = [f for f in figures if f.story.delivered]
    views = {f.story.id: story_view(f, config, fmt, _story_chart(f, fmt, palette)) for f in figures}

    small = [f for f in delivered if _is_small(f, config)]
    small_ids = {f.story.id for f in small}
    categories = []
    category_rows = []  # (label, measured, estimated) of every delivered story, small wins too
    for key, label in config.categories:
        every = [f for f in delivered if f.story.category == key]
        if not every:
            continue
        estimated = sum(f.estimated_hours_saved for f in every)
        measured = sum(f.yearly_hours_saved for f in every) - estimated
        category_rows.append((label, measured, estimated))  # signed: a net loss shows as one
        members = sorted(
            (f for f in every if f.story.id not in small_ids), key=lambda f: (-f.yearly_hours_saved, f.story.title)
        )
        if not members:
            continue
        hours = sum(f.yearly_hours_saved for f in members)
        count = len(members)
        categories.append(
            CategoryView(
                key,
                label,
                f"category-{key}",
                tuple(views[f.story.id] for f in members),
                f"{count} {'story' if count == 1 else 'stories'}, {fmt.hours(hours)} hours saved a year",
            )
        )
    category_chart = (
        charts.category_chart(category_rows, palette, "Hours saved a year")
        if any(m or e for _, m, e in category_rows)
        else None
    )

    trend_chart = None
    if period.is_year:
        quarters = [q for q in period.quarters if any(s.quarter == q for s in stories)]
    else:
        quarters = sorted({s.quarter for s in earlier if s.quarter < period.quarters[0]} | {period.quarters[0]})
    if len(quarters) > 1:
        shown = quarters[-8:]
        known = {f.story.id: f for f in figures}  # this period's figures are already computed
        done = [
            known.get(s.id) or story_figures(s, config)
            for s in [*earlier, *stories]
            if s.delivered and s.quarter in shown
        ]
        rows = [
            (
                str(q),
                sum(f.yearly_hours_saved for f in done if f.story.quarter == q),
                sum(f.story.quarter == q for f in done),
            )
            for q in shown
        ]
        trend_chart = charts.trend_chart(rows, palette)

    teams = tuple(sorted({f.story.team for f in delivered}))
    partners = tuple(sorted({p for f in delivered for p in f.story.partners} - set(teams)))
    share = total.measured_share
    headlines = (
        Headline(
            "Improvements delivered",
            fmt.number(total.delivered, 0),
            f"{total.in_progress} more in progress" if total.in_progress else "",
        ),
        Headline(
            "Hours saved a year",
            fmt.hours(total.yearly_hours_saved),
            f"about {fmt.number(total.yearly_hours_saved / (config.hours_per_fte / 52), 0)} working weeks",
        ),
        Headline(
            "Money saved a year",
            fmt.money_compact(total.yearly_money_saved) if total.yearly_money_saved is not None else "\u2013",
            _money_note(total, config, fmt),
        ),
        Headline("FTE equivalent", fmt.fte(total.fte), f"at {fmt.number(config.hours_per_fte)} hours a year"),
        Headline(
            "Teams involved",
            fmt.number(len(teams), 0),
            f"and {len(partners)} partner {'team' if len(partners) == 1 else 'teams'}"
            if partners
            else "no partner teams",
        ),
        Headline(
            "Measured, not estimated",
            fmt.percent(share) if share is not None else "\u2013",
            "of the hours saved",
        ),
    )
    ranked = sorted(
        (f for f in delivered if f.story.id not in small_ids), key=lambda f: (-f.yearly_hours_saved, f.story.title)
    )
    top = tuple(views[f.story.id] for f in ranked[:3] if f.yearly_hours_saved > 0)
    appendix = tuple(
        _appendix_row(f, config, fmt)
        for f in sorted(figures, key=lambda f: (f.story.quarter, order.get(f.story.category, 99), f.story.title))
    )
    appendix_total = AppendixRow(
        title="Total of delivered stories",
        anchor="",
        quarter="",
        team="",
        category="",
        status=f"{total.delivered} delivered",
        hours=fmt.hours(total.yearly_hours_saved),
        estimated=fmt.hours(total.estimated_hours_saved) if total.estimated_hours_saved else "\u2013",
        money=fmt.money(total.yearly_money_saved) if total.yearly_money_saved is not None else "\u2013",
        fte=fmt.fte(total.fte),
        payback="",
    )
    # In the order the report shows them, so that a PDF laid out while charts are still being
    # converted rarely waits for one; then those of stories shown without a chart.
    shown_first = {v.id: v for c in categories for v in c.stories} | views
    all_charts = [c for c in (category_chart, trend_chart) if c] + [v.chart for v in shown_first.values() if v.chart]
    locale = config.locale.replace("_", "-")
    return ReportContext(
        organization=config.organization,
        title=config.title,
        period=period,
        period_label=period.label,
        period_dates=fmt.date_range(period.first_day, period.last_day)
        + (" (year to date)" if period.is_year and period.first_day <= today < period.last_day else ""),
        period_phrase=period.label if not period.is_year else f"fiscal year {period.key}",
        generated=fmt.date(today),
        lang=locale,
        currency=config.currency,
        palette=palette,
        brand=config.brand_primary,
        logo=config.brand_logo,
        headlines=headlines,
        top_wins=top,
        category_chart=category_chart,
        trend_chart=trend_chart,
        categories=tuple(categories),
        small_wins=tuple(views[f.story.id] for f in sorted(small, key=lambda f: f.story.title)),
        in_progress=tuple(views[f.story.id] for f in figures if not f.story.delivered),
        appendix=appendix,
        appendix_total=appendix_total,
        formulas=_formulas(config, fmt),
        keywords=", ".join(label for _, label in config.categories),
        teams=teams,
        partner_teams=partners,
        other_currency=", ".join(fmt.money(v, c) for c, v in sorted(total.other_currency.items())),
        paper=config.paper,
        empty=not figures,
        stories_total=len(figures),
        measured_share=fmt.percent(share) if share is not None else "",
        measured_note=(
            ""
            if share is None
            else "all of them measured"
            if share >= 0.9995
            else "all of them estimated"
            if share <= 0.0005
            else f"{fmt.percent(share)} of them measured, the rest estimated"
        ),
        charts=tuple(all_charts),
    )


def with_rendered_charts(context: ReportContext, rendered: dict[str, Chart]) -> ReportContext:
    """The same context with every chart's SVG filled in from ``rendered`` (by key)."""
    import dataclasses

    def fill(chart: Chart | None) -> Chart | None:
        return rendered[chart.key] if chart is not None else None

    def fill_story(view: StoryView) -> StoryView:
        return dataclasses.replace(view, chart=fill(view.chart))

    return dataclasses.replace(
        context,
        category_chart=fill(context.category_chart),
        trend_chart=fill(context.trend_chart),
        top_wins=tuple(fill_story(v) for v in context.top_wins),
        categories=tuple(
            dataclasses.replace(c, stories=tuple(fill_story(v) for v in c.stories)) for c in context.categories
        ),
        small_wins=tuple(fill_story(v) for v in context.small_wins),
        in_progress=tuple(fill_story(v) for v in context.in_progress),
    )
