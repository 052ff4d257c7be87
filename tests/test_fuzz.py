"""Fuzzing the story loader and the Markdown renderer (hypothesis).

Whatever bytes a story file holds, reading it gives a story or problems (or, for the CLI,
one of storyteller's own errors): never another exception, and every problem is one
printable line placed at a real line and column. Whatever Markdown a story holds, the
HTML it renders to has no script, no event-handler attribute and no link or image to
anything but http, https, mailto or an anchor of the report.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storyteller.errors import Problem, StorytellerError
from storyteller.format.config import Config
from storyteller.format.load import read_story
from storyteller.format.story import STORY, Story
from storyteller.report.markdown import render

from . import harmless
from .helpers import dump, full_story, set_path, walk

FUZZ = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def story_file() -> Iterator[tuple[Path, Config]]:
    """One workspace whose single story file each example overwrites (with an image beside it)."""
    with tempfile.TemporaryDirectory(prefix="storyteller-fuzz-") as folder:
        root = Path(folder)
        (root / "stories" / "images").mkdir(parents=True)
        (root / "stories" / "images" / "zoning-dashboard.png").write_bytes(harmless.png(2, 2, rows=b"\0\0\0" * 2))
        yield root / "stories" / "x.yaml", Config(root=root)


def load(story_file: tuple[Path, Config], data: bytes) -> tuple[Story | None, list[Problem]]:
    """Read ``data`` as a story file; only storyteller's own errors may escape."""
    path, config = story_file
    path.write_bytes(data)
    try:
        story, problems = read_story(path, config)
    except StorytellerError:
        return None, []
    assert (story is None) == bool(problems), (story, problems)
    lines = len(re.split(rb"\r\n|\r|\n", data))  # a lone CR ends a line for YAML and for editors
    for problem in problems:
        shown = str(problem)
        assert "\n" not in shown and "\r" not in shown, shown
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f\x1b]", shown), f"raw control character in {shown!r}"
        assert problem.path == "stories/x.yaml"
        assert 1 <= problem.line <= lines + 1 and problem.column >= 1, shown
    return story, problems


# ---------------------------------------------------------------------------------------
# Arbitrary bytes and text


@FUZZ
@given(st.binary(max_size=2000))
@example(b"\xef\xbb\xbf")
@example(b'title: "\\ud800"\n')
@example(b"- [\n")
@example(b"a: !!binary |\n  AAAA\n")
@example(b"title: x\r\r\rtitle: y")
def test_any_bytes_give_a_story_or_problems(story_file: tuple[Path, Config], data: bytes) -> None:
    load(story_file, data)


@FUZZ
@given(st.text(max_size=2000))
def test_any_text_gives_a_story_or_problems(story_file: tuple[Path, Config], text: str) -> None:
    load(story_file, text.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------------------------------
# Arbitrary YAML structure, with the model's own field names as likely keys

FIELD_NAMES = sorted({path.rsplit(".", 1)[-1].split("[")[0] for path, _ in walk(STORY)})
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(["2026-Q3", "automation", "minutes", "40 per month", "https://example.com", "images/x.png"]),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12))
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=30,
)


@FUZZ
@given(st.dictionaries(keys, structures, max_size=12))
def test_any_yaml_structure_gives_a_story_or_problems(story_file: tuple[Path, Config], values: dict[str, Any]) -> None:
    load(story_file, yaml.safe_dump(values, allow_unicode=True).encode())


@FUZZ
@given(structures)
def test_any_yaml_document_gives_a_story_or_problems(story_file: tuple[Path, Config], value: Any) -> None:
    load(story_file, yaml.safe_dump(value, allow_unicode=True).encode())


# ---------------------------------------------------------------------------------------
# A valid story, mutated: a field replaced, or the text cut, spliced or shuffled

FULL = dump(full_story())
FIELD_PATHS = [path for path, _ in walk(STORY)]


def test_the_unmutated_story_loads(story_file: tuple[Path, Config]) -> None:
    story, problems = load(story_file, FULL.encode())
    assert problems == [] and story is not None


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(FIELD_PATHS), structures), min_size=1, max_size=4))
@example([("quarter", None), ("date", None)])  # was an AssertionError: an internal error
def test_a_story_with_fields_replaced_gives_a_story_or_problems(
    story_file: tuple[Path, Config], changes: list[tuple[str, Any]]
) -> None:
    story = full_story()
    for path, value in changes:
        try:
            set_path(story, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier change replaced what holds this path
            continue
    load(story_file, dump(story).encode())


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = FULL
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "duplicate-line", "swap-lines", "indent"]))
        at = draw(st.integers(0, len(text)))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            piece = draw(
                st.text(max_size=20)
                | st.sampled_from(["\n", ": ", "- ", "  ", "&a ", "*a", "!!str ", "'", '"', "[", "{", "#"])
            )
            text = text[:at] + piece + text[at:]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate-line":
                lines.insert(j, lines[i])
            elif kind == "swap-lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = "  " + lines[i]
            text = "\n".join(lines)
    return text


@FUZZ
@given(mutated())
def test_a_mutated_story_gives_a_story_or_problems(story_file: tuple[Path, Config], text: str) -> None:
    load(story_file, text.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------------------------------
# Markdown: whatever an author writes, the HTML runs nothing and links nowhere unsafe

PIECES = [
    *"<>[]()!*_`#&;:\"' \n\t-=/\\%",
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "vbscript:",
    "data:text/html,",
    "data:image/svg+xml,",
    "file:///etc/passwd",
    "//evil.example.com",
    "http://x",
    "https://x",
    "mailto:a@b",
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=",
    " onmouseover=",
    "alert(1)",
    "&#106;",
    "&#x6A;",
    "&colon;",
    "%0a",
    "%6A",
    "<svg onload=",
    "<iframe ",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "[x]: ",
    "](",
    "![",
    "<http://x>",
    "\u202e",
    "\u200b",
    "\x00",
]
markdown_text = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.text(max_size=300),
)


@settings(deadline=None, max_examples=400)
@given(markdown_text)
@example("[a](javascript:alert(1)) <javascript:alert(1)> [b][r]\n\n[r]: javascript:x")
@example('[a](https://x "t\\" onmouseover=\\"alert(1)")')
@example("![x](https://evil/x.png) <img src=x onerror=alert(1)>")
def test_rendered_markdown_runs_nothing_and_links_nowhere_unsafe(text: str) -> None:
    html = str(render(text))
    verdict = harmless.check_html(html)
    assert verdict.problems == [], (text, html)
    assert verdict.styles == 0
    assert not re.search(r"(?i)\bhref=\"\s*(javascript|vbscript|data|file):", html), html
