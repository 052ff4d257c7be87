"""The metric rules of story format v1.1 (spec "Version 1.1: Metric rules"), one test per
rule, through `storyteller validate` on real workspaces: the exact problem lines are the
contract."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.format.config import load_config
from storyteller.format.load import read_story
from storyteller.format.story import Metric

from .test_errors import BASE

STORY = "stories/2026-Q3/x.yaml"

# Line 11 is the metric's first key (`- name`), 12 its unit, 13 before, 14 after, 15 on: extra keys.
HEAD = BASE[: BASE.index("metrics:\n") + len("metrics:\n")]


def metric_story(unit: str, before: float = 50, after: float = 20, extra: str = "") -> str:
    lines = f"  - name: m\n    unit: {unit}\n    before: {before:g}\n    after: {after:g}\n"
    return HEAD + lines + textwrap.indent(textwrap.dedent(extra), "    ")


def workspace(root: Path, stories: dict[str, str], config: str = "organization: Test Org\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "storyteller.yaml").write_text(config, encoding="utf-8")
    for name, text in stories.items():
        path = root / "stories" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def validate(root: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["validate", "--workspace", str(root)])
    assert "Traceback" not in result.output
    return result.exit_code, [line for line in result.output.splitlines() if line.startswith("stories/")]


def problems(tmp_path: Path, text: str) -> list[str]:
    code, lines = validate(workspace(tmp_path / "ws", {"2026-Q3/x.yaml": text}))
    assert (code == 0) == (lines == []), lines
    return lines


def metric(tmp_path: Path, text: str) -> Metric:
    root = workspace(tmp_path / "ws", {"2026-Q3/x.yaml": text})
    story, found = read_story(root / STORY, load_config(root))
    assert found == [] and story is not None, found
    return story.metrics[0]


# 1. `better` is required for percent --------------------------------------------------

PERCENT_FIX = (
    "is required for a percentage, to say which way is an improvement: add `better: higher` (availability, "
    "compliance) or `better: lower` (failure rate, rework)"
)


def test_a_percentage_without_better_says_exactly_what_to_add(tmp_path: Path) -> None:
    assert problems(tmp_path, metric_story("percent", 22, 6)) == [f"{STORY}:11:5: metrics[0].better: {PERCENT_FIX}"]


@pytest.mark.parametrize("better", ["lower", "higher"])
def test_a_percentage_with_better_is_valid_and_keeps_its_direction(tmp_path: Path, better: str) -> None:
    assert metric(tmp_path, metric_story("percent", 22, 6, f"better: {better}\n")).better == better


def test_validate_of_a_v1_workspace_lists_every_percentage_without_better_at_once(tmp_path: Path) -> None:
    two = metric_story("percent", 22, 6) + "  - name: n\n    unit: '%'\n    before: 90\n    after: 99\n"
    root = workspace(tmp_path / "ws", {"2026-Q3/a.yaml": two, "2026-Q2/b.yaml": metric_story("Percent", 1, 2)})
    code, lines = validate(root)
    assert code == 1
    assert lines == [
        f"stories/2026-Q2/b.yaml:11:5: metrics[0].better: {PERCENT_FIX}",
        f"stories/2026-Q3/a.yaml:11:5: metrics[0].better: {PERCENT_FIX}",
        f"stories/2026-Q3/a.yaml:15:5: metrics[1].better: {PERCENT_FIX}",
    ]


def test_durations_and_money_keep_the_default_lower(tmp_path: Path) -> None:
    assert metric(tmp_path, metric_story("Minutes", extra="frequency: 40 per month\n")).better == "lower"
    assert metric(tmp_path / "2", metric_story("EUR", extra="per: month\n")).better == "lower"


# 2. Units: forgiving where it is safe, strict where it is not --------------------------

DURATION_WORDS = [
    "ms millisecond milliseconds",
    "s sec secs second seconds",
    "min mins minute minutes",
    "h hr hrs hour hours",
    "d day days",
    "w wk wks week weeks",
]


@pytest.mark.parametrize("word", [w for line in DURATION_WORDS for w in line.split()])
def test_every_duration_word_is_a_duration_in_any_case(tmp_path: Path, word: str) -> None:
    for i, written in enumerate((word, word.upper(), word.capitalize())):
        found = metric(tmp_path / str(i), metric_story(written, extra="frequency: 1 per day\n"))
        assert found.hands_on is True and found.better == "lower", written  # a duration: hands-on by default


@pytest.mark.parametrize("unit", ["percent", "Percent", "PERCENT", '"%"', "count", "Count", "COUNT"])
def test_percent_and_count_match_in_any_case(tmp_path: Path, unit: str) -> None:
    text = metric_story(unit, 20, 50, "better: higher\n")
    assert problems(tmp_path, text) == []
    if "ount" in unit.lower():  # a count may have `per` and `each`; a percentage has no period
        assert problems(tmp_path / "2", text + "    per: month\n    each: 5 minutes\n") == []


def test_a_known_currency_in_other_case_asks_for_the_capitals(tmp_path: Path) -> None:
    assert problems(tmp_path, metric_story("eur", extra="per: month\n")) == [
        f"{STORY}:12:11: metrics[0].unit: `eur` is not a unit; did you mean `EUR`? Write currency codes in capitals"
    ]
    assert problems(tmp_path / "2", metric_story("Usd")) == [
        f"{STORY}:12:11: metrics[0].unit: `Usd` is not a unit; did you mean `USD`? Write currency codes in capitals"
    ]


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("minuts", "minutes"),
        ("pecent", "percent"),
        ("huors", "hours"),
        ("secnds", "seconds"),
        ("Minuets", "minutes"),
        ("milisecnds", "milliseconds"),  # ten letters: two edits away is still a typo
        ("counts", "count"),
    ],
)
def test_a_near_miss_of_a_known_unit_is_an_error_with_did_you_mean(tmp_path: Path, typo: str, meant: str) -> None:
    assert problems(tmp_path, metric_story(typo, extra="better: lower\n")) == [
        f"{STORY}:12:11: metrics[0].unit: `{typo}` is not a unit storyteller knows; did you mean `{meant}`? "
        "(a misspelt unit would be a custom unit and count no time)"
    ]


@pytest.mark.parametrize("unit", ["GB", "VMs", "hosts", "tickets", "servers", "mins2x", "CPU"])
def test_short_or_distant_words_stay_custom_units(tmp_path: Path, unit: str) -> None:
    assert problems(tmp_path, metric_story(unit, extra="better: lower\n")) == []


def test_a_custom_unit_still_needs_better(tmp_path: Path) -> None:
    assert problems(tmp_path, metric_story("tickets")) == [
        f"{STORY}:11:5: metrics[0].better: is required for the unit `tickets`; add `better: lower` or `better: higher`"
    ]


# 3. A duration with `per`: total time in the period, hands_on required -----------------

HANDS_ON_QUESTION = (
    "is required for a duration measured `per` a period: is it people's hands-on work? Add `hands_on: true` "
    "(the time saved counts as hours saved) or `hands_on: false` (downtime, waiting or lead time: reported, "
    "saves no hours)"
)


def test_a_duration_per_a_period_asks_whether_it_is_hands_on_work(tmp_path: Path) -> None:
    assert problems(tmp_path, metric_story("hours", 10.5, 1.5, "per: month\n")) == [
        f"{STORY}:11:5: metrics[0].hands_on: {HANDS_ON_QUESTION}"
    ]


@pytest.mark.parametrize("flag", ["true", "false"])
def test_hands_on_is_read_as_written(tmp_path: Path, flag: str) -> None:
    found = metric(tmp_path, metric_story("hours", 10.5, 1.5, f"per: month\nhands_on: {flag}\n"))
    assert found.hands_on is (flag == "true") and found.per == "month"


def test_with_frequency_hands_on_defaults_to_true_and_may_be_false(tmp_path: Path) -> None:
    assert metric(tmp_path, metric_story("minutes", extra="frequency: 40 per month\n")).hands_on is True
    found = metric(tmp_path / "2", metric_story("minutes", extra="frequency: 40 per month\nhands_on: false\n"))
    assert found.hands_on is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", 'expected `true` or `false`, found "yes"'),
        ('"true"', "is a quoted yes/no value; remove the quotes: true"),
    ],
)
def test_hands_on_is_true_or_false(tmp_path: Path, value: str, message: str) -> None:
    text = metric_story("hours", 10.5, 1.5, f"per: month\nhands_on: {value}\n")
    assert problems(tmp_path, text) == [f"{STORY}:16:15: metrics[0].hands_on: {message}"]


def test_hands_on_is_only_for_durations(tmp_path: Path) -> None:
    text = metric_story("count", 14, 2, "better: lower\nper: month\nhands_on: true\n")
    assert problems(tmp_path, text) == [
        f"{STORY}:17:15: metrics[0].hands_on: only a duration is hands-on work or not, not `count`; remove "
        "`hands_on` (for the time one occurrence takes, use `each: 45 minutes`)"
    ]


def test_frequency_and_per_never_together(tmp_path: Path) -> None:
    text = metric_story("minutes", extra="frequency: 40 per month\nper: month\nhands_on: true\n")
    assert problems(tmp_path, text) == [
        f"{STORY}:16:10: metrics[0].per: give either `frequency` (how often it happens) or `per` (the period it "
        "is measured over), not both"
    ]


# 4. `each`: what one occurrence costs -----------------------------------------------------


@pytest.mark.parametrize(
    ("each", "amount", "unit"),
    [("45 minutes", 45, "minutes"), ("0.75 h", 0.75, "h"), ("45min", 45, "min"), ("400 EUR", 400, "EUR")],
)
def test_each_is_a_number_and_a_duration_or_currency(tmp_path: Path, each: str, amount: float, unit: str) -> None:
    found = metric(tmp_path, metric_story("count", 14, 2, f"better: lower\nper: month\neach: {each}\n"))
    assert found.each is not None and (found.each.amount, found.each.unit) == (amount, unit)
    assert found.each.is_money == (unit == "EUR")


def test_each_on_a_custom_unit(tmp_path: Path) -> None:
    found = metric(tmp_path, metric_story("incidents", 14, 2, "better: lower\nper: month\neach: 45 minutes\n"))
    assert found.each is not None and found.each.hours == 0.75


@pytest.mark.parametrize(
    ("each", "message"),
    [
        ("45", "`45` has no unit; write `45 minutes` (time) or `45 EUR` (money)"),
        ("45 tickets", "`tickets` is neither a duration unit nor a currency code; write it as a number and a "
         "duration or currency code, e.g. `45 minutes` or `400 EUR`"),
        ("400 eur", "`eur` is neither a duration unit nor a currency code; did you mean `EUR`?"),
        ("0 minutes", "must be more than 0; remove `each` if an occurrence costs nothing"),
        ("minutes", '"minutes" is not a cost; write it as a number and a duration or currency code, e.g. '
         "`45 minutes` or `400 EUR`"),
    ],
)  # fmt: skip
def test_each_that_is_not_a_cost(tmp_path: Path, each: str, message: str) -> None:
    text = metric_story("count", 14, 2, f"better: lower\nper: month\neach: {each}\n")
    assert problems(tmp_path, text) == [f"{STORY}:17:11: metrics[0].each: {message}"]


def test_each_needs_per(tmp_path: Path) -> None:
    assert problems(tmp_path, metric_story("count", 14, 2, "better: lower\neach: 45 minutes\n")) == [
        f"{STORY}:16:11: metrics[0].each: needs `per`, the period the count is measured over (e.g. `per: month`), "
        "to make it a yearly figure"
    ]


@pytest.mark.parametrize("unit", ["minutes", "EUR"])
def test_each_is_only_for_counts_and_custom_units(tmp_path: Path, unit: str) -> None:
    hands_on = "hands_on: true\n" if unit == "minutes" else ""  # a duration per a period says it
    text = metric_story(unit, extra=f"per: month\n{hands_on}each: 45 minutes\n")
    line = 17 if hands_on else 16
    assert problems(tmp_path, text) == [
        f"{STORY}:{line}:11: metrics[0].each: `each` (what one occurrence costs) is for a count or a custom unit, "
        f"not `{unit}`; remove it"
    ]


# 5. `workday` is a period; the new workspace keys --------------------------------------------


def test_workday_is_a_period_of_frequency_and_per(tmp_path: Path) -> None:
    found = metric(tmp_path, metric_story("minutes", extra="frequency: 2 per workday\n"))
    assert found.frequency is not None and found.frequency.period == "workday"
    found = metric(tmp_path / "2", metric_story("count", 3, 1, "better: lower\nper: workday\n"))
    assert found.per == "workday"


def test_workdays_per_year_and_hours_per_week_have_defaults_and_limits(tmp_path: Path) -> None:
    root = workspace(tmp_path / "a", {})
    config = load_config(root)
    assert (config.workdays_per_year, config.hours_per_week) == (250, 40)
    root = workspace(tmp_path / "b", {}, "workdays_per_year: 220\nhours_per_week: 37.5\n")
    config = load_config(root)
    assert (config.workdays_per_year, config.hours_per_week) == (220, 37.5)
    root = workspace(tmp_path / "c", {"2026-Q3/x.yaml": metric_story("minutes")}, "workdays_per_year: 367\n")
    result = CliRunner().invoke(app, ["validate", "--workspace", str(root)])
    assert result.exit_code == 1
    assert "storyteller.yaml:1:20: workdays_per_year: must be at most 366, found 367" in result.output
    root = workspace(tmp_path / "d", {"2026-Q3/x.yaml": metric_story("minutes")}, "workdays_per_year: 0\n")
    result = CliRunner().invoke(app, ["validate", "--workspace", str(root)])
    assert "storyteller.yaml:1:20: workdays_per_year: must be at least 1, found 0" in result.output


def test_init_writes_the_new_keys_commented_at_their_defaults(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "new")], env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert result.exit_code == 0, result.output
    config = (tmp_path / "new" / "storyteller.yaml").read_text(encoding="utf-8")
    assert "\nworkdays_per_year: 250\n" in config and "\nhours_per_week: 40\n" in config
    assert load_config(tmp_path / "new").workdays_per_year == 250


@pytest.mark.parametrize(("unit", "shown"), [("ms", "120 ms"), ("Milliseconds", "120 ms"), ("MINUTES", "120 min")])
def test_every_duration_word_can_be_shown_in_the_report(unit: str, shown: str) -> None:
    from storyteller.report.fmt import Formatter

    assert Formatter("en_US", "USD").value(120, unit) == shown


@pytest.mark.parametrize("written", ["40 per working day", "40 per business day", "40 per working-days"])
def test_a_working_day_frequency_is_told_its_name(tmp_path: Path, written: str) -> None:
    assert problems(tmp_path, metric_story("minutes", extra=f"frequency: {written}\n")) == [
        f'{STORY}:15:16: metrics[0].frequency: "{written}": write it as `40 per workday`'
    ]
