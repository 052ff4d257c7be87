"""The value a story delivered: the formulas of the spec's "What the tool computes".

Pure functions over the model. A figure that is not defined (a factor when a value is 0,
payback without effort_hours, money without an hourly rate) is None, never 0 or infinity.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from storyteller.figures import units
from storyteller.figures.periods import Span
from storyteller.format.config import Config
from storyteller.format.story import Metric, Story

WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class MetricFigures:
    metric: Metric
    change: float
    change_percent: float | None
    factor: float | None
    eliminated: bool
    regression: bool
    yearly_hours_saved: float | None
    yearly_money_saved: float | None  # workspace currency: hours x hourly_rate plus cash
    other_currency: dict[str, float]  # yearly amounts in currencies other than the workspace's
    # The cash part of yearly_money_saved (currency metrics, `each` money): 0 when the money
    # is all hours x rate, None when there is no money.
    yearly_cash_saved: float | None = None

    @property
    def improved(self) -> bool:
        return self.change != 0 and not self.regression

    @property
    def estimated(self) -> bool:
        return self.metric.basis == "estimated"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def times_a_year(metric: Metric, config: Config) -> float | None:
    """How many events (`frequency`) or periods (`per`) a year the metric's numbers are for."""
    if metric.frequency is not None:
        return metric.frequency.times_a_year(config.workdays_per_year)
    if metric.per is not None:
        return units.periods_per_year(metric.per, config.workdays_per_year)
    return None


def improvement(metric: Metric) -> float:
    """How much better `after` is than `before`: `before - after` for `lower`, else `after - before`."""
    before, after = float(metric.before), float(metric.after)
    return before - after if metric.better == "lower" else after - before


def _yearly_hours(metric: Metric, per_year: float | None) -> float | None:
    """Hands-on hours saved a year: a duration's time per event (`frequency`) or per period
    (`per`) saved, times a year; or occurrences avoided x the time `each` one takes."""
    if per_year is None:
        return None
    if units.family(metric.unit) is units.Family.DURATION:
        if metric.hands_on is False:  # downtime, waiting, lead time: reported, saves nobody's hours
            return None
        return _finite(units.to_hours(float(metric.before) - float(metric.after), metric.unit) * per_year)
    if metric.each is not None and metric.each.hours is not None:
        return _finite(improvement(metric) * per_year * metric.each.hours)
    return None


def _yearly_cash(metric: Metric, per_year: float | None) -> tuple[str, float] | None:
    """(currency, amount) saved a year by a currency metric or by `each` money."""
    if per_year is None:
        return None
    if units.family(metric.unit) is units.Family.CURRENCY:
        return metric.unit, improvement(metric) * per_year
    if metric.each is not None and metric.each.is_money:
        return metric.each.unit, improvement(metric) * per_year * metric.each.amount
    return None


def metric_figures(metric: Metric, config: Config) -> MetricFigures:
    before, after = float(metric.before), float(metric.after)
    change = after - before
    change_percent = _finite(change / abs(before) * 100) if before != 0 else None
    lower = metric.better == "lower"
    regression = change > 0 if lower else change < 0
    eliminated = lower and after == 0 and before > 0
    factor: float | None = None
    if before > 0 and after > 0:
        ratio = _finite(before / after if lower else after / before)
        factor = ratio if ratio else None  # a ratio that underflows to 0 is as undefined as 0 itself
    per_year = times_a_year(metric, config)
    hours = _yearly_hours(metric, per_year)
    from_hours = _finite(hours * config.hourly_rate) if hours is not None and config.hourly_rate is not None else None
    cash: float | None = None
    other: dict[str, float] = {}
    saved = _yearly_cash(metric, per_year)
    if saved is not None and saved[0] == config.currency:
        cash = _finite(saved[1])
    elif saved is not None:
        other = {saved[0]: saved[1]}
    money = _money_sum((from_hours, cash))
    cash = None if money is None else cash or 0.0
    return MetricFigures(metric, change, change_percent, factor, eliminated, regression, hours, money, other, cash)


@dataclass(frozen=True)
class StoryFigures:
    story: Story
    metrics: tuple[MetricFigures, ...]
    yearly_hours_saved: float
    estimated_hours_saved: float
    yearly_money_saved: float | None
    estimated_money_saved: float | None
    other_currency: dict[str, float]
    fte: float
    payback_weeks: float | None
    yearly_cash_saved: float | None  # the part of yearly_money_saved that is cash, not hours x rate (None: no money)
    go_live: dt.date  # the story's `date`, or else the last day of its quarter

    @property
    def measured_hours_saved(self) -> float:
        return self.yearly_hours_saved - self.estimated_hours_saved


def _add(into: dict[str, float], more: dict[str, float]) -> None:
    for code, amount in more.items():
        into[code] = into.get(code, 0.0) + amount


def _money_sum(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return math.fsum(defined) if defined else None


def story_figures(story: Story, config: Config) -> StoryFigures:
    figures = tuple(metric_figures(m, config) for m in story.metrics)
    hours = math.fsum(f.yearly_hours_saved or 0.0 for f in figures)
    estimated = math.fsum(f.yearly_hours_saved or 0.0 for f in figures if f.estimated)

    total_money = _money_sum(f.yearly_money_saved for f in figures)
    estimated_money = _money_sum(f.yearly_money_saved for f in figures if f.estimated)

    other: dict[str, float] = {}
    for f in figures:
        _add(other, f.other_currency)
    payback = None
    if story.effort_hours is not None and hours > 0:
        payback = _finite(story.effort_hours / (hours / WEEKS_PER_YEAR))
    return StoryFigures(
        story=story,
        metrics=figures,
        yearly_hours_saved=hours,
        estimated_hours_saved=estimated,
        yearly_money_saved=total_money,
        estimated_money_saved=None if total_money is None else estimated_money or 0.0,
        other_currency=other,
        fte=hours / config.hours_per_fte,
        payback_weeks=payback,
        yearly_cash_saved=_money_sum(f.yearly_cash_saved for f in figures),
        go_live=story.date or story.quarter.last_day(config.fiscal_year_start),
    )


@dataclass(frozen=True)
class Totals:
    """Delivered stories of a period added up; in-progress ones are only counted.

    The realised figures are what the workspace's delivered stories actually gained within
    the period (None when the totals are not for one period)."""

    delivered: int
    in_progress: int
    yearly_hours_saved: float
    estimated_hours_saved: float
    yearly_money_saved: float | None
    estimated_money_saved: float | None
    other_currency: dict[str, float] = field(default_factory=dict)
    fte: float = 0.0
    yearly_cash_saved: float | None = None
    realised_hours: float | None = None
    realised_money: float | None = None

    @property
    def measured_share(self) -> float | None:
        """Share of the hours saved that was measured rather than estimated (0..1)."""
        if self.yearly_hours_saved <= 0:
            return None
        return (self.yearly_hours_saved - self.estimated_hours_saved) / self.yearly_hours_saved


def realised(stories: Iterable[StoryFigures], span: Span) -> tuple[float, float | None]:
    """Hours and money (workspace currency: hours x rate plus cash) that delivered stories
    realised within ``span``: each yearly figure x the days of the span after its go-live day
    / the days of its fiscal year. Stories delivered before the span count in full."""
    hours: list[float] = []
    money: list[float | None] = []
    for s in stories:
        if not s.story.delivered:
            continue
        share = span.share_after(s.go_live)
        hours.append(s.yearly_hours_saved * share)
        money.append(None if s.yearly_money_saved is None else s.yearly_money_saved * share)
    return math.fsum(hours), _money_sum(money)


def totals(
    stories: Iterable[StoryFigures],
    config: Config,
    span: Span | None = None,
    everything: Iterable[StoryFigures] | None = None,
) -> Totals:
    """The totals of ``stories``; with ``span``, also what ``everything`` (every story of the
    workspace, by default ``stories``) realised within it."""
    stories = list(stories)
    delivered = [s for s in stories if s.story.delivered]
    hours = math.fsum(s.yearly_hours_saved for s in delivered)
    other: dict[str, float] = {}
    for s in delivered:
        _add(other, s.other_currency)
    realised_hours, realised_money = (None, None) if span is None else realised(everything or stories, span)
    return Totals(
        delivered=len(delivered),
        in_progress=len(stories) - len(delivered),
        yearly_hours_saved=hours,
        estimated_hours_saved=math.fsum(s.estimated_hours_saved for s in delivered),
        yearly_money_saved=_money_sum(s.yearly_money_saved for s in delivered),
        estimated_money_saved=_money_sum(s.estimated_money_saved for s in delivered),
        other_currency=other,
        fte=hours / config.hours_per_fte,
        yearly_cash_saved=_money_sum(s.yearly_cash_saved for s in delivered),
        realised_hours=realised_hours,
        realised_money=realised_money,
    )


def period_totals(
    stories: list[StoryFigures], config: Config, everything: list[StoryFigures] | None = None
) -> dict[str, Totals]:
    """Totals for every quarter and every fiscal year that has stories, in time order; the
    realised figures count ``everything`` (every story of the workspace; default ``stories``)."""
    fiscal = config.fiscal_year_start
    groups: dict[str, tuple[list[StoryFigures], Span]] = {}
    quarters = sorted({s.story.quarter for s in stories})
    for quarter in quarters:
        groups[str(quarter)] = ([s for s in stories if s.story.quarter == quarter], Span.of_quarter(quarter, fiscal))
    for year in sorted({q.year for q in quarters}):
        groups[str(year)] = ([s for s in stories if s.story.quarter.year == year], Span.of_year(year, fiscal))
    return {key: totals(group, config, span, everything or stories) for key, (group, span) in groups.items()}
