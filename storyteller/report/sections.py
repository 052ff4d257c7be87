"""The report's sections from a period's figures: which story goes where, the headline figures,
the categories and the trend over quarters. Each step is a pure function of figures and config."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from storyteller.figures import units
from storyteller.figures.metrics import MetricFigures, StoryFigures, Totals, realised, story_figures
from storyteller.figures.periods import Quarter, Span
from storyteller.format.config import Config
from storyteller.format.story import Story
from storyteller.report import charts
from storyteller.report.charts import Chart, Palette
from storyteller.report.fmt import MINUS, Formatter, metric_decimals
from storyteller.report.views import StoryView, anchor

TOP_WINS = 3  # stories named in the executive summary
TREND_QUARTERS = 8  # the latest quarters the trend shows


@dataclass(frozen=True)
class Ranking:
    """Which section shows each story of a period, in the order it shows them."""

    delivered: tuple[StoryFigures, ...]  # every delivered story, small wins too, in the period's order
    ranked: tuple[StoryFigures, ...]  # delivered stories shown in full (not small wins): most value first (by_value)
    small_wins: tuple[StoryFigures, ...]  # by title
    in_progress: tuple[StoryFigures, ...]  # in the period's order
    by_money: bool = False  # ranked by yearly money saved (the workspace has an hourly_rate), else by hours

    @property
    def top_wins(self) -> tuple[StoryFigures, ...]:
        """Up to TOP_WINS stories worth the most a year (none that is worth nothing)."""
        return tuple(f for f in self.ranked[:TOP_WINS] if worth(f, self.by_money) > 0)


def worth(s: StoryFigures, by_money: bool) -> float:
    """What a story is ranked by: its yearly money saved (time at the rate plus cash) when the
    workspace has an hourly_rate, else its yearly hours saved."""
    return (s.yearly_money_saved or 0.0) if by_money else s.yearly_hours_saved


def by_value(s: StoryFigures, by_money: bool) -> tuple[float, float, str]:
    """The sort key of the ranking: most value first, ties by hours, then by title."""
    return (-worth(s, by_money), -s.yearly_hours_saved, s.story.title)


def small_win_value(config: Config) -> float:
    """The yearly money saved below which a story may be a small win: the workspace's
    small_win_value, or small_win_hours x hourly_rate (0 without a rate)."""
    if config.small_win_value is not None:
        return config.small_win_value
    return config.small_win_hours * (config.hourly_rate or 0)


def is_small_win(s: StoryFigures, config: Config) -> bool:
    """A modest saving: some hours or money, fewer hours than small_win_hours and less money
    than small_win_value, nothing eliminated, nothing in another currency. A story that lost
    time is never a "win": it stays in its category; one with large cash savings is never small."""
    if not s.story.delivered or s.other_currency or any(f.eliminated or f.regression for f in s.metrics):
        return False
    money = s.yearly_money_saved or 0.0
    some = s.yearly_hours_saved > 0 or money > 0
    cheap = money <= 0 or money < small_win_value(config)  # no money is below any value, 0 too
    return some and s.yearly_hours_saved < config.small_win_hours and cheap


def rank(figures: Sequence[StoryFigures], config: Config) -> Ranking:
    """The stories of a period sorted into the report's sections, most value first."""
    delivered = tuple(f for f in figures if f.story.delivered)
    by_money = config.hourly_rate is not None
    small: list[StoryFigures] = []
    full: list[StoryFigures] = []
    for f in delivered:
        (small if is_small_win(f, config) else full).append(f)
    return Ranking(
        delivered=delivered,
        ranked=tuple(sorted(full, key=lambda f: by_value(f, by_money))),
        small_wins=tuple(sorted(small, key=lambda f: f.story.title)),
        in_progress=tuple(f for f in figures if not f.story.delivered),
        by_money=by_money,
    )


@dataclass(frozen=True)
class Change:
    """A headline figure against the same figure of the previous period that has stories
    (the quarter before, or the fiscal year before for an annual review)."""

    previous: str = ""  # that period, short: "Q2", "Q4 2025", "2025"; "" when there is none to compare with
    was: str = ""  # the figure then, formatted as the tile's value ("1,120", "$96,000"); "" when none
    percent: float | None = (
        None  # the change in percent (+12.5); None with nothing to compare, or a figure then of 0 or less
    )
    text: str = ""  # "+12% vs Q2", "+5 pp vs Q2" (a share), "was 0 in Q2", "same as Q2"; "" when none
    direction: str = ""  # "up", "down" or "same"; "" when none


@dataclass(frozen=True)
class Headline:
    """One tile of the executive summary."""

    label: str
    value: str
    note: str = ""
    change: Change = Change()  # against the previous period that has stories
    negative: bool = False  # the figure is a loss: never styled as a gain


@dataclass(frozen=True)
class Win:
    """A win that is not time: a problem eliminated, a share or a count improved, an audit or
    security outcome. From one metric of a delivered story of the period."""

    kind: str  # "eliminated", "security", "percent" or "count"
    story: str  # the story's title
    anchor: str  # the story's element id, to link to
    metric: str  # the metric's name
    text: str  # "3 → 0, eliminated", "81% → 100% (+19 pp)", "14 → 4 (−71%)"


@dataclass(frozen=True)
class Earlier:
    """The previous period that has stories: what the headline figures are compared with."""

    label: str  # short: "Q2", "Q4 2025", "2025"
    delivered: tuple[StoryFigures, ...]
    total: Totals


@dataclass(frozen=True)
class Headlines:
    """The period's key figures: the executive summary's six tiles, each by name, and the
    words around them on the cover and in the summary's first sentence; the money split into
    cash and capacity, what was realised in the period, the share of the team's capacity and
    the wins that are not time."""

    delivered: Headline  # improvements delivered
    hours: Headline  # hours saved a year
    money: Headline  # money saved a year (cash + capacity)
    fte: Headline  # FTE equivalent
    involved: Headline  # teams involved
    measured: Headline  # the measured share of the hours saved
    teams: tuple[str, ...]  # teams with delivered stories, sorted
    partner_teams: tuple[str, ...]  # partners of delivered stories that are not in teams, sorted
    measured_share: str  # "98%", or "" when nothing was saved
    measured_note: str  # "all of them measured", "87% of them measured, the rest estimated", or ""
    other_currency: str  # savings in other currencies, never converted ("€1,200"), or ""
    cash: Headline  # cash saved a year: money metrics and amounts each, not hours x rate
    capacity: Headline  # capacity freed a year: the hours saved at the hourly rate (hours when no rate)
    capacity_hours: str  # the hours of capacity: "808"
    split: str  # "$102,000 cash + $76,760 capacity = $178,760", or "" without money
    money_exact: str  # the money saved a year in whole units, "$178,760" (the tile rounds it: "$179K"), or ""
    realised: Headline  # realised in the period by every delivered story, this period's and earlier ones
    realised_hours: str  # "899"
    realised_money: str  # "$100,775", or "" without money
    team_share: str  # the hours saved as a share of the team's capacity: "4.7%", or "" when nothing was saved
    team_capacity: str  # team_size x hours_per_fte: "17,200"
    team_size: str  # the people that capacity is of: "10"
    beyond: tuple[Win, ...]  # the wins that are not time, at most BEYOND_WINS

    @property
    def tiles(self) -> tuple[Headline, ...]:
        """The six tiles in the order the summary shows them."""
        return (self.delivered, self.hours, self.money, self.fte, self.involved, self.measured)


def headlines(
    delivered: Sequence[StoryFigures],
    total: Totals,
    config: Config,
    fmt: Formatter,
    earlier: Earlier | None = None,
    period: str = "the period",
    ongoing: bool = False,
) -> Headlines:
    """The key figures of a period whose ``delivered`` stories add up to ``total`` (with its
    realised figures), compared with ``earlier``; ``period`` names it in a phrase ("Q3 2026");
    ``ongoing``: the period is not over yet, so part of what it realises is still to come."""
    teams = tuple(sorted({f.story.team for f in delivered}))
    partners = tuple(sorted({p for f in delivered for p in f.story.partners} - set(teams)))
    share = total.measured_share
    now = _kpis(delivered, total)
    then = _kpis(earlier.delivered, earlier.total) if earlier else {}
    label = earlier.label if earlier else ""

    def change(key: str, shown: Callable[[float], str], points: bool = False) -> Change:
        return _change(now.get(key), then.get(key), label, shown, fmt, points)

    money = total.yearly_money_saved
    return Headlines(
        delivered=Headline(
            "Improvements delivered",
            fmt.number(total.delivered, 0),
            f"{total.in_progress} more in progress" if total.in_progress else "",
            change("delivered", lambda v: fmt.number(v, 0)),
        ),
        hours=Headline(
            "Hours saved a year",
            fmt.hours(total.yearly_hours_saved),
            _weeks_note(total.yearly_hours_saved, config, fmt),
            change("hours", fmt.hours),
            total.yearly_hours_saved < 0,
        ),
        money=Headline(
            "Money saved a year",
            fmt.money_compact(money) if money is not None else "\u2013",
            _money_note(total, config, fmt),
            change("money", fmt.money_compact),
            money is not None and money < 0,
        ),
        fte=Headline(
            "FTE equivalent",
            fmt.fte(total.fte),
            f"at {fmt.number(config.hours_per_fte)} hours a year",
            change("fte", fmt.fte),
            total.fte < 0,
        ),
        involved=Headline(
            "Teams involved",
            fmt.number(len(teams), 0),
            f"and {len(partners)} partner {'team' if len(partners) == 1 else 'teams'}"
            if partners
            else "no partner teams",
            change("teams", lambda v: fmt.number(v, 0)),
        ),
        measured=Headline(
            "Measured, not estimated",
            fmt.percent(share) if share is not None else "\u2013",
            "of the hours saved",
            change("measured", fmt.percent, points=True),
        ),
        teams=teams,
        partner_teams=partners,
        measured_share=fmt.percent(share) if share is not None else "",
        measured_note=_measured_note(share, fmt),
        other_currency=", ".join(fmt.money(v, c) for c, v in sorted(total.other_currency.items())),
        **_cash_and_capacity(total, config, fmt),
        **_realised(total, period, fmt, ongoing),
        team_share=fmt.percent(total.yearly_hours_saved / _team_hours(config)) if total.yearly_hours_saved else "",
        team_capacity=fmt.number(_team_hours(config), 0),
        team_size=fmt.number(config.team_size),
        beyond=beyond(delivered, fmt),
    )


def _kpis(delivered: Sequence[StoryFigures], total: Totals) -> dict[str, float | None]:
    """The figures the tiles show, as numbers, to compare one period with another."""
    return {
        "delivered": total.delivered,
        "hours": total.yearly_hours_saved,
        "money": total.yearly_money_saved,
        "fte": total.fte,
        "teams": len({f.story.team for f in delivered}),
        "measured": total.measured_share,
    }


def _change(
    now: float | None,
    then: float | None,
    label: str,
    shown: Callable[[float], str],
    fmt: Formatter,
    points: bool = False,
) -> Change:
    """``now`` against ``then`` (in ``label``): in percent when ``then`` is above 0, in
    percentage points for a share (``points``), else only what it was. Nothing when either
    is not defined."""
    if now is None or then is None or not label:
        return Change()
    was = shown(then)
    same = shown(now) == was
    direction = "same" if same else ("up" if now > then else "down")
    if same:
        return Change(label, was, 0.0 if then > 0 and not points else None, f"same as {label}", direction)
    if points:
        pp = (now - then) * 100
        return Change(label, was, None, f"{_signed(fmt.number(pp, 0 if abs(pp) >= 1 else 1))} pp vs {label}", direction)
    if then <= 0:  # a percent of 0 or of a loss means nothing: say what it was
        return Change(label, was, None, f"was {was} in {label}", direction)
    percent = (now - then) / then * 100
    return Change(label, was, percent, f"{_signed(fmt.percent(percent / 100))} vs {label}", direction)


def _signed(text: str) -> str:
    """A change with its sign: "+12%", "\u221208%" keeps its minus."""
    return text if text.startswith(MINUS) else "+" + text


def _team_hours(config: Config) -> float:
    """The team's working hours in a year: team_size x hours_per_fte."""
    return config.team_size * config.hours_per_fte


def _cash_and_capacity(total: Totals, config: Config, fmt: Formatter) -> dict[str, Any]:
    """The money saved a year in its two parts: cash (money that is no longer spent) and
    capacity (engineer time freed, valued at the hourly rate; nobody stops paying for it)."""
    hours = total.yearly_hours_saved
    rate = config.hourly_rate
    cash = total.yearly_cash_saved
    capacity = hours * rate if rate is not None else None
    hours_text = fmt.hours(hours)
    cash_tile = Headline(
        "Cash saved a year",
        fmt.money(cash) if cash is not None else "\u2013",
        "money no longer spent: bills, fees, call-outs" if cash else f"no {config.currency} savings",
        negative=cash is not None and cash < 0,
    )
    if capacity is not None:
        capacity_tile = Headline(
            "Capacity freed a year",
            fmt.money(capacity),
            f"{hours_text} hours of work at {fmt.money(rate or 0)} an hour",
            negative=capacity < 0,
        )
    else:
        capacity_tile = Headline(
            "Capacity freed a year", f"{hours_text} h", "no hourly_rate, so no money", negative=hours < 0
        )
    split = ""
    if total.yearly_money_saved is not None:
        parts = [f"{fmt.money(cash or 0)} cash"] + ([f"{fmt.money(capacity)} capacity"] if capacity is not None else [])
        split = " + ".join(parts) + f" = {fmt.money(total.yearly_money_saved)}"
    exact = fmt.money(total.yearly_money_saved) if total.yearly_money_saved is not None else ""
    return {
        "cash": cash_tile,
        "capacity": capacity_tile,
        "capacity_hours": hours_text,
        "split": split,
        "money_exact": exact,
    }


def _realised(total: Totals, period: str, fmt: Formatter, ongoing: bool) -> dict[str, Any]:
    """What every delivered story (this period's and earlier ones) realised within the period;
    counted to the period's last day (spec v1.1), so a period not over yet says so."""
    hours, money = total.realised_hours, total.realised_money
    if hours is None:
        return {"realised": Headline(f"Realised in {period}", "\u2013"), "realised_hours": "", "realised_money": ""}
    hours_text = fmt.hours(hours)
    money_text = fmt.money(money) if money is not None else ""
    tile = Headline(
        f"Realised in {period}",
        fmt.money_compact(money) if money is not None else f"{hours_text} h",
        "what every delivered story, this period's and earlier ones, gains from its go-live day to the end of "
        + (
            "the period, which is not over yet: the days still to come count at the run-rate"
            if ongoing
            else "the period"
        ),
        negative=(money if money is not None else hours) < 0,
    )
    return {"realised": tile, "realised_hours": hours_text, "realised_money": money_text}


BEYOND_WINS = 6  # wins that are not time, named in the executive summary
BEYOND_ORDER = ("eliminated", "security", "percent", "count")


def beyond(delivered: Sequence[StoryFigures], fmt: Formatter) -> tuple[Win, ...]:
    """The wins that are not time, of the period's delivered stories: every problem eliminated,
    then improved metrics of stories that serve security, then the largest improvements of a
    share (in percentage points) and of a count (in percent). One per metric, at most BEYOND_WINS."""
    found: list[tuple[int, float, str, Win]] = []
    for s in delivered:
        for f in s.metrics:
            win = _win(s, f, fmt)
            if win is not None:
                found.append((BEYOND_ORDER.index(win[0].kind), -win[1], s.story.title, win[0]))
    found.sort(key=lambda w: w[:3])
    return tuple(w for *_, w in found[:BEYOND_WINS])


def _win(s: StoryFigures, f: MetricFigures, fmt: Formatter) -> tuple[Win, float] | None:
    """One metric as a win that is not time, with its size for the order; None when it saves
    time or money (the headline figures count it) or did not improve."""
    m = f.metric
    if not f.improved or f.yearly_hours_saved or f.yearly_cash_saved or f.other_currency:
        return None
    kind = units.family(m.unit)
    decimals = metric_decimals(m.before, m.after)
    moved = f"{fmt.value(m.before, m.unit, decimals)} \u2192 {fmt.value(m.after, m.unit, decimals)}"
    story = (s.story.title, anchor(s.story), m.name)
    if f.eliminated:
        return Win("eliminated", *story, f"{moved}, eliminated"), float(m.before)
    if kind is units.Family.PERCENT:
        pp = abs(f.change)
        text = f"{moved} ({fmt.change(f.change, m.unit, decimals)})"
    elif kind is units.Family.COUNT and f.change_percent is not None:
        pp = abs(f.change_percent)
        text = f"{moved} ({_signed(fmt.percent(f.change_percent / 100))})"
    else:
        return None
    security = "security" in s.story.impact
    return Win("security" if security else kind.value, *story, text), pp


def _weeks_note(hours: float, config: Config, fmt: Formatter) -> str:
    """The hours saved as weeks of work, saying what a week is: "about 19 working weeks of 40 hours"."""
    week = config.hours_per_week
    return f"about {fmt.weeks(hours / week)} working weeks of {fmt.number(week)} hours"


def _money_note(total: Totals, config: Config, fmt: Formatter) -> str:
    """Where the money comes from: cash no longer spent, and capacity (time at the hourly rate)."""
    if total.yearly_money_saved is None:
        return f"no hourly rate or {config.currency} figures"
    cash = total.yearly_cash_saved or 0.0
    if config.hourly_rate is None:
        return f"cash saved in {config.currency}"
    capacity = fmt.money(total.yearly_hours_saved * config.hourly_rate)
    if abs(cash) < 0.5:
        return f"all capacity: time at {fmt.money(config.hourly_rate)} an hour"
    return f"{fmt.money(cash)} cash + {capacity} capacity"


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
    """The categories' sections, of the stories ``ranking`` shows in full, and their chart: of
    money when the workspace has an hourly rate (as the ranking), else of hours."""
    rows = []  # every delivered story's value, small wins too; signed: a net loss shows
    sections = []
    money = ranking.by_money
    for key, label in config.categories:
        every = [f for f in ranking.delivered if f.story.category == key]
        if not every:
            continue
        if money:
            estimated = math.fsum(f.estimated_money_saved or 0.0 for f in every)
            whole = math.fsum(f.yearly_money_saved or 0.0 for f in every)
            rows.append(charts.category_row(label, whole - estimated, estimated, fmt.money))
        else:
            estimated = math.fsum(f.estimated_hours_saved for f in every)
            whole = math.fsum(f.yearly_hours_saved for f in every)
            rows.append(charts.category_row(label, whole - estimated, estimated, lambda v: fmt.number(v, 0)))
        members = [f for f in ranking.ranked if f.story.category == key]
        if members:
            sections.append(_section(key, label, members, views, fmt, money))
    drawn = any(r[1] or r[2] for r in rows)
    chart = charts.category_chart(rows, palette, config.currency if money else "hours") if drawn else None
    return Categories(tuple(sections), chart)


def _section(
    key: str,
    label: str,
    members: Sequence[StoryFigures],
    views: Mapping[str, StoryView],
    fmt: Formatter,
    money: bool,
) -> CategoryView:
    """A category's section; its summary says what its stories shown in full add up to, a
    net loss as one ("net \u2212$4,560 a year")."""
    hours = math.fsum(f.yearly_hours_saved for f in members)
    count = len(members)
    value = math.fsum(f.yearly_money_saved or 0.0 for f in members) if money else hours
    net = "net " if value < 0 else ""
    stories = f"{count} {'story' if count == 1 else 'stories'}"
    if money:
        summary = f"{stories}, {net}{fmt.money(value)} saved a year ({fmt.hours(hours)} hours)"
    else:
        summary = f"{stories}, {net}{fmt.hours(hours)} hours saved a year"
    return CategoryView(key, label, f"category-{key}", tuple(views[f.story.id] for f in members), summary)


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter of the trend: its delivered stories and the hours they save a year, and what
    every delivered story (that quarter's and earlier ones) realised within it."""

    quarter: str  # "2026-Q2"
    hours: str  # formatted
    hours_value: float
    stories: int
    money: str = ""  # yearly money saved by the quarter's delivered stories, or "" without money
    realised_hours: str = ""  # realised within the quarter, formatted
    realised_money: str = ""  # the same in money, or "" without money


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
    done = [known.get(s.id) or story_figures(s, config) for s in [*earlier, *stories] if s.delivered]
    figures = tuple(_quarter(q, done, config, fmt) for q in shown)
    return Trend(figures, charts.trend_chart([(q.quarter, q.hours_value, q.stories) for q in figures], palette))


def _quarter(quarter: Quarter, done: Sequence[StoryFigures], config: Config, fmt: Formatter) -> QuarterFigures:
    mine = [f for f in done if f.story.quarter == quarter]
    hours = sum(f.yearly_hours_saved for f in mine)
    money = _money_sum(f.yearly_money_saved for f in mine)
    realised_hours, realised_money = realised(done, Span.of_quarter(quarter, config.fiscal_year_start))
    return QuarterFigures(
        str(quarter),
        fmt.hours(hours),
        hours,
        len(mine),
        fmt.money(money) if money is not None else "",
        fmt.hours(realised_hours),
        fmt.money(realised_money) if realised_money is not None else "",
    )


def _money_sum(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return math.fsum(defined) if defined else None
