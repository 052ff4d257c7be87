"""The executive view: value first, cash and capacity apart, realised benefit, the change
against the previous period and the wins beyond hours (issue 14, items 1 to 5).

The stories of READER are written the way a lead writes them (capitalised units, a failure
rate that falls, `each` on incidents, a cash-only win, a regression), and every figure the
summary shows is worked out by hand in the comments next to the assertion.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
from pathlib import Path

import pytest

from storyteller.build import BuildRequest, undrawn_contexts
from storyteller.figures.metrics import story_figures
from storyteller.figures.periods import Quarter
from storyteller.format.config import load_config
from storyteller.format.load import load_workspace
from storyteller.report.context import ReportContext
from storyteller.report.sections import is_small_win, rank
from tests.helpers import REPO, build, copy_example, invoke, write_workspace

CONFIG = """\
organization: Fjord Hosting
currency: EUR
hourly_rate: 80
hours_per_fte: 1600
team_size: 8
"""


def _story(title: str, quarter: str, category: str, metrics: str, date: str = "", impact: str = "") -> str:
    return (
        f"title: {title}\nsummary: {title} is done.\nquarter: {quarter}\nteam: Platform\ncategory: {category}\n"
        + (f"date: {date}\n" if date else "")
        + (f"impact: [{impact}]\n" if impact else "")
        + "problem: |\n  It was slow.\noutcome: |\n  It is better.\nmetrics:\n"
        + metrics
    )


READER = {
    # 2026-Q2. (90 - 60) min = 0.5 h x 4 x 12 = 24 h, EUR 1,920: a small win (< 40 h, < 40 x 80).
    "2026-Q2/patch-checklist.yaml": _story(
        "Patch window checklist",
        "2026-Q2",
        "process",
        "  - name: Hands-on time per patch window\n    unit: Minutes\n    before: 90\n    after: 60\n"
        "    frequency: 4 per month\n",
    ),
    # 2026-Q2. (14 - 2) x 12 months x 0.75 h = 108 h, EUR 8,640.
    "2026-Q2/disk-full.yaml": _story(
        "Disk-full incident runbook",
        "2026-Q2",
        "proactive-problem-management",
        "  - name: Disk-full incidents\n    unit: count\n    before: 14\n    after: 2\n    better: lower\n"
        "    per: month\n    each: 45 minutes\n",
    ),
    # 2026-Q3. Cash only: (4,800 - 3,500) x 12 = EUR 15,600, 0 hours.
    "2026-Q3/backup-tiering.yaml": _story(
        "Backup tiering to cold storage",
        "2026-Q3",
        "collaboration",
        "  - name: Monthly backup storage bill\n    unit: EUR\n    before: 4800\n    after: 3500\n    per: month\n",
    ),
    # 2026-Q3. A failure rate that falls (12% -> 4%, -8 pp, saves no time) and rework
    # (20 - 8) h x 12 = 144 h, EUR 11,520.
    "2026-Q3/change-failures.yaml": _story(
        "Fewer failed changes",
        "2026-Q3",
        "process",
        '  - name: Changes that failed\n    unit: "%"\n    before: 12\n    after: 4\n    better: lower\n'
        "  - name: Rework after failed changes\n    unit: Hours\n    before: 20\n    after: 8\n    per: month\n"
        "    hands_on: true\n",
        impact="security",
    ),
    # 2026-Q3, live 21 July. (20 - 5) min = 0.25 h x 60 x 12 = 180 h, EUR 14,400.
    "2026-Q3/dns.yaml": _story(
        "Self-service DNS records",
        "2026-Q3",
        "automation",
        "  - name: Hands-on time per DNS request\n    unit: Minutes\n    before: 20\n    after: 5\n"
        "    frequency: 60 per month\n",
        date="2026-07-21",
    ),
    # 2026-Q3. A regression: (2 - 3) min x 400 x 12 = -80 h, EUR -6,400; its category is a net loss.
    "2026-Q3/ticketing.yaml": _story(
        "New ticketing tool",
        "2026-Q3",
        "proactive-problem-management",
        "  - name: Time to log a ticket\n    unit: minutes\n    before: 2\n    after: 3\n"
        "    frequency: 400 per month\n",
    ),
}


def _contexts(root: Path, **request: object) -> ReportContext:
    workspace = load_workspace(load_config(root))
    assert not workspace.problems, workspace.problems
    return undrawn_contexts(workspace, BuildRequest(**request, today=dt.date(2026, 9, 21)))[0]  # type: ignore[arg-type]


@pytest.fixture
def reader(tmp_path: Path) -> Path:
    return write_workspace(tmp_path / "ws", READER, CONFIG)


def test_the_reader_workspace_validates_strictly(reader: Path) -> None:
    result = invoke(reader, "--strict")
    assert result.exit_code == 0, result.output


def test_every_number_of_the_quarters_summary_as_worked_out_by_hand(reader: Path) -> None:
    h = _contexts(reader, quarter=Quarter(2026, 3)).headlines
    # Delivered 4; hours 0 + 144 + 180 - 80 = 244; money 15,600 + 11,520 + 14,400 - 6,400 = 35,120.
    assert [t.value for t in h.tiles] == ["4", "244", "€35,120", "0.15", "1", "100%"]
    # Cash 15,600 + capacity 244 x 80 = 19,520 is 35,120.
    assert (h.cash.value, h.capacity.value, h.capacity_hours) == ("€15,600", "€19,520", "244")
    assert h.split == "€15,600 cash + €19,520 capacity = €35,120" and h.money_exact == "€35,120"
    # Against Q2 (2 stories, 24 + 108 = 132 h, EUR 10,560): +100%, 244/132 = +84.8%, 35,120/10,560 = +232.6%.
    assert [t.change.text for t in h.tiles] == [
        "+100% vs Q2",
        "+85% vs Q2",
        "+233% vs Q2",
        "+85% vs Q2",
        "same as Q2",
        "same as Q2",
    ]
    # Realised in Q3 (92 days of 365): Q2's stories live from 30 June, 132 x 92/365 = 33.27 h,
    # 10,560 x 92/365 = 2,661.70; DNS live 21 July, 71 days: 180 x 71/365 = 35.01 h, 2,801.10.
    assert (h.realised_hours, h.realised_money) == ("68", "€5,463")
    # 244 h of 8 x 1,600 = 12,800 hours: 1.9%.
    assert (h.team_share, h.team_capacity, h.team_size) == ("1.9%", "12,800", "8")
    assert [(w.kind, w.metric, w.text) for w in h.beyond] == [
        ("security", "Changes that failed", "12% \u2192 4% (\u22128 pp)")
    ]


def test_value_comes_first_and_a_loss_is_a_net_figure(reader: Path) -> None:
    context = _contexts(reader, quarter=Quarter(2026, 3))
    # By money: backup tiering 15,600 (0 h), DNS 14,400, failed changes 11,520; the regression last.
    assert [v.title for v in context.top_wins] == [
        "Backup tiering to cold storage",
        "Self-service DNS records",
        "Fewer failed changes",
    ]
    assert context.top_wins[0].highlight == "€15,600 a year"
    assert context.small_wins == ()  # 0 hours but EUR 15,600 is no small win
    chart = context.categories.chart
    assert chart is not None and chart.title == "Yearly money saved by category"
    assert "Proactive problem management: net \u2212€6,400, a net loss" in chart.description
    net = next(c for c in context.categories.sections if c.key == "proactive-problem-management")
    assert net.summary == "1 story, net \u2212€6,400 saved a year (\u221280 hours)"
    assert not context.headlines.money.negative and not context.headlines.hours.negative


def test_the_annual_review_shows_realised_beside_the_run_rate_per_quarter(reader: Path) -> None:
    context = _contexts(reader, year=2026)
    h = context.headlines
    # Year: Q2's stories 184 days: 132 x 184/365 = 66.54 h, 10,560 x 184/365 = 5,323.40; DNS 163 days:
    # 80.38 h, 6,430.68; the other Q3 stories live from 30 September, 92 days: (144 - 80) x 92/365 = 16.13 h,
    # 20,720 x 92/365 = 5,222.47. 147 + 16 = 163 h, EUR 16,977. Run-rate of the year: 376 h, EUR 45,680.
    assert (h.realised_hours, h.realised_money, h.hours.value, h.money_exact) == ("163", "€16,977", "376", "€45,680")
    assert h.realised.note.endswith("which is not over yet: the days still to come count at the run-rate")
    assert h.delivered.change.text == ""  # no earlier fiscal year: nothing to compare
    rows = [
        (q.quarter, q.stories, q.hours, q.money, q.realised_hours, q.realised_money) for q in context.trend.quarters
    ]
    # Q2 realises nothing (its stories go live on its last day); Q3 as the quarter's report.
    assert rows == [("2026-Q2", 2, "132", "€10,560", "0", "€0"), ("2026-Q3", 4, "244", "€35,120", "68", "€5,463")]


def test_the_summary_shows_the_figures_and_the_appendix_explains_them(reader: Path) -> None:
    build(reader, "--format", "html", "--year", "2026")
    page = html_lib.unescape((reader / "output" / "2026" / "fjord-hosting-2026.html").read_text(encoding="utf-8"))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "€15,600 Cash saved a year" in text and "€30,080 Capacity freed a year" in text
    assert "€45,680 Money saved a year" in text
    assert "€16,977 realised in fiscal year 2026 (163 hours)" in text
    assert "Run-rate and realised, by quarter" in text
    for name in ("Cash saved a year", "Capacity freed a year", "Run-rate and realised", "Share of the team"):
        assert f"<dt>{name}" in page
    assert 'class="tile tile-negative"' not in page


def test_a_previous_figure_of_0_is_said_as_such_never_as_a_percent(tmp_path: Path) -> None:
    stories = {k: v for k, v in READER.items() if "ticketing" not in k}
    stories["2026-Q2/backup-tiering.yaml"] = stories.pop("2026-Q3/backup-tiering.yaml").replace("2026-Q3", "2026-Q2")
    stories = {k: v for k, v in stories.items() if not k.startswith("2026-Q2/") or "backup" in k}
    root = write_workspace(tmp_path / "ws", stories, CONFIG)
    h = _contexts(root, quarter=Quarter(2026, 3)).headlines
    # Q2 held only the cash win: 0 hours then, so no percent of it.
    assert h.hours.change.text == "was 0 in Q2" and h.hours.change.percent is None
    assert h.money.change.text.endswith("vs Q2") and h.money.change.percent is not None


def test_without_an_hourly_rate_the_ranking_is_by_hours(reader: Path) -> None:
    config = reader / "storyteller.yaml"
    config.write_text(CONFIG.replace("hourly_rate: 80\n", ""), encoding="utf-8")
    context = _contexts(reader, quarter=Quarter(2026, 3))
    assert [v.title for v in context.top_wins] == ["Self-service DNS records", "Fewer failed changes"]
    assert context.categories.chart is not None and context.categories.chart.title == "Yearly hours saved by category"
    assert context.headlines.capacity.value == "244 h" and context.headlines.cash.value == "€15,600"


def test_small_win_value_keeps_a_story_worth_money_out_of_the_small_wins(reader: Path) -> None:
    workspace = load_workspace(load_config(reader))
    checklist = next(s for s in workspace.stories if s.title == "Patch window checklist")
    figures = story_figures(checklist, workspace.config)  # 24 h, EUR 1,920
    assert is_small_win(figures, workspace.config)  # below 40 h and below 40 x 80 = 3,200
    (reader / "storyteller.yaml").write_text(CONFIG + "small_win_value: 1500\n", encoding="utf-8")
    config = load_config(reader)
    assert config.small_win_value == 1500 and not is_small_win(figures, config)


def test_on_the_example_workspace_the_cloud_cost_story_is_a_top_win() -> None:
    workspace = load_workspace(load_config(REPO))
    figures = [story_figures(s, workspace.config) for s in workspace.stories if s.quarter == Quarter(2026, 3)]
    top = [f.story.id for f in rank(figures, workspace.config).top_wins]
    assert top[0] == "cloud-cost-rightsizing"  # $112,260 a year: 108 h at $95 and $102,000 cash


def test_the_report_and_the_export_agree_on_cash_and_realised(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ws")
    out = tmp_path / "latest.json"
    result = invoke(root, "--format", "json", "--quarter", "2026-Q3", "--output", str(out), command="export")
    assert result.exit_code == 0, result.output
    total = json.loads(out.read_text(encoding="utf-8"))["totals"]["2026-Q3"]
    h = _contexts(root, quarter=Quarter(2026, 3)).headlines
    assert h.cash.value == f"${total['yearly_cash_saved']:,.0f}"  # 102,000
    assert h.realised_money == f"${round(total['realised_money']):,}"
    assert h.realised_hours == f"{round(total['realised_hours']):,}"
