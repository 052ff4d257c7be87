"""Bounded resources: no story can make a build take minutes or gigabytes. Each limit ends
with a clear error naming the story (or, for a whole report, the period)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from storyteller import build
from storyteller.format import values
from storyteller.format.values import MAX_IMAGE_PIXELS, MAX_MARKDOWN_DEPTH
from storyteller.report import markdown

from . import harmless
from .helpers import BASE, STORY, invoke, story_problems, vary, write_workspace

IMAGES = "images:\n  - path: images/chart.png\n    alt: A chart\n"


def decompression_bomb(width: int, height: int) -> bytes:
    """A valid greyscale PNG of ``width`` x ``height`` zero pixels: a few kB on disk,
    ``width * height`` bytes once decoded."""
    return harmless.png(width, height)


def _story_with_image(tmp_path: Path, data: bytes) -> list[str]:
    root = write_workspace(tmp_path, {"2026-Q3/x.yaml": BASE + IMAGES})
    (root / "stories" / "2026-Q3" / "images").mkdir()
    (root / "stories" / "2026-Q3" / "images" / "chart.png").write_bytes(data)
    result = invoke(root)
    return result.stderr.splitlines()[:-1] if result.exit_code else []


@pytest.mark.slow  # writing the 400-megapixel PNG takes seconds
def test_a_png_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = decompression_bomb(20_000, 20_000)  # 400 million pixels, 400 MB to 1.6 GB decoded
    assert len(bomb) < 1_000_000
    assert _story_with_image(tmp_path, bomb) == [
        f"{STORY}:16:11: images[0].path: images/chart.png is 20,000 x 20,000 pixels; "
        "the limit is 25,000,000 pixels, scale it down"
    ]


def test_an_image_just_over_the_pixel_limit_is_refused_and_one_at_it_accepted(tmp_path: Path) -> None:
    assert _story_with_image(tmp_path / "at", decompression_bomb(5_000, MAX_IMAGE_PIXELS // 5_000)) == []
    assert _story_with_image(tmp_path / "over", decompression_bomb(5_001, MAX_IMAGE_PIXELS // 5_000)) == [
        f"{STORY}:16:11: images[0].path: images/chart.png is 5,001 x 5,000 pixels; "
        "the limit is 25,000,000 pixels, scale it down"
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"not a png at all" * 10,
        decompression_bomb(40, 40)[:-20],  # cut short
        decompression_bomb(40, 40).replace(b"IDAT", b"IDAX"),  # a chunk's checksum no longer fits
    ],
    ids=["garbage-after-the-signature", "truncated", "bad-checksum"],
)
def test_a_damaged_png_is_refused(tmp_path: Path, data: bytes) -> None:
    assert _story_with_image(tmp_path, data) == [
        f"{STORY}:16:11: images[0].path: images/chart.png is not a readable PNG file (its data is damaged); "
        "export it again"
    ]


def test_a_real_png_and_jpeg_are_accepted(tmp_path: Path) -> None:
    Image.new("RGB", (640, 480), "teal").save(tmp_path / "a.png")
    Image.new("RGB", (640, 480), "teal").save(tmp_path / "a.jpg", "JPEG")
    assert _story_with_image(tmp_path / "png", (tmp_path / "a.png").read_bytes()) == []
    assert _story_with_image(tmp_path / "jpeg", (tmp_path / "a.jpg").read_bytes()) == []


def nested(kind: str, depth: int) -> str:
    if kind == "quotes":
        return "> " * depth + "deep"
    if kind == "lists":
        return "\n".join("  " * level + "- item" for level in range(depth))
    if kind == "emphasis":
        return "*a " * depth + "deep" + " a*" * depth
    raise AssertionError(kind)


@pytest.mark.parametrize(("kind", "depth"), [("quotes", 40), ("lists", 20), ("emphasis", 30)])
def test_deeply_nested_markdown_is_refused_with_its_depth(tmp_path: Path, kind: str, depth: int) -> None:
    text = nested(kind, depth)
    found = markdown.depth(text)
    assert found > MAX_MARKDOWN_DEPTH
    indented = "\n".join("  " + line for line in text.split("\n"))
    story = vary("problem: |\n  Every zoning request meant typing by hand.\n", f"problem: |\n{indented}\n")
    assert story_problems(tmp_path, story) == [
        f"{STORY}:6:10: problem: its Markdown nests {found} levels deep (lists in lists, quotes in quotes, "
        f"emphasis in links); the limit is {MAX_MARKDOWN_DEPTH}, flatten it"
    ]


def test_ordinary_nesting_is_accepted(tmp_path: Path) -> None:
    text = "\n".join(
        ["- one", "  - two", "    - three **bold *and* more**", "> a quote with [a link](https://a.example)"]
    )
    assert markdown.depth(text) <= MAX_MARKDOWN_DEPTH
    indented = "\n".join("  " + line for line in text.split("\n"))
    story = vary("problem: |\n  Every zoning request meant typing by hand.\n", f"problem: |\n{indented}\n")
    assert invoke(write_workspace(tmp_path, {"2026-Q3/x.yaml": story})).exit_code == 0


MARKDOWNISH = st.text(alphabet=list("> -+*_[]()<`~#1.)\n\t ab:/=|!\\"), max_size=120)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(MARKDOWNISH)
def test_the_cheap_nesting_bound_never_underestimates(text: str) -> None:
    """Validation parses a text only when the cheap bound exceeds the limit; a bound below
    the real depth would let deep Markdown through unparsed."""
    assert values._nesting_bound(text) >= markdown.depth(text)


def test_a_report_holds_a_bounded_number_of_stories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stories = {f"2026-Q3/s{i}.yaml": vary("title: Automated", f"title: Story {i} automated") for i in range(4)}
    root = write_workspace(tmp_path, stories)
    monkeypatch.setattr(build, "MAX_STORIES_PER_REPORT", 3)
    result = invoke(root, "--format", "html", command="build")
    assert result.exit_code == 1
    assert result.stderr == (
        "storyteller: 2026-Q3 has 4 stories; one report holds at most 3, build it a quarter at a time (--quarter)\n"
    )
    assert not (root / "output" / "2026-Q3").exists()


def test_a_pdf_over_its_time_limit_is_stopped_and_names_the_longest_stories(tmp_path: Path) -> None:
    long_story = vary("  Every zoning request meant typing by hand.\n", "  " + "Typing by hand. " * 300 + "\n")
    stories = {"2026-Q3/short.yaml": vary("title: Automated", "title: Short"), "2026-Q3/long.yaml": long_story}
    root = write_workspace(tmp_path, stories)
    result = invoke(root, "--time-limit", "0.001", command="build")
    assert result.exit_code == 1
    assert result.stderr == (
        "storyteller: the PDF of 2026-Q3 took longer than 0.001 s to lay out and was stopped; its longest "
        "stories are stories/2026-Q3/long.yaml, stories/2026-Q3/short.yaml; shorten them, build fewer "
        "quarters at once, or raise the limit with --time-limit\n"
    )
    assert not (root / "output" / "2026-Q3").exists()  # nothing written, not even the HTML
