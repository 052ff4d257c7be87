"""One story as the report shows it: its figures formatted, its Markdown rendered, its chart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from storyteller.figures import units
from storyteller.figures.metrics import MetricFigures, StoryFigures
from storyteller.format.config import Config
from storyteller.format.placeholders import is_placeholder
from storyteller.format.story import Metric, Story
from storyteller.report import charts
from storyteller.report.charts import Chart, Palette
from storyteller.report.fmt import Formatter, metric_decimals
from storyteller.report.markdown import link_href
from storyteller.report.markdown import render as markdown


@dataclass(frozen=True)
class MetricRow:
    """One metric of a story: its before-and-after row, formatted."""

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
    source: Markup  # marked when it is placeholder text
    basis: str
    frequency: str


@dataclass(frozen=True)
class StoryView:
    """One story, formatted for the ``story`` and ``brief`` macros of story.html."""

    id: str
    anchor: str
    file: str
    title: str
    summary: Markup  # summary, team and the narrative are marked when they are placeholder text
    team: Markup
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
    money_value: float | None  # the same as a number (None without money): a loss is styled as one
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
    lead: MetricRow | None = None  # the metric that shows the win best (the brief's before -> after), or None


_LABEL = Markup('<span class="placeholder-label">placeholder</span>')
_TIP = "placeholder text from storyteller new: replace it in the story file"


def marked(text: str) -> Markup:
    """``text`` for the report, escaped; placeholder text (a prompt of `storyteller new` left
    in) inside a visible marker, so the report never shows one silently."""
    if not is_placeholder(text):
        return Markup.escape(text)
    return Markup('<span class="placeholder" title="{}">{} {}</span>').format(_TIP, _LABEL, text)


def marked_block(html: Markup, text: str) -> Markup:
    """Rendered Markdown of ``text`` inside a visible marker when ``text`` is placeholder text."""
    if not is_placeholder(text):
        return html
    return Markup('<div class="placeholder placeholder-block" title="{}">{}{}</div>').format(_TIP, _LABEL, html)


def anchor(story: Story) -> str:
    """The element id of a story: what the top wins and the appendix link to."""
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
    return f"{fmt.factor(f.factor)} {factor_word(f.metric)}"


def factor_word(m: Metric) -> str:
    """The word after a factor, following the metric: "faster" only for a duration of one
    event (with a frequency, or none); "less time" for a duration measured `per` a period or
    not hands-on work; "fewer" (or "more") for counts; "lower" or "higher" otherwise."""
    kind = units.family(m.unit)
    lower = m.better == "lower"
    if kind is units.Family.DURATION and lower:
        return "less time" if m.per is not None or m.hands_on is False else "faster"
    if kind is units.Family.COUNT:
        return "fewer" if lower else "more"
    return "lower" if lower else "higher"


def _how_often(f: MetricFigures, fmt: Formatter) -> str:
    """What the yearly figure is made of, under the metric's name: "40 per month",
    "per month, 45 min each", "per year, not hands-on work", and the money that does not
    come from hours: "per quarter, $650 each: $10,400 a year", so every figure of the story
    can be traced to a metric."""
    m = f.metric
    parts = [str(m.frequency) if m.frequency else (f"per {m.per}" if m.per else "")]
    if m.each is not None:
        parts.append(f"{fmt.value(m.each.amount, m.each.unit, metric_decimals(m.each.amount))} each")
    if m.hands_on is False:
        parts.append("not hands-on work")
    text = ", ".join(p for p in parts if p)
    cash = [f"{fmt.money(f.yearly_cash_saved)} a year"] if f.yearly_cash_saved else []
    cash += [f"{fmt.money(v, code)} a year (not converted)" for code, v in sorted(f.other_currency.items()) if v]
    return f"{text}: {', '.join(cash)}" if cash else text


def _metric_row(f: MetricFigures, fmt: Formatter) -> MetricRow:
    m = f.metric
    freq = _how_often(f, fmt)
    decimals = metric_decimals(m.before, m.after)
    return MetricRow(
        name=m.name,
        before=fmt.value(m.before, m.unit, decimals),
        after=fmt.value(m.after, m.unit, decimals),
        change=fmt.change(f.change, m.unit, decimals),
        result=_result(f, fmt),
        hours=fmt.hours(f.yearly_hours_saved) if f.yearly_hours_saved is not None else "",
        money=fmt.money(f.yearly_money_saved) if f.yearly_money_saved is not None else "",
        estimated=f.estimated,
        regression=f.regression,
        eliminated=f.eliminated,
        source=marked(m.source or ""),
        basis=m.basis,
        frequency=freq,
    )


def _highlight(s: StoryFigures, config: Config, fmt: Formatter) -> str:
    """One line for the top wins and brief entries: value first when the workspace values
    time ("$112,260 a year, 108 hours"), else hours first."""
    if config.hourly_rate is not None and s.yearly_money_saved and s.yearly_money_saved > 0:
        hours = f", {fmt.hours(s.yearly_hours_saved)} hours" if s.yearly_hours_saved > 0 else ""
        return f"{fmt.money(s.yearly_money_saved)} a year{hours}"
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
        anchor=anchor(story),
        file=story.file,
        title=story.title,
        summary=marked(story.summary),
        team=marked(story.team),
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
        money_value=s.yearly_money_saved,
        other_money=tuple(fmt.money(v, code) for code, v in sorted(s.other_currency.items())),
        fte=fmt.fte(s.fte) if s.yearly_hours_saved else "",
        payback=fmt.weeks(s.payback_weeks) if s.payback_weeks is not None else "",
        effort=fmt.hours(story.effort_hours) if story.effort_hours is not None else "",
        metrics=tuple(_metric_row(f, fmt) for f in s.metrics),
        problem=marked_block(markdown(story.problem), story.problem),
        solution=marked_block(markdown(story.solution), story.solution) if story.solution else None,
        outcome=marked_block(markdown(story.outcome), story.outcome),
        quote_text=story.quote.text if story.quote else "",
        quote_by=(story.quote.by or "") if story.quote else "",
        links=tuple((link.title, link_href(link.url)) for link in story.links),
        images=tuple((image.path, image.alt, image.caption or "") for image in story.images),
        chart=chart,
        highlight=_highlight(s, config, fmt),
        has_estimates=any(f.estimated for f in s.metrics),
        has_regression=any(f.regression for f in s.metrics),
        lead=_lead(s, fmt),
    )


def _lead(s: StoryFigures, fmt: Formatter) -> MetricRow | None:
    """The metric whose before and after show the story's win best: the most money a year,
    then the most hours, then one eliminated, then the largest factor; None when no metric
    improved."""
    better = [f for f in s.metrics if not f.regression and f.change != 0]
    if not better:
        return None
    best = max(
        better,
        key=lambda f: (f.yearly_money_saved or 0, f.yearly_hours_saved or 0, f.eliminated, f.factor or 0),
    )
    return _metric_row(best, fmt)


def story_chart(s: StoryFigures, fmt: Formatter, palette: Palette) -> Chart | None:
    """The story's before-and-after chart, or None when it has no metrics."""
    rows = []
    for f in s.metrics:
        decimals = metric_decimals(f.metric.before, f.metric.after)  # as in the story's table
        rows.append(
            (
                f.metric.name,
                float(f.metric.before),
                float(f.metric.after),
                fmt.value(f.metric.before, f.metric.unit, decimals),
                fmt.value(f.metric.after, f.metric.unit, decimals) + (" (eliminated)" if f.eliminated else ""),
                f.regression,
            )
        )
    return charts.before_after_chart(s.story.title, rows, palette) if rows else None
