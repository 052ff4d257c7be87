"""`storyteller build --brief`: the one-page brief, one page whatever the number of stories
or the length of their text, tagged, with the packaged fonts, reproducible, and showing the
report's own figures (Poppler reads the PDF back)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from storyteller import __version__
from storyteller.build import BuildRequest, undrawn_contexts
from storyteller.figures.periods import Quarter
from storyteller.format.config import load_config
from storyteller.format.load import load_workspace
from storyteller.report.brief import ELLIPSIS, TITLE_CHARS, brief, clip

from .helpers import BASE_STORY, EPOCH, RATED_CONFIG, REPO, build, copy_example, write_workspace

NAME = "northwind-logistics-2026-Q3"

pytestmark = pytest.mark.slow  # every test here lays a PDF out


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} (Poppler) is not installed; run `make test`, which installs it")
    return found


def _text(pdf: Path) -> str:
    done = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def _pages(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


MM = 72 / 25.4
SIDE = 18 * MM - 1  # the brief's side margins (brief.css), less a point for the glyphs' own bearings
EDGE = 6 * MM  # no text nearer the top or bottom of the sheet than this
FOOT = ("The", "full", "report,")  # the foot's first words; it is painted last


@dataclass(frozen=True)
class Box:
    text: str
    left: float
    top: float
    right: float
    bottom: float


def _boxes(pdf: Path) -> tuple[float, float, list[Box]]:
    """The page's size and its words' boxes (Poppler), in the order they are painted."""
    done = subprocess.run(
        [_tool("pdftotext"), "-raw", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)">', done.stdout)
    assert page is not None, done.stdout[:500]
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', done.stdout
    )
    boxes = [Box(html.unescape(t), float(a), float(b), float(c), float(d)) for a, b, c, d, t in words]
    return float(page[1]), float(page[2]), boxes


def _assert_fits(pdf: Path) -> None:
    """No text of the page's body overlaps its foot, and no text runs past the sheet's margins.
    Text that ran off the sheet would not be seen here, but it would first run into the foot,
    which sits at the bottom of the sheet and is taller than a line."""
    width, height, boxes = _boxes(pdf)
    texts = [b.text for b in boxes]
    starts = [i for i in range(len(texts)) if tuple(texts[i : i + len(FOOT)]) == FOOT]
    assert starts, texts
    body, foot = boxes[: starts[-1]], boxes[starts[-1] :]
    assert len(body) > 20 and foot[-1].text == __version__  # the foot ends "storyteller <version>"
    foot_top = min(b.top for b in foot)
    assert foot_top > height / 2, foot_top  # the foot is at the bottom
    low = [b for b in body if b.bottom > foot_top - 2]  # 2 pt apart at least
    assert not low, f"body text runs into the foot (top {foot_top:.1f} pt): {low}"
    for b in boxes:
        assert b.left >= SIDE and b.right <= width - SIDE, f"{b} runs past the side margins of {width} pt"
        assert b.top >= EDGE and b.bottom <= height - EDGE, f"{b} runs past the top or bottom of {height} pt"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace's brief of its latest quarter, built once for this module."""
    out = tmp_path_factory.mktemp("brief")
    result = build(REPO, "--brief", "--output", str(out))
    folder = out / "2026-Q3"
    assert result.stdout.splitlines() == [
        f"wrote {folder / NAME}-brief.html",
        f"wrote {folder / NAME}-brief.pdf",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [f"{NAME}-brief.html", f"{NAME}-brief.pdf"]  # no report
    return folder


def test_the_example_brief_is_one_tagged_a4_page_with_the_reports_figures(example: Path) -> None:
    pdf = example / f"{NAME}-brief.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged, as the report
    assert root["/Lang"] == "en-US"
    assert reader.metadata is not None and reader.metadata["/CreationDate"].startswith("D:20260921141320")

    config = load_config(REPO)
    context = undrawn_contexts(load_workspace(config), BuildRequest(quarter=Quarter(2026, 3)))[0]
    h = context.headlines
    text = _text(pdf)
    assert "Q3 2026 at a glance" in text
    for tile in (h.money, h.hours, h.delivered, h.measured):
        assert tile.value in text and tile.change.text in text, tile  # the report's figure and its trend
    assert h.realised.value in text and h.realised_hours in text
    for view in context.top_wins:
        assert view.title in text and view.highlight in text
        assert view.lead is not None and f"{view.lead.before} → {view.lead.after}" in text
    assert "Non-production cloud costs" in text  # the cash win is a top win
    assert f"{NAME}.pdf" in text  # the pointer to the full report
    _assert_fits(pdf)


def test_the_brief_embeds_only_the_packaged_fonts(example: Path) -> None:
    done = subprocess.run(
        [_tool("pdffonts"), str(example / f"{NAME}-brief.pdf")], capture_output=True, text=True, check=True
    )
    rows = done.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        assert "+Inter" in row.split()[0] and " yes yes yes " in row, row


def test_the_brief_html_is_self_contained_and_in_the_brand(example: Path) -> None:
    html = (example / f"{NAME}-brief.html").read_text(encoding="utf-8")
    assert "--brand: #0f4c5c" in html
    assert "@font-face" in html and "data:font/woff2;base64," in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert f"{NAME}.pdf" in html


def _stories(count: int) -> dict[str, str]:
    """``count`` stories of 2026-Q3, each a little different."""
    return {
        f"2026-Q3/s{i:04d}.yaml": BASE_STORY.replace("Automated SAN switch zoning", f"Story number {i}").replace(
            "before: 50", f"before: {50 + i % 40}"
        )
        for i in range(count)
    }


@pytest.mark.parametrize("count", [1, 20])
def test_the_brief_is_one_page_for_few_and_many_stories(tmp_path: Path, count: int) -> None:
    root = write_workspace(tmp_path / "ws", _stories(count), RATED_CONFIG)
    build(root, "--brief", "--format", "pdf")
    pdf = root / "output" / "2026-Q3" / "test-org-2026-Q3-brief.pdf"
    assert _pages(pdf) == 1
    assert "test-org-2026-Q3.pdf" in _text(pdf)
    story = "story file" if count == 1 else "story files"  # the foot's pointer to the evidence it carries
    assert f"Attached: {count} {story}, storyteller.yaml, figures.json, figures.csv · check: " in _text(pdf)
    assert "storyteller verify test-org-2026-Q3-brief.pdf" in _text(pdf)
    _assert_fits(pdf)


def test_the_brief_is_one_page_at_1000_stories(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    subprocess.run([sys.executable, str(REPO / "bench" / "workspace.py"), str(root), "1000"], check=True)
    assert len(list((root / "stories").rglob("*.yaml"))) == 1000
    build(root, "--brief", "--year", "2026", "--format", "pdf")
    (pdf,) = (root / "output" / "2026").glob("*-2026-brief.pdf")
    assert _pages(pdf) == 1
    assert "Annual review 2026 at a glance" in _text(pdf)
    assert "Attached: 1,000 story files, storyteller.yaml, figures.json, figures.csv · check: " in _text(pdf)
    _assert_fits(pdf)


LONG_TITLE = "W" * 60 + " " + "M" * 59  # 120 characters, the most a title may have, of the widest letters
LONG_METRIC = "Wm" * 50  # 100 characters
# Besides the top wins, every other block at its longest: wins beyond hours (a problem
# eliminated, a share improved) under long names, and savings in another currency.
LONG_BEYOND = f"""\
  - name: {"Mw" * 50}
    unit: count
    per: quarter
    before: 1234567
    after: 0
    better: lower
  - name: {"Wm" * 49}x
    unit: percent
    before: 10.5
    after: 99.5
    better: higher
  - name: {"Ww" * 50}
    unit: EUR
    per: month
    before: 999999
    after: 1
"""


def _longest(i: int) -> str:
    return (
        BASE_STORY.replace("Automated SAN switch zoning", f"{LONG_TITLE[:-3]}{i:03d}")
        .replace("Processing time per zoning request", LONG_METRIC)
        .replace("before: 50", f"before: {50 + i}")
        + LONG_BEYOND
    )


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_longest_text_stays_on_one_page(tmp_path: Path, paper: str) -> None:
    """The widest titles and metric names allowed, a long organisation name, a logo: still one
    page, every block shown, and no text runs into the foot or off the sheet."""
    config = (
        f"organization: {'Wide Organisation Name ' * 5}\nhourly_rate: 95\npaper: {paper}\nbrand:\n  logo: logo.png\n"
    )
    root = write_workspace(tmp_path / "ws", {f"2026-Q3/s{i}.yaml": _longest(i) for i in range(5)}, config)
    shutil.copy(REPO / "stories" / "2026-Q3" / "images" / next(iter(_pngs())), root / "logo.png")
    build(root, "--brief")
    (pdf,) = (root / "output" / "2026-Q3").glob("*-brief.pdf")
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    size = (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height)))
    assert size == ((595, 842) if paper == "A4" else (612, 792))
    text = _text(pdf)
    assert ELLIPSIS in text  # the titles were shortened, and say so
    assert "Also saved in other currencies" in text and "Beyond hours".upper() in text.upper()
    assert "1,234,567 → 0, eliminated" in text
    _assert_fits(pdf)


def _pngs() -> list[str]:
    return sorted(p.name for p in (REPO / "stories" / "2026-Q3" / "images").glob("*.png"))


def test_the_brief_is_reproducible(tmp_path: Path) -> None:
    """Same stories and SOURCE_DATE_EPOCH, two folders: the same bytes."""
    built = []
    for name in ("one", "two"):
        root = copy_example(tmp_path / name)
        build(root, "--brief", epoch=EPOCH)
        folder = root / "output" / "2026-Q3"
        built.append([(folder / f"{NAME}-brief.{ext}").read_bytes() for ext in ("pdf", "html")])
    assert built[0] == built[1]


def test_a_period_without_wins_says_so(tmp_path: Path) -> None:
    story = BASE_STORY.replace("before: 50", "before: 20").replace("after: 20", "after: 50")  # a regression
    root = write_workspace(tmp_path / "ws", {"2026-Q3/x.yaml": story}, RATED_CONFIG)
    build(root, "--brief", "--format", "pdf")
    text = _text(root / "output" / "2026-Q3" / "test-org-2026-Q3-brief.pdf")
    assert "No delivered story of Q3 2026 saves time or money yet." in text


def test_clip_shortens_on_one_line_with_an_ellipsis() -> None:
    assert clip("a  short\ntitle", 20) == "a short title"
    long = "word " * 40
    assert len(clip(long, TITLE_CHARS)) == TITLE_CHARS and clip(long, TITLE_CHARS).endswith(ELLIPSIS)


def test_brief_takes_the_reports_own_figures() -> None:
    config = load_config(REPO)
    context = undrawn_contexts(load_workspace(config), BuildRequest(quarter=Quarter(2026, 3)))[0]
    item = brief(context, "x.pdf")
    h = context.headlines
    assert [c.value for c in item.cards] == [h.money.value, h.hours.value, h.delivered.value, h.measured.value]
    assert [c.trend for c in item.cards] == [t.change.text for t in (h.money, h.hours, h.delivered, h.measured)]
    assert item.cards[0].note == h.money.note == f"{h.cash.value} cash + {h.capacity.value} capacity"
    assert item.realised.note == f"{h.realised_hours} hours, {h.realised.note}"
    assert item.realised.value == h.realised.value
    assert [w.title for w in item.wins] == [v.title for v in context.top_wins]


def test_a_brief_asked_for_as_a_deck_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from storyteller.cli import app

    root = write_workspace(tmp_path, {"2026-Q3/x.yaml": BASE_STORY})
    result = CliRunner().invoke(app, ["build", "--brief", "--format", "pptx", "--workspace", str(root)])
    assert result.exit_code == 2
    assert "the brief is a page, not a deck" in result.stderr
    assert not (root / "output").exists()
