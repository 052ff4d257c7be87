"""What a reader sees is what the author wrote (issue 17): titles that look the same are
duplicates, long words stay inside their line and column, emoji are refused before they
become empty boxes, `new` writes no story `validate` refuses, and no story folder is left
out without a word.

The layout tests build real PDFs with WeasyPrint and read the words' boxes back with
`pdftotext -bbox`; the pages are rendered with `pdftoppm` to look for ink in the margin.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.format.titles import title_key

from .helpers import BASE, invoke, problems, vary, write_workspace

TITLE = "title: Automated SAN switch zoning"
TODAY = {"SOURCE_DATE_EPOCH": "1790000000"}  # 2026-09-21, inside 2026-Q3


@pytest.mark.parametrize(
    "twin",
    [
        unicodedata.normalize("NFD", "Automated SAN switch zoning"),  # nothing to decompose: same text
        "Automated SAN swi\u200btch zoning",  # zero-width space
        "Automated SAN swit\u00adch zoning",  # soft hyphen
        "Autom\u0430ted SAN switch zoning",  # Cyrillic а
        "Automated \u0405AN switch zoning",  # Cyrillic Ѕ
        "Aut\u03bfmated SAN switch z\u03bfning",  # Greek ο
        "\uff21utomated SAN switch zoning",  # full-width A
        "Automated\u00a0SAN switch\u2003zoning",  # no-break and em spaces
        "Automated SAN switch zoning\u2060",  # word joiner
        "Automated SAN switch zoning\ufe0f",  # variation selector
    ],
)
def test_duplicate_title_sees_through_what_a_reader_cannot_see(tmp_path: Path, twin: str) -> None:
    root = write_workspace(tmp_path, {"2026-Q3/a.yaml": BASE, "2026-Q3/b.yaml": vary(TITLE, f"title: {twin}")})
    result = invoke(root)
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "has the same title" in line]
    assert [line.split(":")[0] for line in warned] == ["stories/2026-Q3/a.yaml", "stories/2026-Q3/b.yaml"]


def test_accented_letters_are_composed_but_not_removed() -> None:
    decomposed = unicodedata.normalize("NFD", "Café zoning")
    assert title_key(decomposed) == title_key("Café zoning") == title_key("CAFÉ  ZONING")
    assert title_key("Cafe zoning") != title_key("Café zoning")  # a different word, not a look-alike
    assert title_key("Зонирование") != title_key("Zonirovanie")  # Cyrillic words stay Cyrillic words


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("one\ntwo", "title: contains a line break; keep it on one line"),
        ("Safe \u202eexe.txt", "title: contains the bidirectional control U+202E; remove it"),
        ("red \x1b[31m title", "title: contains the control character U+001B; remove it"),
        ("x" * 5000, "title: is 5000 characters long; the limit is 120, shorten it"),
        ("Launch \U0001f680", "title: contains the emoji U+1F680, which the PDF cannot draw; write a word instead"),
    ],
)
def test_new_refuses_a_title_validate_would_refuse_with_its_message(tmp_path: Path, title: str, message: str) -> None:
    root = write_workspace(tmp_path, {})
    result = CliRunner().invoke(app, ["new", title, "--quarter", "2026-Q3", "-w", str(root)])
    assert (result.exit_code, result.stderr) == (
        2,
        f"storyteller: {message}\n",
    )  # a usage error, as a bad --category is
    assert list((root / "stories").rglob("*.yaml")) == []
    # validate says the same of a story holding that title
    written = write_workspace(tmp_path / "same", {"2026-Q3/x.yaml": vary(TITLE, f"title: {title!r}".replace("'", '"'))})
    if "\n" not in title and "\x1b" not in title:  # those are escaped in YAML: the message names the node
        found = problems(written)
        assert any(line.endswith(message) for line in found), found


def test_new_refuses_a_team_validate_would_refuse(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, {})
    result = CliRunner().invoke(app, ["new", "Fine title", "--team", "Ops \u2066x", "-w", str(root)])
    assert (result.exit_code, result.stderr) == (
        2,
        "storyteller: team: contains the bidirectional control U+2066; remove it\n",
    )


def test_an_unreadable_story_folder_is_a_problem_not_a_missing_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`validate` said "1 story valid" and the report lacked the folder's stories. As root a
    chmod 000 folder is still readable, so there the refusal is the operating system's, injected."""
    root = write_workspace(tmp_path, {"2026-Q3/x.yaml": BASE, "2026-Q4/locked/y.yaml": BASE.replace("Q3", "Q4")})
    locked = root / "stories" / "2026-Q4" / "locked"
    if os.geteuid() != 0:
        locked.chmod(0)
        monkeypatch.setattr(locked, "chmod", locked.chmod)  # restored below, so tmp_path can be removed
    else:
        real_scandir = os.scandir

        def scandir(path: str | os.PathLike[str] = ".") -> object:
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        assert problems(root) == [
            "stories/2026-Q4/locked:1:1: this folder cannot be read (Permission denied), so its stories are left "
            "out; give storyteller permission to read it"
        ]
    finally:
        locked.chmod(0o755)


def test_an_upper_case_extension_is_a_story(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, {"2026-Q3/UP.YAML": BASE, "2026-Q3/other.Yml": vary(TITLE, "title: Other")})
    result = invoke(root)
    assert (result.exit_code, result.stdout) == (0, "2 stories valid\n")


# ---------------------------------------------------------------------------------------
# Layout: long words and long names in the PDF

LONG_NAME = "M" * 100
LONG_WORD = "w" * 400


def _long_story() -> str:
    text = vary("  - name: Processing time per zoning request", f"  - name: {LONG_NAME}")
    text = vary(
        "  Every zoning request meant typing by hand.", f"  Every zoning request meant {LONG_WORD} typing.", text
    )
    return vary(TITLE, "title: " + "T" * 120, text)


def _words(pdf: Path, tmp_path: Path) -> list[tuple[int, float, float, str]]:
    """(page, xMin, xMax, word) of every word pdftotext finds."""
    out = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(out)], check=True)
    words, page = [], 0
    for line in out.read_text(encoding="utf-8").splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*)</word>', line)
        if found:
            words.append((page, float(found[1]), float(found[2]), html.unescape(found[3])))
    return words


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")
    root = write_workspace(tmp_path_factory.mktemp("long"), {"2026-Q3/x.yaml": _long_story()})
    result = CliRunner().invoke(app, ["build", "-f", "pdf", "-w", str(root)], env=TODAY)
    assert result.exit_code == 0, result.output
    return next((root / "output").rglob("*.pdf"))


def test_a_100_character_metric_name_stays_left_of_the_before_column(long_pdf: Path, tmp_path: Path) -> None:
    words = _words(long_pdf, tmp_path)
    before = [(page, x0) for page, x0, _, word in words if word == "Before"]
    assert before, "no Before column"
    page, column = before[0]
    pieces = [(x0, x1) for p, x0, x1, word in words if p == page and re.fullmatch("M+", word)]
    assert sum(len(w) for p, _, _, w in words if p == page and re.fullmatch("M+", w)) >= 100
    assert pieces and max(x1 for _, x1 in pieces) < column, (pieces, column)


def test_long_words_wrap_inside_the_right_margin(long_pdf: Path, tmp_path: Path) -> None:
    """A4 is 595 pt wide with an 18 mm (51 pt) right margin: no word ends to the right of it,
    and the rendered pages carry no ink there."""
    from PIL import Image

    words = _words(long_pdf, tmp_path)
    assert sum(len(w) for _, _, _, w in words if re.fullmatch("w{5,}", w)) >= 400
    widest = max(words, key=lambda w: w[2])
    assert widest[2] <= 595 - 51 + 1, widest
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(long_pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    for png in pages[1:]:  # the cover is a full-bleed colour band
        with Image.open(png) as image:
            grey = image.convert("L")
            width, height = grey.size
            margin = grey.crop((int(width * (595 - 45) / 595), 0, width, height))
            assert margin.getextrema()[0] > 200, f"ink in the right margin of {png.name}"
