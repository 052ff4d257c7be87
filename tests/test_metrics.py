"""The metric math, against figures worked out by hand (spec: "What the tool computes")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storyteller.figures.metrics import metric_figures, period_totals, story_figures, totals
from storyteller.figures.periods import Quarter
from storyteller.format.config import Config
from storyteller.format.story import Metric, Story
from storyteller.format.values import Each, Rate

CONFIG = Config(root=Path("."), hourly_rate=95, currency="USD")
Q3 = Quarter(2026, 3)


def metric(
    unit: str = "minutes",
    before: float = 50,
    after: float = 20,
    *,
    better: str = "lower",
    frequency: Rate | None = None,
    per: str | None = None,
    basis: str = "measured",
    hands_on: bool | None = None,
    each: Each | None = None,
) -> Metric:
    return Metric(
        name="m",
        unit=unit,
        before=before,
        after=after,
        better=better,
        frequency=frequency,
        per=per,
        hands_on=hands_on,
        each=each,
        basis=basis,
        source=None,
        accept=(),
        line=1,
    )


def story(
    *metrics: Metric,
    effort: float | None = None,
    status: str = "delivered",
    quarter: Quarter = Q3,
    sid: str = "s",
) -> Story:
    return Story(
        id=sid,
        file=f"stories/{sid}.yaml",
        title="t",
        summary="s",
        quarter=quarter,
        date=None,
        team="T",
        owners=(),
        partners=(),
        category="automation",
        status=status,
        impact=(),
        tags=(),
        effort_hours=effort,
        problem="p",
        solution=None,
        outcome="o",
        metrics=tuple(metrics),
        quote=None,
        links=(),
        images=(),
        accept=(),
    )


def test_spec_example_duration_with_frequency() -> None:
    # 50 -> 20 minutes, 40 times a month: 30 min x 480 a year = 240 h; x 95 = 22,800
    f = metric_figures(metric(frequency=Rate(40, "month")), CONFIG)
    assert f.change == -30
    assert f.change_percent == -60.0
    assert f.factor == 2.5
    assert not f.eliminated and not f.regression
    assert f.yearly_hours_saved == pytest.approx(240.0)
    s = story_figures(story(metric(frequency=Rate(40, "month")), effort=120), CONFIG)
    assert s.yearly_hours_saved == pytest.approx(240.0)
    assert s.yearly_money_saved == pytest.approx(22_800.0)
    assert s.fte == pytest.approx(240 / 1720)
    assert s.payback_weeks == pytest.approx(26.0)  # 120 / (240 / 52)


@pytest.mark.parametrize(
    ("unit", "before", "after", "per_year", "hours"),
    [
        ("seconds", 2700, 90, 365, (2610 / 3600) * 365),  # 43.5 min a day -> 264.6 h
        ("s", 60, 30, 52, 30 / 3600 * 52),
        ("min", 15, 5, 12, 10 / 60 * 12),
        ("hours", 3, 0.5, 4, 2.5 * 4),
        ("h", 8, 2, 1, 6.0),
        ("days", 2, 1, 12, 24 * 12),  # one day of hands-on time saved a month = 288 h
        ("weeks", 1, 0.5, 1, 84.0),
        ("w", 2, 1, 4, 168 * 4),
    ],
)
def test_yearly_hours_for_every_duration_unit(
    unit: str, before: float, after: float, per_year: int, hours: float
) -> None:
    period = {365: "day", 52: "week", 12: "month", 4: "quarter", 1: "year"}[per_year]
    f = metric_figures(metric(unit, before, after, frequency=Rate(1, period)), CONFIG)
    assert f.yearly_hours_saved == pytest.approx(hours)


def test_frequency_count_scales_hours() -> None:
    f = metric_figures(metric("minutes", 30, 10, frequency=Rate(2.5, "week")), CONFIG)
    assert f.yearly_hours_saved == pytest.approx(20 / 60 * 2.5 * 52)  # 43.33 h


def test_duration_without_frequency_saves_no_hours() -> None:
    # Lead time: reported, but saves nobody's hours.
    f = metric_figures(metric("days", 10, 2), CONFIG)
    assert f.yearly_hours_saved is None
    assert f.factor == 5.0
    assert story_figures(story(metric("days", 10, 2)), CONFIG).yearly_hours_saved == 0.0


def test_percent_change_is_in_points_and_higher_is_better() -> None:
    f = metric_figures(metric("percent", 95, 99, better="higher"), CONFIG)
    assert f.change == 4  # percentage points
    assert f.change_percent == pytest.approx(4 / 95 * 100)  # 4.21 % relative
    assert f.factor == pytest.approx(99 / 95)
    assert not f.regression
    assert f.yearly_hours_saved is None


def test_count_per_period_factor_and_elimination() -> None:
    f = metric_figures(metric("count", 3, 0, per="quarter"), CONFIG)
    assert f.eliminated
    assert f.factor is None  # eliminated, not infinity
    assert f.change == -3 and f.change_percent == -100.0
    f = metric_figures(metric("count", 12, 4, per="month"), CONFIG)
    assert f.factor == 3.0 and not f.eliminated


def test_other_unit_higher_is_better_regression() -> None:
    f = metric_figures(metric("servers", 40, 30, better="higher"), CONFIG)
    assert f.regression
    assert f.change == -10
    assert f.factor == pytest.approx(0.75)


def test_higher_metric_falling_to_zero_is_a_regression_without_a_factor() -> None:
    f = metric_figures(metric("percent", 80, 0, better="higher"), CONFIG)
    assert f.regression and f.factor is None and not f.eliminated  # null, never 0 (spec)


def test_regression_keeps_its_sign_in_hours_and_money() -> None:
    # Review time 12 -> 15 minutes, 25 times a month: -3 min x 300 = -15 h a year
    f = metric_figures(metric("minutes", 12, 15, frequency=Rate(25, "month")), CONFIG)
    assert f.regression
    assert f.yearly_hours_saved == pytest.approx(-15.0)
    assert f.factor == pytest.approx(0.8)
    s = story_figures(
        story(metric(frequency=Rate(40, "month")), metric("minutes", 12, 15, frequency=Rate(25, "month"))), CONFIG
    )
    assert s.yearly_hours_saved == pytest.approx(225.0)
    assert s.yearly_money_saved == pytest.approx(225 * 95)


def test_zero_baseline_has_no_factor_and_no_relative_change() -> None:
    f = metric_figures(metric("hours", 0, 4, frequency=Rate(1, "month")), CONFIG)
    assert f.factor is None and f.change_percent is None
    assert f.change == 4 and f.regression
    assert f.yearly_hours_saved == pytest.approx(-48.0)


def test_both_zero_is_neither_eliminated_nor_a_regression() -> None:
    f = metric_figures(metric("count", 0, 0, per="month"), CONFIG)
    assert f.factor is None and not f.eliminated and not f.regression and f.change == 0


def test_currency_in_workspace_currency_per_period() -> None:
    # 48,000 -> 39,500 USD a month: 8,500 x 12 = 102,000 a year
    f = metric_figures(metric("USD", 48_000, 39_500, per="month"), CONFIG)
    assert f.yearly_money_saved == pytest.approx(102_000.0)
    assert f.other_currency == {}
    assert f.factor == pytest.approx(48_000 / 39_500)


def test_currency_with_frequency() -> None:
    # A DR test costing 25,000 -> 10,000 USD, twice a year: 30,000 a year
    f = metric_figures(metric("USD", 25_000, 10_000, frequency=Rate(2, "year")), CONFIG)
    assert f.yearly_money_saved == pytest.approx(30_000.0)


def test_other_currency_is_reported_apart_never_converted() -> None:
    s = story_figures(story(metric("EUR", 1_000, 400, per="month"), metric(frequency=Rate(40, "month"))), CONFIG)
    assert s.other_currency == {"EUR": pytest.approx(7_200.0)}
    assert s.yearly_money_saved == pytest.approx(22_800.0)  # hours only; EUR not added


def test_one_off_currency_amount_has_no_yearly_money() -> None:
    f = metric_figures(metric("USD", 5_000, 1_000), CONFIG)
    assert f.yearly_money_saved is None


def test_money_without_hourly_rate_is_undefined_not_zero() -> None:
    plain = Config(root=Path("."))
    s = story_figures(story(metric(frequency=Rate(40, "month")), effort=10), plain)
    assert s.yearly_hours_saved == pytest.approx(240.0)
    assert s.yearly_money_saved is None and s.estimated_money_saved is None
    # ...but a currency metric still gives money without a rate.
    s = story_figures(story(metric("USD", 100, 50, per="month")), plain)
    assert s.yearly_money_saved == pytest.approx(600.0)


def test_fte_uses_configured_hours() -> None:
    config = Config(root=Path("."), hours_per_fte=1600)
    s = story_figures(story(metric("hours", 10, 2, frequency=Rate(100, "year"))), config)
    assert s.fte == pytest.approx(800 / 1600)


def test_payback_undefined_without_effort_or_savings() -> None:
    assert story_figures(story(metric(frequency=Rate(40, "month"))), CONFIG).payback_weeks is None
    assert story_figures(story(metric("count", 3, 1, per="month"), effort=50), CONFIG).payback_weeks is None
    regressed = story(metric("minutes", 10, 20, frequency=Rate(1, "day")), effort=50)
    assert story_figures(regressed, CONFIG).payback_weeks is None


def test_measured_and_estimated_are_kept_apart() -> None:
    s = story_figures(
        story(
            metric(frequency=Rate(40, "month")),  # 240 h measured
            metric("hours", 2, 1, frequency=Rate(10, "month"), basis="estimated"),  # 120 h estimated
        ),
        CONFIG,
    )
    assert s.yearly_hours_saved == pytest.approx(360.0)
    assert s.estimated_hours_saved == pytest.approx(120.0)
    assert s.measured_hours_saved == pytest.approx(240.0)
    assert s.estimated_money_saved == pytest.approx(120 * 95)


def test_totals_per_quarter_and_year_leave_in_progress_out() -> None:
    q2, q3 = Quarter(2026, 2), Quarter(2026, 3)
    stories = [
        story_figures(story(metric(frequency=Rate(40, "month")), quarter=q3, sid="a"), CONFIG),  # 240 h
        story_figures(
            story(metric("hours", 2, 1, frequency=Rate(10, "month"), basis="estimated"), quarter=q3, sid="b"), CONFIG
        ),  # 120 h est
        story_figures(
            story(metric("hours", 9, 1, frequency=Rate(1, "week")), quarter=q3, status="in-progress", sid="c"), CONFIG
        ),
        story_figures(
            story(metric("minutes", 60, 30, frequency=Rate(1, "day")), quarter=q2, sid="d"), CONFIG
        ),  # 182.5 h
    ]
    by_period = period_totals(stories, CONFIG)
    assert list(by_period) == ["2026-Q2", "2026-Q3", "2026"]
    t3 = by_period["2026-Q3"]
    assert (t3.delivered, t3.in_progress) == (2, 1)
    assert t3.yearly_hours_saved == pytest.approx(360.0)
    assert t3.estimated_hours_saved == pytest.approx(120.0)
    assert t3.measured_share == pytest.approx(240 / 360)
    assert t3.yearly_money_saved == pytest.approx(360 * 95)
    assert t3.fte == pytest.approx(360 / 1720)
    year = by_period["2026"]
    assert year.delivered == 3 and year.in_progress == 1
    assert year.yearly_hours_saved == pytest.approx(542.5)


def test_totals_of_nothing() -> None:
    t = totals([], CONFIG)
    assert t.delivered == 0 and t.yearly_hours_saved == 0 and t.measured_share is None
    assert t.yearly_money_saved is None


def test_fiscal_quarters_follow_the_configured_start() -> None:
    assert Quarter.of_date(dt.date(2026, 10, 5), 4) == Quarter(2027, 3)
    assert Quarter.of_date(dt.date(2026, 3, 31), 4) == Quarter(2026, 4)
    assert Quarter.of_date(dt.date(2026, 4, 1), 4) == Quarter(2027, 1)
    assert Quarter(2027, 1).first_day(4) == dt.date(2026, 4, 1)
    assert Quarter(2027, 4).last_day(4) == dt.date(2027, 3, 31)
    assert Quarter(2026, 4).last_day(1) == dt.date(2026, 12, 31)
    assert Quarter.of_date(dt.date(2026, 7, 1), 7) == Quarter(2027, 1)


def test_money_is_traceable_metric_by_metric() -> None:
    # A duration metric's money is its hours x the rate; the story's is the sum of its metrics'.
    s = story_figures(story(metric(frequency=Rate(40, "month")), metric("USD", 100, 50, per="month")), CONFIG)
    assert [f.yearly_money_saved for f in s.metrics] == [pytest.approx(22_800.0), pytest.approx(600.0)]
    assert s.yearly_money_saved == pytest.approx(23_400.0)


def test_a_story_with_no_money_figure_has_undefined_money_even_with_a_rate() -> None:
    s = story_figures(story(metric("count", 3, 0, per="quarter")), CONFIG)
    assert s.yearly_money_saved is None and s.estimated_money_saved is None
    assert totals([s], CONFIG).yearly_money_saved is None
