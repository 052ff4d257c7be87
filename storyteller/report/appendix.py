"""The report's appendix: how each figure is computed, and every story's figures in one table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from storyteller.figures.metrics import StoryFigures, Totals
from storyteller.format.config import Config
from storyteller.report.fmt import Formatter
from storyteller.report.sections import small_win_value
from storyteller.report.views import anchor, marked


@dataclass(frozen=True)
class AppendixRow:
    """One story's yearly figures in the appendix's table, or the total of delivered stories."""

    title: str
    anchor: str
    quarter: str
    team: Markup  # marked when it is placeholder text
    category: str
    status: str
    hours: str
    estimated: str
    money: str
    cash: str  # the part of money that is cash, not hours x rate
    fte: str
    payback: str


@dataclass(frozen=True)
class Formula:
    """How one figure is computed, in words."""

    name: str
    text: str


@dataclass(frozen=True)
class Appendix:
    """The appendix: the formulas in words, then one row per story and the total of delivered ones."""

    formulas: tuple[Formula, ...]
    rows: tuple[AppendixRow, ...]  # every story, delivered or not, by quarter, category and title
    total: AppendixRow


def appendix(figures: Sequence[StoryFigures], total: Totals, config: Config, fmt: Formatter) -> Appendix:
    """The appendix of a period whose stories have ``figures`` and add up to ``total``."""
    order = {key: i for i, (key, _) in enumerate(config.categories)}
    shown = sorted(figures, key=lambda f: (f.story.quarter, order.get(f.story.category, 99), f.story.title))
    return Appendix(
        formulas=formulas(config, fmt),
        rows=tuple(_row(f, config, fmt) for f in shown),
        total=_total_row(total, fmt),
    )


def formulas(config: Config, fmt: Formatter) -> tuple[Formula, ...]:
    """How each figure of the report is computed, in words, with the workspace's own rate and hours."""
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
            "For a lower-is-better metric, before divided by after; for a higher-is-better metric, after "
            "divided by before. Its word follows the metric: \u201cfaster\u201d for the time one event takes, "
            "\u201cless time\u201d for time in a period or time that is not hands-on work, \u201cfewer\u201d "
            "or \u201cmore\u201d for counts, \u201clower\u201d or \u201chigher\u201d otherwise. When a "
            "lower-is-better value reaches 0 the problem is marked eliminated; when before is 0 only the change "
            "is shown.",
        ),
        Formula(
            "Regression",
            "A metric that moved the wrong way is marked as a regression and keeps its sign: its hours count "
            "against the story's total.",
        ),
        Formula(
            "Yearly hours saved",
            "Only hands-on work time counts. For the time one event takes, with a frequency: (before \u2212 "
            "after) in hours \u00d7 events a year. For time measured per a period (hands_on: true): (before "
            "\u2212 after) in hours \u00d7 periods a year. For a count with a time each: the improvement "
            "\u00d7 periods a year \u00d7 the hours of one occurrence. Periods a year: a day 365, a workday "
            f"{fmt.number(config.workdays_per_year)} (the workspace's workdays_per_year), a week 52, a month 12, "
            "a quarter 4. Waiting, downtime and lead time (hands_on: false) save no hours. A story's figure is "
            "the sum of its metrics'; a period's is the sum of its delivered stories'.",
        ),
        Formula(
            "Yearly money saved",
            "Cash saved a year + capacity freed a year (below), in "
            f"{config.currency}. Other currencies are shown apart and never converted.",
        ),
        Formula(
            "Cash saved a year",
            "Money no longer spent: for money metrics with a frequency or period, (before \u2212 after) "
            "\u00d7 periods a year; for a count with an amount each, the improvement \u00d7 periods a year "
            f"\u00d7 the amount. Only amounts in {config.currency} (the export's yearly_cash_saved).",
        ),
        Formula(
            "Capacity freed a year",
            f"Yearly hours saved \u00d7 the hourly rate: {rate}. Engineer time freed for other work, valued "
            "at what an hour costs; nobody stops paying for it, so it is not a cut in costs.",
        ),
        Formula(
            "FTE equivalent",
            f"Yearly hours saved \u00f7 {fmt.number(config.hours_per_fte)} working hours of one full-time person "
            "(the workspace's hours_per_fte).",
        ),
        Formula(
            "Working weeks",
            f"Yearly hours saved \u00f7 {fmt.number(config.hours_per_week)} hours (the workspace's "
            "hours_per_week): the \u201cworking weeks\u201d of the summary.",
        ),
        Formula(
            "Payback",
            "Hours it took to build \u00f7 (yearly hours saved \u00f7 52): the weeks until the saved time repays "
            "the effort.",
        ),
        Formula(
            "Run-rate and realised",
            "Every yearly figure is a run-rate: what a story saves in a full year. Realised in a period is "
            "what every delivered story, the period's and earlier ones, gained within it: its yearly figure "
            "\u00d7 d \u00f7 D, where d is the number of days of the period after its go-live day (its date, "
            "or else the last day of its quarter) and D the days of the fiscal year that holds the period "
            "(365, or 366 with a 29 February). A story that goes live on the period's last day realises "
            "nothing in it; a whole year realises the yearly figure.",
        ),
        Formula(
            "Change against the previous period",
            "Each tile's figure against the same figure of the latest earlier period that has stories (the "
            "quarter before, or the fiscal year before for an annual review): (now \u2212 then) \u00f7 then, "
            "in percent. The measured share changes in percentage points (pp). When the figure then was 0 or "
            "a loss, only what it was is shown: a percent of it would mean nothing.",
        ),
        Formula(
            "Share of the team's capacity",
            f"Yearly hours saved \u00f7 ({fmt.number(config.team_size)} people (team_size) \u00d7 "
            f"{fmt.number(config.hours_per_fte)} hours (hours_per_fte)).",
        ),
        Formula(
            "Top wins and order",
            (
                "Stories are ranked by yearly money saved (capacity plus cash), ties by hours, then by title"
                if config.hourly_rate is not None
                else "Stories are ranked by yearly hours saved, ties by title"
            )
            + f". A small win saves fewer than {fmt.number(config.small_win_hours)} hours a year "
            f"(small_win_hours) and less than {fmt.money(small_win_value(config))} a year (small_win_value), "
            "eliminated nothing and lost nothing.",
        ),
        Formula(
            "Beyond hours",
            "Improved metrics that save no time or money: problems eliminated, then those of stories that "
            "serve security, then the largest improvements of a share (in points) and of a count (in "
            "percent); at most six.",
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


def _row(s: StoryFigures, config: Config, fmt: Formatter) -> AppendixRow:
    story = s.story
    return AppendixRow(
        title=story.title,
        anchor=anchor(story),
        quarter=str(story.quarter),
        team=marked(story.team),
        category=config.category_label(story.category),
        status="in progress" if not story.delivered else "delivered",
        hours=fmt.hours(s.yearly_hours_saved),
        estimated=fmt.hours(s.estimated_hours_saved) if s.estimated_hours_saved else "\u2013",
        money=fmt.money(s.yearly_money_saved) if s.yearly_money_saved is not None else "\u2013",
        cash=fmt.money(s.yearly_cash_saved) if s.yearly_cash_saved else "\u2013",
        fte=fmt.fte(s.fte) if story.delivered and s.yearly_hours_saved else "\u2013",
        payback=fmt.weeks(s.payback_weeks) if s.payback_weeks is not None else "\u2013",
    )


def _total_row(total: Totals, fmt: Formatter) -> AppendixRow:
    return AppendixRow(
        title="Total of delivered stories",
        anchor="",
        quarter="",
        team=Markup(""),
        category="",
        status=f"{total.delivered} delivered",
        hours=fmt.hours(total.yearly_hours_saved),
        estimated=fmt.hours(total.estimated_hours_saved) if total.estimated_hours_saved else "\u2013",
        money=fmt.money(total.yearly_money_saved) if total.yearly_money_saved is not None else "\u2013",
        cash=fmt.money(total.yearly_cash_saved) if total.yearly_cash_saved else "\u2013",
        fte=fmt.fte(total.fte),
        payback="",
    )
