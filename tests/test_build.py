"""`storyteller build` end to end: the PDF's structure (pypdf, Poppler), what is written when."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.report import charts

from .helpers import BASE_STORY, RATED_CONFIG, REPO, build, write_workspace

NAME = "northwind-logistics-2026-Q3"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} (Poppler) is not installed; run `make test`, which installs it")
    return found


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace's latest quarter, built once for this module."""
    out = tmp_path_factory.mktemp("example-build")
    result = build(REPO, "--output", str(out))
    assert result.stdout.splitlines() == [f"wrote {out / '2026-Q3' / NAME}.html", f"wrote {out / '2026-Q3' / NAME}.pdf"]
    return out / "2026-Q3"


def _quarter_stories(quarter: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(app, ["export", "--quarter", quarter, "--workspace", str(REPO)])
    assert result.exit_code == 0
    stories: list[dict[str, object]] = json.loads(result.stdout)["stories"]
    return stories


def _outline(reader: PdfReader) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title))  # type: ignore[attr-defined]

    walk(reader.outline, 1)
    return found


@pytest.mark.slow
def test_pdf_has_a_bookmark_for_every_section_and_story(example: Path) -> None:
    outline = _outline(PdfReader(example / f"{NAME}.pdf"))
    titles = {title for _, title in outline}
    for story in _quarter_stories("2026-Q3"):
        assert (2, story["title"]) in outline, story["title"]
    for section in ("Executive summary", "Automation", "Small wins", "In progress", "Appendix: method and figures"):
        assert (1, section) in outline
    assert "Problem" not in titles and "Top wins" not in titles  # sub-headings stay out of the outline


@pytest.mark.slow
def test_pdf_metadata(example: Path) -> None:
    reader = PdfReader(example / f"{NAME}.pdf")
    meta = reader.metadata
    assert meta is not None
    assert meta["/Author"] == "Northwind Logistics"
    assert meta["/Title"].startswith("Infrastructure Operations Innovation Report")
    assert meta["/Subject"].startswith("Q3 2026")
    assert (
        meta["/Keywords"]
        == "Automation, Proactive problem management, Cross-functional collaboration, Process innovation"
    )
    assert meta["/CreationDate"].startswith("D:20260921141320")  # from SOURCE_DATE_EPOCH
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged (PDF/UA-1)
    assert root["/Lang"] == "en-US"


@pytest.mark.slow
def test_pdf_pages_are_a4_and_numbered(example: Path) -> None:
    reader = PdfReader(example / f"{NAME}.pdf")
    pages = len(reader.pages)
    assert 8 <= pages <= 40
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    info = subprocess.run([_tool("pdfinfo"), str(example / f"{NAME}.pdf")], capture_output=True, text=True, check=True)
    assert re.search(rf"^Pages:\s+{pages}$", info.stdout, re.M)
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(example / f"{NAME}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages_text = text.split("\f")
    assert "Page" not in pages_text[0]  # the cover has no header or footer
    assert f"Page 2 of {pages}" in pages_text[1] and f"Page {pages} of {pages}" in pages_text[pages - 1]
    assert all(page.strip() for page in pages_text[:pages]), "an empty page"


@pytest.mark.slow
def test_pdf_text_has_every_story_and_the_headline(example: Path) -> None:
    text = subprocess.run(
        [_tool("pdftotext"), str(example / f"{NAME}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    for story in _quarter_stories("2026-Q3"):
        assert str(story["title"]) in flat, story["title"]
    totals = json.loads(CliRunner().invoke(app, ["export", "-q", "2026-Q3", "-w", str(REPO)]).stdout)["totals"]
    hours = f"{round(totals['2026-Q3']['yearly_hours_saved']):,}"
    assert f"save {hours} hours of work a year" in flat and "Hours saved a year" in flat
    assert "Yearly hours saved" in flat and "FTE equivalent" in flat  # the appendix' method


@pytest.mark.slow
def test_pdf_embeds_only_the_packaged_fonts(example: Path) -> None:
    out = subprocess.run([_tool("pdffonts"), str(example / f"{NAME}.pdf")], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, *_rest = row.split()
        assert "+Inter" in name, row
        assert " yes yes yes " in row, row  # embedded, subset, with a Unicode map


@pytest.mark.slow
def test_html_is_self_contained(example: Path) -> None:
    html = (example / f"{NAME}.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en-US">' in html
    assert "Content-Security-Policy" in html
    assert not re.search(r"""(src|href)=["'](?!data:|#|https?://|mailto:)""", html)
    assert not re.search(r"""src=["']https?:""", html) and "@import" not in html
    assert "<script" not in html
    for story in _quarter_stories("2026-Q3"):
        assert f'id="story-{story["id"]}"' in html


def _workspace(root: Path, config: str = RATED_CONFIG) -> Path:
    return write_workspace(root, {"2026-Q3/good.yaml": BASE_STORY}, config)


def test_an_invalid_story_writes_nothing_and_keeps_the_old_report(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    old = ws / "output" / "2026-Q3" / "test-org-2026-Q3.html"
    old.parent.mkdir(parents=True)
    old.write_text("the previous good report")
    (ws / "stories" / "2026-Q3" / "bad.yaml").write_text(BASE_STORY.replace("before: 50", 'before: "50"'))
    result = CliRunner().invoke(app, ["build", "-w", str(ws)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "stories/2026-Q3/bad.yaml:14:13: metrics[0].before: is a quoted number; remove the quotes: 50"
    )
    assert old.read_text() == "the previous good report"
    assert sorted(p.name for p in old.parent.iterdir()) == ["test-org-2026-Q3.html"]


@pytest.mark.slow
def test_all_builds_every_quarter_and_year_and_reuses_the_chart_cache(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws = _workspace(tmp_path / "ws")
    (ws / "stories" / "2025-Q4").mkdir()
    (ws / "stories" / "2025-Q4" / "older.yaml").write_text(BASE_STORY.replace("2026-Q3", "2025-Q4"))
    result = CliRunner().invoke(app, ["build", "--all", "--format", "html", "-w", str(ws)])
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(ws / "output").as_posix() for p in (ws / "output").rglob("*.html"))
    assert written == [
        "2025-Q4/test-org-2025-Q4.html",
        "2025/test-org-2025.html",
        "2026-Q3/test-org-2026-Q3.html",
        "2026/test-org-2026.html",
    ]
    assert "Annual review 2026" in (ws / "output" / "2026" / "test-org-2026.html").read_text()
    cached = list((ws / "output" / ".cache" / "charts").glob("*.svg"))
    assert cached

    def no_conversion() -> None:
        raise AssertionError("a cached chart was converted again")

    monkeypatch.setattr(charts, "_converter", no_conversion)
    again = CliRunner().invoke(app, ["build", "--all", "--format", "html", "-w", str(ws)])
    assert again.exit_code == 0, again.output


@pytest.mark.slow
def test_letter_paper_and_default_name(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", "paper: Letter\nhourly_rate: 95\n")
    result = CliRunner().invoke(app, ["build", "--format", "pdf", "-w", str(ws)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(ws / "output" / "2026-Q3" / "report-2026-Q3.pdf")
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages} == {(612, 792)}


def test_build_usage_errors(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    runner = CliRunner()
    assert runner.invoke(app, ["build", "--format", "docx", "-w", str(ws)]).exit_code == 2
    assert runner.invoke(app, ["build", "--all", "--year", "2026", "-w", str(ws)]).exit_code == 2
    assert not (ws / "output").exists()


def test_the_pdf_fetcher_reads_only_allowed_folders(tmp_path: Path) -> None:
    from storyteller.pdf.whole import write_pdf

    inside = tmp_path / "ws"
    inside.mkdir()
    secret = tmp_path / "secret.png"
    shutil.copy(REPO / "stories" / "2026-Q3" / "images" / "zoning-dashboard.png", secret)
    shutil.copy(secret, inside / "ok.png")
    html = (
        '<html lang="en"><head><title>t</title></head><body><p>x</p>'
        f'<img src="{(inside / "ok.png").as_uri()}" alt="ok">'
        f'<img src="{secret.as_uri()}" alt="outside"><img src="file:///etc/passwd" alt="passwd">'
        '<img src="http://169.254.169.254/latest/meta-data/" alt="metadata">'
        '<img src="storyteller-workspace:ok.png" alt="ok, relative to the workspace">'
        '<img src="storyteller-workspace:../secret.png" alt="outside">'
        '<img src="storyteller-workspace:/etc/passwd" alt="absolute"></body></html>'
    )
    data, refused = write_pdf(html, [inside], inside)
    assert data.startswith(b"%PDF")
    assert refused == [
        secret.as_uri(),
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "storyteller-workspace:../secret.png",
        "storyteller-workspace:/etc/passwd",
    ]
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 2  # ok.png, by either URL


@pytest.mark.slow
def test_weasyprint_has_nothing_to_complain_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Every rule of the stylesheet is one WeasyPrint understands, and no resource fails."""
    ws = _workspace(tmp_path / "ws")
    with caplog.at_level("WARNING", logger="weasyprint"):
        result = CliRunner().invoke(app, ["build", "--format", "pdf", "-w", str(ws)])
    assert result.exit_code == 0, result.output
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_mistakes_around_build_are_messages_not_crashes(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws")
    runner = CliRunner()
    empty = runner.invoke(app, ["build", "--quarter", "2030-Q1", "-w", str(ws)])
    assert (empty.exit_code, empty.stderr) == (
        1,
        "storyteller: no story is in 2030-Q1; quarters with stories: 2026-Q3\n",
    )
    year = runner.invoke(app, ["build", "--year", "0", "-w", str(ws)])
    assert year.exit_code == 2 and "is not a fiscal year" in year.stderr
    (tmp_path / "a-file").write_text("x")
    blocked = runner.invoke(app, ["build", "--format", "html", "--output", str(tmp_path / "a-file"), "-w", str(ws)])
    assert blocked.exit_code == 1 and blocked.stderr.startswith("storyteller: cannot write ")
    (ws / "templates").mkdir()
    (ws / "templates" / "report.html").write_text(
        '{% extends "default:report.html" %}{% block footer %}\n{{ 1 / 0 }}{% endblock %}'
    )
    broken = runner.invoke(app, ["build", "--format", "html", "-w", str(ws)])
    assert broken.exit_code == 1
    assert broken.stderr == (
        "storyteller: report template error (templates/report.html:2): ZeroDivisionError: division by zero\n"
    )
    assert not (ws / "output" / "2026-Q3").exists()
    (ws / "stories" / "2026-Q3" / "good.yaml").unlink()
    nothing = runner.invoke(app, ["build", "--all", "-w", str(ws)])
    assert nothing.exit_code == 1 and "no stories yet" in nothing.stderr


@pytest.mark.slow
def test_the_executive_summary_is_two_pages_figures_then_charts(example: Path) -> None:
    """The figures (cards, cash and capacity, realised, top wins, beyond hours) fill the first
    page of the summary and its charts the second; the first category starts the page after.
    The one-page view is the brief (`build --brief`, tests/test_brief.py)."""
    text = subprocess.run(
        [_tool("pdftotext"), str(example / f"{NAME}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    summary = next(i for i, page in enumerate(pages) if "Executive summary\nIn Q3 2026" in page)
    for part in ("Improvements delivered", "REALISED SO FAR", "Top wins".upper(), "BEYOND HOURS"):
        assert part in pages[summary], part
    for part in ("Yearly money saved by category", "stories per quarter"):
        assert part in pages[summary + 1], part
    assert "Automation" in pages[summary + 2].split("\n", 3)[-1][:200]  # the first category starts the next page
