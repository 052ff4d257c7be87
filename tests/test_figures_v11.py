"""The figures of story format v1.1, each worked by hand in the test and read back from
`storyteller export` on a real workspace (spec "Version 1.1": `per` with `hands_on`,
`each`, `workday`, realised benefit, rounding, the export additions)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.figures.units import round_half_away

EUR_CONFIG = "organization: Test Org\ncurrency: EUR\nhourly_rate: 80\n"


def story(title: str, metric: str, *, quarter: str = "quarter: 2026-Q3", status: str = "delivered") -> str:
    return (
        f"title: {title}\nsummary: s\n{quarter}\nteam: T\ncategory: automation\nstatus: {status}\n"
        "problem: p\noutcome: o\nmetrics:\n" + textwrap.indent(textwrap.dedent(metric), "  ")
    )


def export(tmp_path: Path, stories: dict[str, str], config: str = EUR_CONFIG, *args: str) -> dict[str, Any]:
    root = tmp_path / "ws"
    (root / "stories").mkdir(parents=True)
    (root / "storyteller.yaml").write_text(config, encoding="utf-8")
    for name, text in stories.items():
        path = root / "stories" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "--format", "json", *args, "--workspace", str(root)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def only_story(data: dict[str, Any]) -> dict[str, Any]:
    [one] = data["stories"]
    assert isinstance(one, dict)
    return one


DISK_FULL_TIME = """\
- name: Engineer time on disk-full incidents
  unit: hours
  per: month
  before: 10.5
  after: 1.5
  hands_on: true
"""


def test_a_duration_per_month_that_is_hands_on_work_saves_108_hours(tmp_path: Path) -> None:
    # (10.5 - 1.5) h a month x 12 months = 108 h; x 80 EUR = 8,640 EUR, none of it cash.
    s = only_story(export(tmp_path, {"a": story("Disk full", DISK_FULL_TIME)}))
    [m] = s["metrics"]
    assert m["yearly_hours_saved"] == 108.0
    assert (m["per"], m["hands_on"], m["frequency"], m["each"]) == ("month", True, None, None)
    assert m["yearly_money_saved"] == 8640.0 and m["yearly_cash_saved"] == 0.0
    assert (s["yearly_hours_saved"], s["yearly_money_saved"], s["yearly_cash_saved"]) == (108.0, 8640.0, 0.0)


def test_downtime_per_year_is_reported_and_saves_no_hours(tmp_path: Path) -> None:
    downtime = (
        "- name: Customer-facing downtime\n  unit: minutes\n  per: year\n  before: 310\n  after: 0\n  hands_on: false\n"
    )
    s = only_story(export(tmp_path, {"a": story("Downtime", downtime)}))
    [m] = s["metrics"]
    assert (m["hands_on"], m["yearly_hours_saved"], m["yearly_money_saved"], m["yearly_cash_saved"]) == (
        False,
        None,
        None,
        None,
    )
    assert (m["change"], m["eliminated"], m["regression"]) == (-310, True, False)
    assert s["yearly_hours_saved"] == 0.0


def test_a_frequency_marked_not_hands_on_saves_no_hours(tmp_path: Path) -> None:
    waiting = "- name: Wait\n  unit: minutes\n  before: 50\n  after: 20\n  frequency: 40 per month\n  hands_on: false\n"
    [m] = only_story(export(tmp_path, {"a": story("Wait", waiting)}))["metrics"]
    assert (m["hands_on"], m["yearly_hours_saved"], m["frequency"]) == (False, None, "40 per month")


def test_each_45_minutes_of_14_to_2_incidents_a_month_saves_108_hours(tmp_path: Path) -> None:
    # 12 fewer a month x 12 months x 0.75 h = 108 h; x 80 EUR = 8,640 EUR.
    incidents = """\
    - name: Disk-full incidents
      unit: count
      per: month
      before: 14
      after: 2
      better: lower
      each: 45 minutes
    """
    s = only_story(export(tmp_path, {"a": story("Disk full", incidents)}))
    [m] = s["metrics"]
    assert m["yearly_hours_saved"] == 108.0
    assert m["each"] == {"value": 45, "unit": "minutes"}
    assert (m["hands_on"], m["yearly_money_saved"], m["yearly_cash_saved"]) == (None, 8640.0, 0.0)


def test_each_400_eur_of_6_to_1_backup_failures_a_quarter_saves_8000_eur(tmp_path: Path) -> None:
    # 5 fewer a quarter x 4 quarters x 400 EUR = 8,000 EUR, all of it cash; no hours.
    failures = """\
    - name: Backup failures needing a vendor call-out
      unit: count
      per: quarter
      before: 6
      after: 1
      better: lower
      each: 400 EUR
    """
    s = only_story(export(tmp_path, {"a": story("Backups", failures)}))
    [m] = s["metrics"]
    assert m["each"] == {"value": 400, "unit": "EUR"}
    assert (m["yearly_hours_saved"], m["yearly_money_saved"], m["yearly_cash_saved"]) == (None, 8000.0, 8000.0)
    assert (s["yearly_money_saved"], s["yearly_cash_saved"], s["other_currency"]) == (8000.0, 8000.0, {})
    totals = export(tmp_path / "again", {"a": story("Backups", failures)})["totals"]["2026-Q3"]
    assert (totals["yearly_money_saved"], totals["yearly_cash_saved"]) == (8000.0, 8000.0)


def test_each_in_another_currency_is_reported_apart_never_converted(tmp_path: Path) -> None:
    failures = "- name: f\n  unit: count\n  per: quarter\n  before: 6\n  after: 1\n  better: lower\n  each: 400 USD\n"
    s = only_story(export(tmp_path, {"a": story("Backups", failures)}))
    assert (s["yearly_money_saved"], s["yearly_cash_saved"], s["other_currency"]) == (None, None, {"USD": 8000.0})


def test_each_on_a_regression_gives_a_negative_figure(tmp_path: Path) -> None:
    # `better: higher` and fewer: improvement = after - before = -4; x 12 x 0.5 h = -24 h.
    checks = "- name: c\n  unit: checks\n  per: month\n  before: 10\n  after: 6\n  better: higher\n  each: 30 min\n"
    [m] = only_story(export(tmp_path, {"a": story("Checks", checks)}))["metrics"]
    assert (m["regression"], m["yearly_hours_saved"], m["yearly_money_saved"]) == (True, -24.0, -1920.0)


def test_two_zoning_requests_a_workday_save_250_hours(tmp_path: Path) -> None:
    # 30 min x 2 a workday x 250 workdays = 250 h.
    zoning = "- name: Hands-on time per zoning request\n  unit: minutes\n  before: 50\n  after: 20\n  frequency: 2 per workday\n"
    [m] = only_story(export(tmp_path, {"a": story("Zoning", zoning)}))["metrics"]
    assert (m["frequency"], m["hands_on"], m["yearly_hours_saved"]) == ("2 per workday", True, 250.0)
    # The workspace's workdays_per_year counts: 30 min x 2 x 220 = 220 h; `per: workday` likewise.
    data = export(tmp_path / "b", {"a": story("Zoning", zoning)}, EUR_CONFIG + "workdays_per_year: 220\n")
    assert only_story(data)["metrics"][0]["yearly_hours_saved"] == 220.0
    assert data["workspace"]["workdays_per_year"] == 220 and data["workspace"]["hours_per_week"] == 40
    per_workday = "- name: n\n  unit: count\n  per: workday\n  before: 3\n  after: 1\n  better: lower\n  each: 6 min\n"
    [m] = only_story(export(tmp_path / "c", {"a": story("Z", per_workday)}))["metrics"]
    assert m["yearly_hours_saved"] == 50.0  # 2 fewer x 250 workdays x 0.1 h


def test_day_stays_365(tmp_path: Path) -> None:
    daily = "- name: d\n  unit: minutes\n  before: 50\n  after: 20\n  frequency: 2 per day\n"
    [m] = only_story(export(tmp_path, {"a": story("Daily", daily)}))["metrics"]
    assert m["yearly_hours_saved"] == 365.0  # 30 min x 2 x 365


# Realised benefit ---------------------------------------------------------------------

ZONING_240 = "- name: Zoning\n  unit: minutes\n  before: 50\n  after: 20\n  frequency: 40 per month\n"  # 240 h


def test_realised_benefit_of_a_story_live_from_21_july(tmp_path: Path) -> None:
    # 240 h a year, live 2026-07-21: Jul 22 - Sep 30 is 71 days of 2026-Q3: 240 x 71 / 365 = 46.6849 h;
    # 163 days of fiscal 2026: 107.1781 h. Money at 95 an hour: 22,800 x 71/365 and x 163/365.
    config = "organization: Test Org\nhourly_rate: 95\n"
    data = export(tmp_path, {"a": story("Zoning", ZONING_240, quarter="date: 2026-07-21")}, config)
    assert only_story(data)["go_live"] == "2026-07-21"
    q3, year = data["totals"]["2026-Q3"], data["totals"]["2026"]
    assert (q3["realised_hours"], year["realised_hours"]) == (46.6849, 107.1781)
    assert (q3["realised_money"], year["realised_money"]) == (4435.0685, 10181.9178)


def test_realised_benefit_of_a_story_with_only_a_quarter_starts_after_the_quarter(tmp_path: Path) -> None:
    # Go-live is 30 September: nothing realised in 2026-Q3; 240 x 92 / 365 = 60.4932 h in 2026-Q4. The
    # Q4 story goes live on 31 December and realises nothing in 2026.
    stories = {
        "q3": story("Zoning", ZONING_240),
        "q4": story("Later", ZONING_240, quarter="quarter: 2026-Q4"),
        "wip": story("Not yet", ZONING_240, quarter="date: 2026-07-01", status="in-progress"),
    }
    data = export(tmp_path, stories, "organization: Test Org\n")
    assert {s["id"]: s["go_live"] for s in data["stories"]} == {
        "q3": "2026-09-30",
        "q4": "2026-12-31",
        "wip": "2026-07-01",
    }
    totals = data["totals"]
    assert totals["2026-Q3"]["realised_hours"] == 0.0
    assert totals["2026-Q4"]["realised_hours"] == 60.4932
    assert totals["2026"]["realised_hours"] == 60.4932
    assert totals["2026-Q4"]["realised_money"] is None  # no hourly_rate, no cash


def test_realised_counts_every_delivered_story_of_the_workspace_also_earlier_ones(tmp_path: Path) -> None:
    stories = {
        "q1": story("Early", ZONING_240, quarter="quarter: 2026-Q1"),
        "q4": story("Later", ZONING_240, quarter="quarter: 2026-Q4"),
    }
    data = export(tmp_path, stories, "organization: Test Org\n", "--quarter", "2026-Q4")
    assert [s["id"] for s in data["stories"]] == ["q4"]
    # The Q1 story, live since 31 March, realises the whole of Q4: 240 x 92 / 365.
    assert list(data["totals"]) == ["2026-Q4"]
    assert data["totals"]["2026-Q4"]["realised_hours"] == 60.4932


def test_a_fiscal_year_with_29_february_divides_by_366(tmp_path: Path) -> None:
    # Fiscal 2028 (calendar) has 366 days; a story live all of 2028-Q1 (91 days) realises 240 x 91 / 366.
    stories = {
        "a": story("Z", ZONING_240, quarter="quarter: 2027-Q4"),
        "b": story("B", ZONING_240, quarter="quarter: 2028-Q1"),
    }
    data = export(tmp_path, stories, "organization: Test Org\n")
    assert data["totals"]["2028-Q1"]["realised_hours"] == round_half_away(240 * 91 / 366, 4) == 59.6721
    assert data["totals"]["2028"]["realised_hours"] == 240.0 + round_half_away(240 * 275 / 366, 4)


def test_a_fiscal_year_starting_in_april(tmp_path: Path) -> None:
    # fiscal_year_start 4: 2027-Q2 is July-September 2026; live 2026-07-21 -> 71 days of 365 in fiscal 2027.
    config = "organization: Test Org\nfiscal_year_start: 4\n"
    data = export(tmp_path, {"a": story("Z", ZONING_240, quarter="date: 2026-07-21")}, config)
    assert only_story(data)["quarter"] == "2027-Q2"
    assert data["totals"]["2027-Q2"]["realised_hours"] == 46.6849
    assert data["totals"]["2027"]["realised_hours"] == round_half_away(240 * 253 / 365, 4)  # to 31 March 2027


# Rounding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [(766.5, 0, 767.0), (-766.5, 0, -767.0), (1.25, 1, 1.3), (-2.25, 1, -2.3), (2.675, 2, 2.68), (0.00015, 4, 0.0002)],
)
def test_rounding_is_half_away_from_zero(value: float, places: int, rounded: float) -> None:
    assert round_half_away(value, places) == rounded


def test_the_quarters_and_the_year_round_consistently() -> None:
    # The case: 525 h + 241.5 h = 766.5 h a year; half-to-even printed 766.
    assert round_half_away(525 + 241.5) == 767.0 and round(766.5) == 766


def test_the_export_rounds_to_4_decimals_half_away_from_zero(tmp_path: Path) -> None:
    # change = after - before = 0.00015 exactly as written; round() would give 0.0001 (binary below half).
    tiny = "- name: t\n  unit: count\n  before: 0\n  after: 0.00015\n  better: higher\n"
    [m] = only_story(export(tmp_path, {"a": story("Tiny", tiny)}))["metrics"]
    assert m["change"] == 0.0002 and round(0.00015, 4) == 0.0001


def test_the_csv_has_the_new_columns(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "stories").mkdir(parents=True)
    (root / "storyteller.yaml").write_text(EUR_CONFIG, encoding="utf-8")
    failures = "- name: f\n  unit: count\n  per: quarter\n  before: 6\n  after: 1\n  better: lower\n  each: 400 EUR\n"
    (root / "stories" / "a.yaml").write_text(story("Backups", failures), encoding="utf-8")
    result = CliRunner().invoke(app, ["export", "--format", "csv", "--workspace", str(root)])
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["go_live"] == "2026-09-30" and row["yearly_cash_saved"] == "8000.0"
    assert json.loads(row["metric_each"]) == {"value": 400, "unit": "EUR"}
    assert (row["metric_per"], row["metric_hands_on"], row["metric_yearly_cash_saved"]) == ("quarter", "", "8000.0")
