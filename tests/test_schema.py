"""The JSON Schema, the validator and the docs come from one model and agree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from storyteller.format import docgen
from storyteller.format.config import load_config
from storyteller.format.fields import Record
from storyteller.format.load import discover, read_story
from storyteller.format.model import CONFIG, DEFAULT_CATEGORIES, DEFAULT_OUTCOMES, METRIC, STORY, story_json_schema
from storyteller.format.source import parse, plain_data

from .helpers import BASE_STORY, REPO

CHOICES = {"categories": list(DEFAULT_CATEGORIES), "outcomes": list(DEFAULT_OUTCOMES)}
VALIDATOR = Draft202012Validator(story_json_schema(CHOICES), format_checker=Draft202012Validator.FORMAT_CHECKER)


def as_data(text: str) -> Any:
    node, problems = parse(text.encode("utf-8"), "s.yaml")
    assert not problems
    return plain_data(node)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(story_json_schema(CHOICES))


def test_every_example_story_is_valid_for_the_schema_and_the_validator() -> None:
    config = load_config(REPO)
    files = discover(config.stories_dir)
    assert len(files) >= 16
    for path in files:
        story, problems = read_story(path, config)
        assert problems == [] and story is not None, path
        errors = list(VALIDATOR.iter_errors(as_data(path.read_text(encoding="utf-8"))))
        assert errors == [], (path, [e.message for e in errors])


def _walk(schema: dict[str, Any], path: str = "") -> list[str]:
    missing = []
    for name, prop in schema.get("properties", {}).items():
        if not prop.get("description"):
            missing.append(f"{path}{name}")
        if not prop.get("examples"):
            missing.append(f"{path}{name} (example)")
        missing += _walk(prop, f"{path}{name}.")
        if "items" in prop:
            missing += _walk(prop["items"], f"{path}{name}[].")
    return missing


def test_every_field_in_the_schema_has_a_description_and_an_example() -> None:
    assert _walk(story_json_schema(CHOICES)) == []


INVALID = {
    "missing title": ("title: Automated SAN switch zoning\n", ""),
    "unknown key": ("summary:", "sumary:"),
    "quoted number": ("before: 50", 'before: "50"'),
    "boolean number": ("before: 50", "before: yes"),
    "unknown category": ("category: automation", "category: automaton"),
    "bad quarter": ("quarter: 2026-Q3", "quarter: 2026-Q5"),
    "impossible date": ("quarter: 2026-Q3", "quarter: 2026-Q3\ndate: 2026-02-30"),
    "title too long": ("title: Automated SAN switch zoning", "title: " + "x" * 121),
    "negative duration": ("after: 20", "after: -5"),
    "percent above 100": (
        "unit: minutes\n    before: 50\n    after: 20\n    frequency: 40 per month",
        "unit: percent\n    before: 50\n    after: 120",
    ),
    "other unit without better": (
        "unit: minutes\n    before: 50\n    after: 20\n    frequency: 40 per month",
        "unit: tickets\n    before: 50\n    after: 20",
    ),
    "frequency on a count": ("unit: minutes", "unit: count\n    better: lower"),
    "frequency and per": ("frequency: 40 per month", "frequency: 40 per month\n    per: month"),
    "bad frequency": ("frequency: 40 per month", "frequency: 40 per fortnight"),
    "delivered without metrics": (BASE_STORY[BASE_STORY.index("metrics:") :], "metrics: []\n"),
    "neither quarter nor date": ("quarter: 2026-Q3\n", ""),
    "javascript link": ("effort_hours: 120", "effort_hours: 120\nlinks:\n  - title: x\n    url: javascript:alert(1)"),
    "bad status": ("effort_hours: 120", "effort_hours: 120\nstatus: done"),
    "zero effort": ("effort_hours: 120", "effort_hours: 0"),
    "owners not a list": ("effort_hours: 120", "effort_hours: 120\nowners: Priya"),
    "remote image": ("effort_hours: 120", "effort_hours: 120\nimages:\n  - path: https://x.test/a.png\n    alt: a"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_stories_are_rejected_by_both(case: str, tmp_path: Path) -> None:
    old, new = INVALID[case]
    assert old in BASE_STORY
    text = BASE_STORY.replace(old, new, 1)
    (tmp_path / "storyteller.yaml").write_text("")
    story_file = tmp_path / "stories" / "s.yaml"
    story_file.parent.mkdir()
    story_file.write_text(text)
    story, problems = read_story(story_file, load_config(tmp_path))
    assert story is None and problems, f"validator accepted {case}"
    assert not VALIDATOR.is_valid(as_data(text)), f"schema accepted {case}"


def test_the_base_story_is_valid_for_both(tmp_path: Path) -> None:
    (tmp_path / "storyteller.yaml").write_text("")
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "s.yaml").write_text(BASE_STORY)
    story, problems = read_story(tmp_path / "stories" / "s.yaml", load_config(tmp_path))
    assert problems == [] and story is not None
    assert VALIDATOR.is_valid(as_data(BASE_STORY))


def test_schema_uses_the_workspace_categories() -> None:
    schema = story_json_schema({"categories": ["ops"], "outcomes": ["speed"]})
    assert schema["properties"]["category"]["enum"] == ["ops"]
    assert schema["properties"]["impact"]["items"]["enum"] == ["speed"]


def test_the_docs_field_reference_is_generated_from_the_model() -> None:
    document = (REPO / "docs" / "story-format.md").read_text(encoding="utf-8")
    assert docgen.splice(document) == document, "docs/story-format.md is out of date: run `make docs`"


def _names(record: Record) -> list[str]:
    return [f.name for f in record.fields]


@pytest.mark.parametrize("record", [STORY, METRIC, CONFIG], ids=["story", "metric", "config"])
def test_every_declared_field_is_documented(record: Record) -> None:
    document = (REPO / "docs" / "story-format.md").read_text(encoding="utf-8")
    for name in _names(record):
        assert re.search(rf"^\| `{name}` \|", document, re.M), name


def test_the_spec_fields_are_all_declared() -> None:
    spec = REPO.parent / "shared" / "spec" / "story-format.md"
    if not spec.exists():
        pytest.skip("shared/spec is not beside this checkout")
    text = spec.read_text(encoding="utf-8")
    sections = text.split("## ")
    story_part = next(s for s in sections if s.startswith("Fields of a story"))
    metric_part = next(s for s in sections if s.startswith("Fields of a metric"))
    workspace_part = next(s for s in sections if s.startswith("The workspace"))
    for part, record in ((story_part, STORY), (metric_part, METRIC), (workspace_part, CONFIG)):
        spec_names = set(re.findall(r"^\| `([a-z_]+)`", part, re.M))
        spec_names |= {
            n
            for row in re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)+(?: and `[a-z_]+`)?)", part, re.M)
            for n in re.findall(r"`([a-z_]+)`", row)
        }
        assert spec_names <= set(_names(record)), spec_names - set(_names(record))
