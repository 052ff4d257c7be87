"""The deck (`build --format pptx`): each deck is opened again with python-pptx and checked:
its slides, its native charts and the values in their workbooks, its notes, that no shape
lies beyond the slide and no text is more than its box holds, corporate templates and their
mistakes, and byte-identical rebuilds."""

from __future__ import annotations

import io
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pptx import Presentation
from pptx.util import Emu

from storyteller.build import BuildRequest, undrawn_contexts
from storyteller.deck.fit import ELLIPSIS, LINE, fit, wrap
from storyteller.deck.page import EMU_PER_PT
from storyteller.deck.slides import METRICS_SHOWN
from storyteller.figures.periods import Quarter
from storyteller.format.config import load_config
from storyteller.format.load import load_workspace

from .helpers import EPOCH, build, copy_example, invoke, write_workspace

NAME = "northwind-logistics-2026-Q3"
LONG_TITLE = (  # with one hex digit after it, a title of 120 characters: the most a story's title may have
    "Self-service decommissioning of virtual machines, their DNS records, backups and CMDB entries across all four old sites"
)
assert len(LONG_TITLE) == 119


def _deck(root: Path, name: str = NAME, period: str = "2026-Q3") -> Any:
    return Presentation(str(root / "output" / period / f"{name}.pptx"))


def _context(root: Path, quarter: str = "2026-Q3") -> Any:
    workspace = load_workspace(load_config(root))
    year, number = quarter.split("-Q")
    return undrawn_contexts(workspace, BuildRequest(quarter=Quarter(int(year), int(number))))[0]


def _titles(deck: Any) -> list[str]:
    return [s.shapes.title.text_frame.text if s.shapes.title is not None else "" for s in deck.slides]


def _notes(slide: Any) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def _shapes(slide: Any) -> Iterator[Any]:
    yield from slide.shapes


def _height(shape: Any) -> int:
    """A shape's height; a table's is the sum of its rows' (what it is drawn at)."""
    if shape.has_table:
        return sum(int(row.height) for row in shape.table.rows)
    return int(shape.height)


def assert_nothing_overflows(deck: Any, corporate: bool = False) -> None:
    """Every shape lies on the slide, and every text box holds its text in the lines it has
    (the titles too, in the built-in design, which sets their size)."""
    width, height = int(deck.slide_width), int(deck.slide_height)
    for number, slide in enumerate(deck.slides, 1):
        for shape in _shapes(slide):
            box = (int(shape.left), int(shape.top), int(shape.width), _height(shape))
            where = f"slide {number}, {shape.name} at {box}"
            assert box[0] >= 0 and box[1] >= 0, where
            assert box[0] + box[2] <= width and box[1] + box[3] <= height, where
            if shape.has_text_frame and shape.text_frame.text and (not shape.is_placeholder or corporate is False):
                _assert_text_fits(shape, where)


def _assert_text_fits(shape: Any, where: str) -> None:
    run = shape.text_frame.paragraphs[0].runs[0]
    size = run.font.size.pt
    if shape.is_placeholder:  # a title: wrapped at the width the deck measured it against
        assert shape.text_frame.margin_left == 0 and shape.text_frame.margin_right == 0, where
    lines = wrap(shape.text_frame.text, shape.width / EMU_PER_PT, size, bool(run.font.bold))
    assert len(lines) * size * LINE <= shape.height / EMU_PER_PT + 0.5, f"{where}: {lines}"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("deck") / "ws")
    build(root, "--format", "pptx")
    return root


def test_only_the_deck_is_written_and_it_has_every_slide(example: Path) -> None:
    assert sorted(p.name for p in (example / "output" / "2026-Q3").iterdir()) == [f"{NAME}.pptx"]
    deck = _deck(example)
    context = _context(example)
    titles = _titles(deck)
    assert titles[0] == "Infrastructure Operations Innovation Report"
    assert titles[1] == "Summary: Q3 2026"
    assert titles[2] == "Where the value comes from"
    assert titles[3 : 3 + len(context.top_wins)] == [v.title for v in context.top_wins]
    sections = [c.label for c in context.categories.sections]
    assert [t for t in titles if t in sections] == sections
    assert "Small wins" in titles and "In progress" in titles and "Appendix" in titles
    assert titles[-1] == "Figures per story"
    assert len(deck.slides) == 3 + len(context.top_wins) + len(sections) + 2 + 2
    assert deck.slide_width == Emu(12_192_000) and deck.slide_height == Emu(6_858_000)
    assert_nothing_overflows(deck)


def test_the_summary_shows_every_tile_of_the_report(example: Path) -> None:
    summary = _deck(example).slides[1]
    texts = [s.text_frame.text for s in summary.shapes if s.has_text_frame]
    for tile in _context(example).headlines.tiles:
        assert tile.value in texts and tile.label in texts
        assert f"{tile.label}: {tile.value}" in _notes(summary)


def test_charts_are_native_with_the_reports_figures(example: Path) -> None:
    deck, context = _deck(example), _context(example)
    overview = deck.slides[2]
    charts = [s.chart for s in overview.shapes if s.has_chart]
    assert len(charts) == 2
    by_category, by_quarter = charts
    rows = context.categories.chart.params[0]
    measured = by_category.plots[0].series[0]
    assert list(by_category.plots[0].categories) == [label for label, *_ in rows]
    assert list(measured.values) == [round(m) for _, m, *_ in rows]
    assert list(by_quarter.plots[0].categories) == [q.quarter for q in context.trend.quarters]
    assert list(by_quarter.plots[0].series[0].values) == [round(q.hours_value) for q in context.trend.quarters]
    brand = context.palette.primary.lstrip("#").upper()
    assert str(measured.format.fill.fore_color.rgb) == brand
    # the data is editable: each chart carries its workbook
    for chart in charts:
        workbook = chart.part.chart_workbook.xlsx_part
        assert workbook is not None and zipfile.is_zipfile(io.BytesIO(workbook.blob))


def test_each_top_win_has_its_before_and_after_and_its_story_in_the_notes(example: Path) -> None:
    deck, context = _deck(example), _context(example)
    for index, view in enumerate(context.top_wins):
        slide = deck.slides[3 + index]
        (chart,) = [s.chart for s in slide.shapes if s.has_chart]
        before, after = chart.plots[0].series
        rows = view.chart.params[0][:METRICS_SHOWN]
        shown = len(list(chart.plots[0].categories))
        for (_, b, a, b_label, a_label, _), b_value, a_value, i in zip(
            rows, before.values, after.values, range(shown), strict=False
        ):
            top = max(abs(b), abs(a)) or 1.0
            assert b_value == pytest.approx(abs(b) / top * 100, abs=0.05)
            assert a_value == pytest.approx(abs(a) / top * 100, abs=0.05)
            assert before.points[i].data_label.text_frame.text == b_label
            assert after.points[i].data_label.text_frame.text == a_label
        notes = _notes(slide)
        assert notes.startswith("Problem: ") and "\n\nOutcome: " in notes
        assert "<" not in notes  # plain text, not the report's HTML
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert view.hours in texts and f"\u201c{view.quote_text}\u201d" in texts


def _stress_story(n: int, metrics: int = 12, title: str = LONG_TITLE) -> str:
    rows = "".join(
        f"""
          - name: Hands-on minutes for step {i} of the long and careful decommissioning runbook, per virtual machine
            unit: minutes
            before: {60 + i * 7}
            after: {5 + i}
            frequency: {20 + i} per month"""
        for i in range(metrics)
    )
    return textwrap.dedent(
        f"""\
        title: "{title}{n:x}"
        summary: {"A summary that goes on and on about what changed for the teams involved. " * 4}
        quarter: 2026-Q3
        team: Compute Operations and the Extended Platform Reliability Engineering Team {n}
        category: automation
        effort_hours: 300
        problem: |
          Every decommission meant eleven manual steps.
        solution: |
          - A reviewed script
          - A checklist
        outcome: |
          It takes minutes.
        quote:
          text: {"We stopped dreading Friday afternoons, and the weekend on-call rota got quieter every month. " * 3}
          by: Storage on-call engineer with a very long job title
        metrics:"""
    ) + textwrap.indent(textwrap.dedent(rows), "  ")


@pytest.fixture(scope="module")
def stressed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stories with 120-character titles and 12 metrics, enough to split every table."""
    stories = {f"2026-Q3/s{n}.yaml": _stress_story(n) for n in range(14)}
    stories["2026-Q3/small.yaml"] = _stress_story(15, metrics=1).replace("before: 60", "before: 6.1")
    root = write_workspace(
        tmp_path_factory.mktemp("stress") / "ws", stories, "organization: Test Org\nhourly_rate: 95\n"
    )
    build(root, "--format", "pptx")
    return root


def test_long_titles_and_twelve_metrics_never_overflow(stressed: Path) -> None:
    deck = _deck(stressed, "test-org-2026-Q3")
    assert_nothing_overflows(deck)
    titles = _titles(deck)
    assert titles[2] == "Where the value comes from"  # by category only: one quarter has no trend
    top_win = deck.slides[3]
    notes = _notes(top_win)
    shown = top_win.shapes.title.text_frame.text  # two lines of 28 points hold about 120 characters
    assert shown == f"{LONG_TITLE}0" or (shown.endswith(ELLIPSIS) and f"{LONG_TITLE}0" in notes)
    strip = [s.text_frame.text for s in deck.slides[1].shapes if s.has_text_frame]  # the summary's top wins
    assert any(t.endswith(ELLIPSIS) and t.startswith("Self-service") for t in strip)
    texts = [s.text_frame.text for s in top_win.shapes if s.has_text_frame]
    team = "Compute Operations and the Extended Platform Reliability Engineering Team"
    eyebrow = next(t for t in texts if t.startswith("Top win 1 of 3"))
    assert eyebrow.endswith(ELLIPSIS) and team in notes.split("Shortened on the slide, in full:")[1]
    quote = next(t for t in texts if t.startswith("\u201cWe stopped"))
    assert quote.endswith(ELLIPSIS) and "the weekend on-call rota got quieter every month.\u201d" in notes
    (table,) = [s.table for s in top_win.shapes if s.has_table]
    assert 2 <= len(table.rows) <= METRICS_SHOWN + 1
    every = notes.split("Every metric:\n")[1].split("\n\n")[0].splitlines()
    assert len(every) == 12 and every[11].startswith("- Hands-on minutes for step 11 of the long")  # every metric
    assert any(t.startswith("Automation (") for t in titles)  # the category's table is split
    assert titles.count("Figures per story") == 0 and any(t.startswith("Figures per story (") for t in titles)


def test_cut_table_cells_are_whole_in_the_notes(stressed: Path) -> None:
    deck = _deck(stressed, "test-org-2026-Q3")
    category = next(s for s in deck.slides if s.shapes.title.text_frame.text.startswith("Automation (1 of"))
    (table,) = [s.table for s in category.shapes if s.has_table]
    story = table.cell(1, 1).text_frame.text
    assert story.endswith(ELLIPSIS)
    assert "Shortened on the slide, in full:" in _notes(category)
    assert LONG_TITLE in _notes(category)


def test_fit_cuts_at_a_word_with_an_ellipsis() -> None:
    whole = fit("Scripted VM decommissioning", 400, 12, 1)
    assert (whole.text, whole.lines, whole.cut) == ("Scripted VM decommissioning", 1, False)
    cut = fit(LONG_TITLE, 200, 12, 2)
    assert cut.cut and cut.text.endswith(ELLIPSIS) and cut.lines == 2
    words = cut.text.removesuffix(ELLIPSIS).split()
    assert LONG_TITLE.split()[: len(words)] == words  # whole words only
    assert len(wrap(cut.text, 200, 12)) == 2
    one_word = fit("x" * 200, 50, 12, 1)
    assert one_word.cut and len(wrap(one_word.text, 50, 12)) == 1


def test_same_inputs_and_epoch_give_the_same_bytes(example: Path, tmp_path: Path) -> None:
    first = (example / "output" / "2026-Q3" / f"{NAME}.pptx").read_bytes()
    again = copy_example(tmp_path / "again")
    build(again, "--format", "pptx")
    assert (again / "output" / "2026-Q3" / f"{NAME}.pptx").read_bytes() == first
    build(again, "--format", "pptx", epoch=str(int(EPOCH) + 86_400))
    later = (again / "output" / "2026-Q3" / f"{NAME}.pptx").read_bytes()
    assert later != first
    deck = Presentation(io.BytesIO(later))
    assert deck.core_properties.created.isoformat() == "2026-09-22T14:13:20"
    assert deck.core_properties.author == "Northwind Logistics"
    with zipfile.ZipFile(io.BytesIO(later)) as package:
        assert {i.date_time for i in package.infolist()} == {(2026, 9, 22, 14, 13, 20)}


def _corporate(path: Path, potx: bool = False) -> None:
    """A "corporate" template: python-pptx's own with renamed layouts and an example slide."""
    template = Presentation()
    names = {"Title Slide": "Cover", "Section Header": "Divider", "Title and Content": "Body", "Two Content": "Split"}
    for layout in template.slide_layouts:
        layout.name = names.get(layout.name, layout.name)
    template.slides.add_slide(template.slide_layouts[0]).shapes.title.text = "Example slide of the template"
    raw = io.BytesIO()
    template.save(raw)
    data = raw.getvalue()
    if potx:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                body = source.read(info)
                if info.filename == "[Content_Types].xml":
                    body = body.replace(b"presentation.main+xml", b"template.main+xml")
                target.writestr(info, body)
        data = out.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


MAPPING = """\
deck_layouts:
  title: Cover
  section: Divider
  content: Body
  two-content: Split
"""


@pytest.mark.parametrize("suffix", ["pptx", "potx"])
def test_a_corporate_template_gives_its_layouts(tmp_path: Path, suffix: str) -> None:
    root = copy_example(tmp_path / "ws")
    _corporate(root / "brand" / f"corporate.{suffix}", potx=suffix == "potx")
    with open(root / "storyteller.yaml", "a", encoding="utf-8") as config:
        config.write(f"deck_template: brand/corporate.{suffix}\n{MAPPING}")
    build(root, "--format", "pptx")
    deck = _deck(root)
    layouts = [s.slide_layout.name for s in deck.slides]
    assert layouts[:4] == ["Cover", "Body", "Split", "Split"]
    assert set(layouts) == {"Cover", "Divider", "Body", "Split"}
    assert "Example slide of the template" not in _titles(deck)
    assert_nothing_overflows(deck, corporate=True)
    for slide in deck.slides:  # no empty "Click to add text" placeholders
        for placeholder in slide.placeholders:
            assert placeholder.has_text_frame and placeholder.text_frame.text, slide.slide_layout.name


def _config_problem(root: Path, config: str) -> str:
    (root / "storyteller.yaml").write_text(config, encoding="utf-8")
    result = invoke(root, "--format", "pptx", command="build")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr


def test_a_layout_the_template_lacks_is_a_config_problem_listing_the_layouts(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ws")
    _corporate(root / "brand" / "corporate.pptx")
    message = _config_problem(root, f"deck_template: brand/corporate.pptx\n{MAPPING.replace('Split', 'Twin')}")
    assert (
        "storyteller.yaml:6:16: deck_layouts.two-content: the template has no layout `Twin` for two-content "
        "slides; its layouts: `Cover`, `Body`, `Divider`, `Split`, `Comparison`, `Title Only`, `Blank`"
    ) in message
    assert "name another with `deck_layouts: {two-content: ...}` in storyteller.yaml" in message
    # without deck_layouts, a template without the built-in names is named by deck_template
    message = _config_problem(root, "deck_template: brand/corporate.pptx\n")
    assert "storyteller.yaml:1:16: deck_template: the template has no layout `Title Slide` for title slides" in message
    message = _config_problem(root, "deck_layouts:\n  cover: Cover\n")
    assert "deck_layouts.cover: `cover` is not a slide role; use title, section, content or two-content" in message


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("brand/t.pptx", b"not a zip at all", "brand/t.pptx is not a PowerPoint file (not a zip archive)"),
        ("brand/t.pptx", b"", "brand/t.pptx is not a PowerPoint file (not a zip archive)"),
        ("brand/t.potx", None, "brand/t.potx is not a PowerPoint presentation or template ("),
        (
            "brand/b.pptx",
            "bomb",
            "brand/b.pptx is not a PowerPoint presentation or template (it unpacks to more than 200 MB)",
        ),
        ("brand/t.key", b"PK\x03\x04", "brand/t.key is not a .pptx or .potx file"),
        ("brand/none.pptx", "missing", "brand/none.pptx does not exist"),
        ("../t.pptx", b"PK\x03\x04", "../t.pptx is outside the workspace"),
    ],
)
def test_a_bad_template_is_a_message(tmp_path: Path, name: str, data: bytes | str | None, expected: str) -> None:
    root = copy_example(tmp_path / "ws")
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if data is None:  # a zip archive that is no presentation
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hello")
    elif data == "bomb":  # 1 KB that unpacks to 256 MB
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("ppt/p.xml", "w") as entry:
            for _ in range(256):
                entry.write(bytes(2**20))
    elif isinstance(data, bytes):
        path.write_bytes(data)
    message = _config_problem(root, f"deck_template: {name}\n")
    assert f"storyteller.yaml:1:16: deck_template: {expected}" in message


def test_format_option_takes_pptx_with_the_others(tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws")
    result = build(root, "--format", "html,pptx")
    assert sorted(p.suffix for p in (root / "output" / "2026-Q3").iterdir()) == [".html", ".pptx"]
    assert "test-org-2026-Q3.pptx" in result.output
    bad = invoke(root, "--format", "ppt", command="build")
    assert bad.exit_code == 2 and "use html, pdf, pptx, or several joined by commas" in bad.output
