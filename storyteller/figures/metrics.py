"""The value a story delivered: the formulas of the spec's "What the tool computes".

Pure functions over the model. A figure that is not defined (a factor when a value is 0,
payback without effort_hours, money without an hourly rate) is None, never 0 or infinity.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from storyteller.figures import units
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
    yearly_money_saved: float | None  # workspace currency: hours x hourly_rate, or a currency metric
    other_currency: dict[str, float]  # yearly amounts in currencies other than the workspace's

    @property
    def improved(self) -> bool:
        return self.change != 0 and not self.regression

    @property
    def estimated(self) -> bool:
        return self.metric.basis == "estimated"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


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
    kind = units.family(metric.unit)
    hours = None
    if kind is units.Family.DURATION and metric.frequency is not None:
        saved_per_event = units.to_hours(before - after, metric.unit)
        hours = _finite(saved_per_event * metric.frequency.per_year)
    money = None
    if hours is not None and config.hourly_rate is not None:
        money = _finite(hours * config.hourly_rate)
    other: dict[str, float] = {}
    if kind is units.Family.CURRENCY:
        per_year = (
            metric.frequency.per_year
            if metric.frequency is not None
            else units.PERIODS_PER_YEAR[metric.per]
            if metric.per is not None
            else None
        )
        if per_year is not None:
            saved = (before - after) * per_year * (1 if lower else -1)
            if metric.unit == config.currency:
                money = _finite(saved)
            else:
                other = {metric.unit: saved}
    return MetricFigures(metric, change, change_percent, factor, eliminated, regression, hours, money, other)


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
    )


@dataclass(frozen=True)
class Totals:
    """Delivered stories of a period added up; in-progress ones are only counted."""

    delivered: int
    in_progress: int
    yearly_hours_saved: float
    estimated_hours_saved: float
    yearly_money_saved: float | None
    estimated_money_saved: float | None
    other_currency: dict[str, float] = field(default_factory=dict)
    fte: float = 0.0

    @property
    def measured_share(self) -> float | None:
        """Share of the hours saved that was measured rather than estimated (0..1)."""
        if self.yearly_hours_saved <= 0:
            return None
        return (self.yearly_hours_saved - self.estimated_hours_saved) / self.yearly_hours_saved


def totals(stories: Iterable[StoryFigures], config: Config) -> Totals:
    stories = list(stories)
    delivered = [s for s in stories if s.story.delivered]
    hours = math.fsum(s.yearly_hours_saved for s in delivered)
    other: dict[str, float] = {}
    for s in delivered:
        _add(other, s.other_currency)
    return Totals(
        delivered=len(delivered),
        in_progress=len(stories) - len(delivered),
        yearly_hours_saved=hours,
        estimated_hours_saved=math.fsum(s.estimated_hours_saved for s in delivered),
        yearly_money_saved=_money_sum(s.yearly_money_saved for s in delivered),
        estimated_money_saved=_money_sum(s.estimated_money_saved for s in delivered),
        other_currency=other,
        fte=hours / config.hours_per_fte,
    )


def period_totals(stories: list[StoryFigures], config: Config) -> dict[str, Totals]:
    """Totals for every quarter and every fiscal year that has stories, in time order."""
    groups: dict[str, list[StoryFigures]] = {}
    quarters = sorted({s.story.quarter for s in stories})
    for quarter in quarters:
        groups[str(quarter)] = [s for s in stories if s.story.quarter == quarter]
    for year in sorted({q.year for q in quarters}):
        groups[str(year)] = [s for s in stories if s.story.quarter.year == year]
    return {key: totals(group, config) for key, group in groups.items()}
