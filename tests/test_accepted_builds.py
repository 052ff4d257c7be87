"""The contract `validate` => `build`: whatever validate accepts, build renders (HTML and PDF)
and export writes, never with storyteller's internal error (exit 3).

Issue 17 found stories inside the old limits that crashed the build (a payback above 10^28
weeks broke Babel, year 10000 broke datetime, 4,401 digits broke int()). The bounds now sit
on the field declarations (docs/story-format.md, "Bounds"); the property test generates
stories across the whole accepted range, at its edges on purpose, and builds them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.figures.periods import Quarter
from storyteller.format.fields import MAX_DIGITS, MAX_MAGNITUDE, MIN_MAGNITUDE, _bad_character
from storyteller.format.schema import story_json_schema

from .helpers import BASE, vary, write_workspace

TODAY = {"SOURCE_DATE_EPOCH": "1790000000"}

# Text of every script, with what is refused on purpose left out (test_hostile.py refuses it).
TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")), min_size=1, max_size=60
).filter(lambda text: text.strip() != "" and _bad_character(text.strip(), True) is None)
MARKDOWN = st.lists(TEXT, min_size=1, max_size=4).map("\n\n".join)


def number_text(value: float, digits: int) -> str:
    """``value`` written with at most ``digits`` significant digits, as an author would."""
    return f"{value:.{digits}g}"


EDGES = [0.0, MIN_MAGNITUDE, MAX_MAGNITUDE, 1.00000000000001e-6, 999999999999.999, 1.5e-9, 0.1, 1.0]
MAGNITUDE = st.one_of(
    st.sampled_from(EDGES),
    st.floats(min_value=MIN_MAGNITUDE, max_value=MAX_MAGNITUDE, allow_nan=False, allow_infinity=False),
)
NUMBER = st.builds(number_text, MAGNITUDE, st.integers(1, MAX_DIGITS))
UNITS = ["seconds", "minutes", "hours", "days", "weeks", "percent", "count", "USD", "EUR", "tickets", "GB"]
FREQUENCY = st.builds(
    lambda count, period: f"{count} per {period}",
    st.sampled_from(["0.001", "1", "40", "1000000", "2.5"]),
    st.sampled_from(["day", "week", "month", "quarter", "year"]),
)
QUARTER = st.builds(Quarter, st.integers(2000, 2099), st.integers(1, 4))


@st.composite
def metric(draw: st.DrawFn) -> dict[str, Any]:
    unit = draw(st.sampled_from(UNITS))
    before, after = draw(NUMBER), draw(NUMBER)
    if unit == "percent":
        before, after = (str(min(float(v), 100.0)) for v in (before, after))
    elif unit == "tickets" and draw(st.booleans()):  # a unit of its own may go below zero
        before = "-" + before if float(before) else before
    values: dict[str, Any] = {"name": draw(TEXT), "unit": unit, "before": before, "after": after}
    values["better"] = draw(st.sampled_from(["lower", "higher"]))
    if unit in ("seconds", "minutes", "hours", "days", "weeks", "USD", "EUR") and draw(st.booleans()):
        values["frequency"] = draw(FREQUENCY)
    values["accept"] = ["large-factor", "large-saving", "team-capacity", "no-change", "no-source"]
    return values


@st.composite
def story(draw: st.DrawFn) -> tuple[Quarter, str]:
    quarter = draw(QUARTER)
    values: dict[str, Any] = {
        "title": draw(TEXT),
        "summary": draw(TEXT),
        "quarter": str(quarter),
        "team": draw(TEXT),
        "category": "automation",
        "status": draw(st.sampled_from(["delivered", "in-progress"])),
        "problem": draw(MARKDOWN),
        "outcome": draw(MARKDOWN),
        "metrics": draw(st.lists(metric(), min_size=1, max_size=3)),
    }
    if draw(st.booleans()):
        values["effort_hours"] = draw(st.sampled_from(["0.000000001", "1", "120", "1000000"]))
    if draw(st.booleans()):  # a go-live date in the quarter, up to the century's last day
        first, last = quarter.first_day(), quarter.last_day()
        values["date"] = (first + dt.timedelta(days=draw(st.integers(0, (last - first).days)))).isoformat()
    return quarter, unquoted_numbers(yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=100_000))


def unquoted_numbers(text: str) -> str:
    """safe_dump quotes the numbers' text ('1e-09'); a story writes them bare."""
    lines = []
    for line in text.splitlines():
        key, _, value = line.partition(": ")
        if key.strip() in ("before", "after", "effort_hours") and value.startswith("'") and value.endswith("'"):
            line = f"{key}: {value[1:-1]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


CONFIG = st.fixed_dictionaries(
    {
        "organization": TEXT,
        "hourly_rate": st.sampled_from([0.000000001, 95, 1000000]),
        "hours_per_fte": st.sampled_from([1, 1720, 8784]),
        "locale": st.sampled_from(["en_US", "de_DE", "ar_EG", "ja_JP", "hi_IN"]),
    }
)


def run(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--workspace", str(root)], env=TODAY)
    assert result.exit_code != 3 and "internal error" not in result.output, (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(story(), min_size=1, max_size=3), CONFIG)
def test_whatever_validate_accepts_builds_and_exports(
    stories: list[tuple[Quarter, str]], config: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory(prefix="storyteller-accepted-") as folder:
        files = {f"{quarter}/s{i}.yaml": text for i, (quarter, text) in enumerate(stories)}
        root = write_workspace(Path(folder), files, yaml.safe_dump(config, allow_unicode=True))
        checked = run(root, "validate")
        assert checked.exit_code == 0, checked.output  # the generator stays inside the bounds
        assert run(root, "build", "-f", "pdf").exit_code == 0  # the latest quarter, as a plain build
        assert run(root, "build", "--all", "-f", "html").exit_code == 0
        exported = run(root, "export")
        assert exported.exit_code == 0
        for record in json.loads(exported.stdout)["stories"]:
            for figures in record["metrics"]:
                assert figures["factor"] is None or 0 < figures["factor"] < math.inf  # never 0, never infinite


def test_the_schema_says_the_number_bounds_the_validator_keeps() -> None:
    validator = Draft202012Validator(story_json_schema({"categories": ["automation"], "outcomes": []}))
    story = yaml.safe_load(BASE)

    def valid(before: float) -> bool:
        story["metrics"][0]["before"] = before
        return validator.is_valid(story)

    assert valid(0) and valid(MIN_MAGNITUDE) and valid(MAX_MAGNITUDE) and valid(50)
    assert not valid(1e-10) and not valid(5e-324) and not valid(1.5e12)
    story["quarter"] = "2100-Q1"
    assert not validator.is_valid(story)


def test_a_regression_of_a_billion_billion_times_exports_a_factor_and_shows_no_infinity(tmp_path: Path) -> None:
    root = write_workspace(
        tmp_path, {"2026-Q3/x.yaml": vary("after: 20", "after: 1e12", vary("before: 50", "before: 1e-9"))}
    )
    exported = json.loads(run(root, "export").stdout)
    assert exported["stories"][0]["metrics"][0]["factor"] == 1e-21
    assert run(root, "build", "-f", "html").exit_code == 0
    page = next((root / "output").rglob("*.html")).read_text(encoding="utf-8")
    assert "\u221e" not in page and "1,000,000,000,000,000,000,000\u00d7 worse" in page
