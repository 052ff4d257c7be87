"""The report's sections from a period's figures: which story goes where, the headline figures,
the categories and the trend over quarters. Each step is a pure function of figures and config."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storyteller.figures.metrics import StoryFigures, Totals, story_figures
from storyteller.figures.periods import Quarter
from storyteller.format.config import Config
from storyteller.format.story import Story
from storyteller.report import charts
from storyteller.report.charts import Chart, Palette
from storyteller.report.fmt import Formatter
from storyteller.report.views import StoryView

TOP_WINS = 3  # stories named in the executive summary
TREND_QUARTERS = 8  # the latest quarters the trend shows


@dataclass(frozen=True)
class Ranking:
    """Which section shows each story of a period, in the order it shows them."""

    delivered: tuple[StoryFigures, ...]  # every delivered story, small wins too, in the period's order
    ranked: tuple[StoryFigures, ...]  # delivered stories shown in full (not small wins): most hours first
    small_wins: tuple[StoryFigures, ...]  # by title
    in_progress: tuple[StoryFigures, ...]  # in the period's order

    @property
    def top_wins(self) -> tuple[StoryFigures, ...]:
        """Up to TOP_WINS stories that save the most hours (none that saves none)."""
        return tuple(f for f in self.ranked[:TOP_WINS] if f.yearly_hours_saved > 0)


def is_small_win(s: StoryFigures, config: Config) -> bool:
    """A modest saving: some hours, fewer than small_win_hours, nothing eliminated, no large
    money figure. A story that lost time is never a "win": it stays in its category."""
    if not s.story.delivered or s.other_currency or any(f.eliminated or f.regression for f in s.metrics):
        return False
    money_cap = config.small_win_hours * (config.hourly_rate or 0)
    return 0 < s.yearly_hours_saved < config.small_win_hours and (s.yearly_money_saved or 0) <= money_cap


def rank(figures: Sequence[StoryFigures], config: Config) -> Ranking:
    """The stories of a period sorted into the report's sections."""
    delivered = tuple(f for f in figures if f.story.delivered)
    small: list[StoryFigures] = []
    full: list[StoryFigures] = []
    for f in delivered:
        (small if is_small_win(f, config) else full).append(f)
    return Ranking(
        delivered=delivered,
        ranked=tuple(sorted(full, key=lambda f: (-f.yearly_hours_saved, f.story.title))),
        small_wins=tuple(sorted(small, key=lambda f: f.story.title)),
        in_progress=tuple(f for f in figures if not f.story.delivered),
    )


@dataclass(frozen=True)
class Headline:
    """One tile of the executive summary."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Headlines:
    """The period's key figures: the executive summary's six tiles, each by name, and the
    words around them on the cover and in the summary's first sentence."""

    delivered: Headline  # improvements delivered
    hours: Headline  # hours saved a year
    money: Headline  # money saved a year
    fte: Headline  # FTE equivalent
    involved: Headline  # teams involved
    measured: Headline  # the measured share of the hours saved
    teams: tuple[str, ...]  # teams with delivered stories, sorted
    partner_teams: tuple[str, ...]  # partners of delivered stories that are not in teams, sorted
    measured_share: str  # "98%", or "" when nothing was saved
    measured_note: str  # "all of them measured", "87% of them measured, the rest estimated", or ""
    other_currency: str  # savings in other currencies, never converted ("€1,200"), or ""

    @property
    def tiles(self) -> tuple[Headline, ...]:
        """The six tiles in the order the summary shows them."""
        return (self.delivered, self.hours, self.money, self.fte, self.involved, self.measured)


def headlines(delivered: Sequence[StoryFigures], total: Totals, config: Config, fmt: Formatter) -> Headlines:
    """The key figures of a period whose ``delivered`` stories add up to ``total``."""
    teams = tuple(sorted({f.story.team for f in delivered}))
    partners = tuple(sorted({p for f in delivered for p in f.story.partners} - set(teams)))
    share = total.measured_share
    return Headlines(
        delivered=Headline(
            "Improvements delivered",
            fmt.number(total.delivered, 0),
            f"{total.in_progress} more in progress" if total.in_progress else "",
        ),
        hours=Headline(
            "Hours saved a year",
            fmt.hours(total.yearly_hours_saved),
            _weeks_note(total.yearly_hours_saved, config, fmt),
        ),
        money=Headline(
            "Money saved a year",
            fmt.money_compact(total.yearly_money_saved) if total.yearly_money_saved is not None else "\u2013",
            _money_note(total, config, fmt),
        ),
        fte=Headline("FTE equivalent", fmt.fte(total.fte), f"at {fmt.number(config.hours_per_fte)} hours a year"),
        involved=Headline(
            "Teams involved",
            fmt.number(len(teams), 0),
            f"and {len(partners)} partner {'team' if len(partners) == 1 else 'teams'}"
            if partners
            else "no partner teams",
        ),
        measured=Headline(
            "Measured, not estimated", fmt.percent(share) if share is not None else "\u2013", "of the hours saved"
        ),
        teams=teams,
        partner_teams=partners,
        measured_share=fmt.percent(share) if share is not None else "",
        measured_note=_measured_note(share, fmt),
        other_currency=", ".join(fmt.money(v, c) for c, v in sorted(total.other_currency.items())),
    )


def _weeks_note(hours: float, config: Config, fmt: Formatter) -> str:
    """The hours saved as weeks of work, saying what a week is: "about 19 working weeks of 40 hours"."""
    week = config.hours_per_week
    return f"about {fmt.weeks(hours / week)} working weeks of {fmt.number(week)} hours"


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


def _measured_note(share: float | None, fmt: Formatter) -> str:
    """How much of the hours saved was measured, in words for the summary's first sentence."""
    if share is None:
        return ""
    if share >= 0.9995:
        return "all of them measured"
    if share <= 0.0005:
        return "all of them estimated"
    return f"{fmt.percent(share)} of them measured, the rest estimated"


@dataclass(frozen=True)
class CategoryView:
    """One category's section: its delivered stories shown in full."""

    key: str
    label: str
    anchor: str
    stories: tuple[StoryView, ...]
    summary: str


@dataclass(frozen=True)
class Categories:
    """The categories of a period: a section for each, and the chart of hours saved by category."""

    sections: tuple[CategoryView, ...]  # in the workspace's order; a category of small wins only has none
    chart: Chart | None  # every delivered story's hours, small wins too; None when nothing was saved


def categories(
    ranking: Ranking, views: Mapping[str, StoryView], config: Config, fmt: Formatter, palette: Palette
) -> Categories:
    """The categories' sections, of the stories ``ranking`` shows in full, and their chart."""
    rows = []  # (label, measured, estimated) of every delivered story, small wins too
    sections = []
    for key, label in config.categories:
        every = [f for f in ranking.delivered if f.story.category == key]
        if not every:
            continue
        estimated = sum(f.estimated_hours_saved for f in every)
        rows.append(
            (label, sum(f.yearly_hours_saved for f in every) - estimated, estimated)
        )  # signed: a net loss shows
        members = [f for f in ranking.ranked if f.story.category == key]
        if members:
            sections.append(_section(key, label, members, views, fmt))
    chart = charts.category_chart(rows, palette, "Hours saved a year") if any(m or e for _, m, e in rows) else None
    return Categories(tuple(sections), chart)


def _section(
    key: str, label: str, members: Sequence[StoryFigures], views: Mapping[str, StoryView], fmt: Formatter
) -> CategoryView:
    hours = sum(f.yearly_hours_saved for f in members)
    count = len(members)
    return CategoryView(
        key,
        label,
        f"category-{key}",
        tuple(views[f.story.id] for f in members),
        f"{count} {'story' if count == 1 else 'stories'}, {fmt.hours(hours)} hours saved a year",
    )


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter of the trend: its delivered stories and the hours they save a year."""

    quarter: str  # "2026-Q2"
    hours: str  # formatted
    hours_value: float
    stories: int


@dataclass(frozen=True)
class Trend:
    """Hours saved and stories delivered per quarter, up to the period's last."""

    quarters: tuple[QuarterFigures, ...]  # the latest TREND_QUARTERS; empty with fewer than two
    chart: Chart | None  # None with fewer than two quarters


def trend(
    covered: Sequence[Quarter],
    stories: Sequence[Story],
    earlier: Sequence[Story],
    known: Mapping[str, StoryFigures],
    config: Config,
    fmt: Formatter,
    palette: Palette,
) -> Trend:
    """The trend of a period that ``covered`` these quarters: over the quarters of a year that
    have stories, or for a quarter over it and the ``earlier`` ones. ``known``: the figures
    already computed, by story id."""
    if len(covered) > 1:
        quarters = [q for q in covered if any(s.quarter == q for s in stories)]
    else:
        quarters = sorted({s.quarter for s in earlier if s.quarter < covered[0]} | {covered[0]})
    if len(quarters) < 2:
        return Trend((), None)
    shown = quarters[-TREND_QUARTERS:]
    done = [
        known.get(s.id) or story_figures(s, config) for s in [*earlier, *stories] if s.delivered and s.quarter in shown
    ]
    figures = tuple(_quarter(q, done, fmt) for q in shown)
    return Trend(figures, charts.trend_chart([(q.quarter, q.hours_value, q.stories) for q in figures], palette))


def _quarter(quarter: Quarter, done: Sequence[StoryFigures], fmt: Formatter) -> QuarterFigures:
    hours = sum(f.yearly_hours_saved for f in done if f.story.quarter == quarter)
    return QuarterFigures(str(quarter), fmt.hours(hours), hours, sum(f.story.quarter == quarter for f in done))
