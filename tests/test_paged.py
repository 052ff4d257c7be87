"""A large report's PDF laid out in parts and joined (pdf/parts.py, pdf/join.py), checked with pypdf,
pikepdf and Poppler against the same report laid out whole.

The workspace is the benchmark's (bench/workspace.py): 44 stories, enough to be laid out in
parts. Cut only where every PDF begins a page, the parts make the same PDF as one document:
the same text on every page, outline, link destinations, links and structure tree. Cut into
small slices (a few stories, briefs, rows and sheets each), every page number, running head,
contents entry, bookmark, link and tag must still be right.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import psutil
import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.pdf import parts as paged
from storyteller.pdf import whole as pdf
from storyteller.report.charts import Chart, Palette, before_after_chart

from .helpers import EPOCH, REPO, until

sys.path.insert(0, str(REPO / "bench"))

from workspace import generate  # bench/ is a folder of scripts, not a package

STORIES = 44
NAME = "benchmark-logistics-2026.pdf"

pytestmark = pytest.mark.slow  # the module builds a 44-story PDF three ways
SMALL_SLICES = {"STORIES_PER_PART": 4, "BRIEFS_PER_PART": 3, "ROWS_PER_PART": 10, "SHEETS_PER_PART": 7}


@dataclass
class Builds:
    workspace: Path
    whole: Path  # laid out as one document
    parts: Path  # in parts, cut where every PDF begins a page
    cut: Path  # in small slices: cut between stories, briefs, rows and sheets too


def _build(workspace: Path, out: Path, **constants: int) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in constants.items():
            patch.setattr(paged, name, value)
        result = CliRunner().invoke(
            app,
            ["build", "--year", "2026", "--format", "pdf", "--time-limit", "0", "-w", str(workspace), "-o", str(out)],
            env={"SOURCE_DATE_EPOCH": EPOCH},
        )
    assert result.exit_code == 0, result.output
    return out / "2026" / NAME


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    base = tmp_path_factory.mktemp("paged")
    workspace = generate(base / "ws", STORIES)
    whole = _build(workspace, base / "whole", PARTS_FROM=10**6)
    parts = _build(workspace, base / "parts")
    cut = _build(workspace, base / "cut", **SMALL_SLICES)
    return Builds(workspace, whole, parts, cut)


def _text(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class Facts:
    """What a PDF holds besides its text, in comparable form."""

    def __init__(self, path: Path) -> None:
        reader = PdfReader(path)
        self.reader = reader
        self.root = reader.trailer["/Root"]
        numbers = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
        self.page_of = lambda ref: numbers[ref.idnum]
        self.pages = len(reader.pages)
        self.outline = self._outline()
        names = self.root["/Names"]["/Dests"]["/Names"]
        self.dests = {
            str(names[i]): (
                self.page_of(names[i + 1][0]),
                round(float(names[i + 1][2]), 2),
                round(float(names[i + 1][3]), 2),
            )
            for i in range(0, len(names), 2)
        }
        self.links = [
            (
                i,
                tuple(round(float(v), 1) for v in a["/Rect"]),
                str(a.get("/Dest") or a["/A"]["/URI"]),
                str(a.get("/Contents")),
            )
            for i, page in enumerate(reader.pages)
            for a in (x.get_object() for x in page.get("/Annots", []) or [])
        ]
        self.structure = self._structure()

    def _outline(self) -> list[tuple[int, str, int, float]]:
        found: list[tuple[int, str, int, float]] = []

        def walk(items: list[Any], depth: int) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item, depth + 1)
                else:
                    page = self.reader.get_destination_page_number(item)
                    found.append((depth, str(item.title), page, round(float(item.top), 2)))

        walk(self.reader.outline, 1)
        return found

    def _structure(self) -> list[tuple[int, str, int | None]]:
        """The structure tree depth first: (depth, type, page) of each element, MCID and OBJR."""
        found: list[tuple[int, str, int | None]] = []

        def walk(element: Any, depth: int) -> None:
            element = element.get_object()
            page = element.get("/Pg")
            found.append((depth, str(element["/S"]), self.page_of(page) if page is not None else None))
            kids = element.get("/K")
            for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
                target = kid.get_object() if isinstance(kid, IndirectObject) else kid
                if isinstance(target, dict) and "/S" in target:
                    walk(kid, depth + 1)
                elif isinstance(target, dict):
                    found.append((depth + 1, str(target.get("/Type", "/MCR")), None))
                else:
                    found.append((depth + 1, "MCID", int(target)))

        tree = self.root["/StructTreeRoot"]["/K"]
        for element in tree if isinstance(tree, list) else [tree]:
            walk(element, 0)
        return found


def test_cut_where_a_page_begins_the_parts_make_the_same_pdf(builds: Builds) -> None:
    assert _text(builds.parts) == _text(builds.whole)
    parts, whole = Facts(builds.parts), Facts(builds.whole)
    assert parts.pages == whole.pages
    assert parts.outline == whole.outline and len(parts.outline) == STORIES + 8  # and 8 sections
    assert parts.dests == whole.dests
    assert parts.links == whole.links
    assert parts.structure == whole.structure
    assert {k: v for k, v in PdfReader(builds.parts).metadata.items()} == {
        k: v for k, v in PdfReader(builds.whole).metadata.items()
    }
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
        assert parts.root[key] == whole.root[key]
    xmp = parts.root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp and xmp == whole.root["/Metadata"].get_object().get_data()


def test_the_parts_are_reproducible(builds: Builds, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(builds.workspace, elsewhere, ignore=shutil.ignore_patterns("output"))
    again = _build(elsewhere, tmp_path / "out")
    assert again.read_bytes() == builds.parts.read_bytes()


def test_cut_anywhere_every_page_number_and_running_head_is_right(builds: Builds) -> None:
    pages = _text(builds.cut)
    assert len(pages) == Facts(builds.cut).pages > len(_text(builds.whole))  # each slice begins a page
    assert "Page" not in pages[0]  # the cover
    for number, text in enumerate(pages[1:], start=2):
        lines = [line for line in text.splitlines() if line.strip()]
        assert re.search(rf"\bPage {number} of {len(pages)}$", lines[-1]), (number, lines[-1])
        assert lines[0].startswith("Infrastructure Operations Innovation Report") and lines[0].endswith(
            "Annual review 2026"
        )


def test_cut_anywhere_the_outline_and_the_contents_point_at_the_right_pages(builds: Builds) -> None:
    facts, pages = Facts(builds.cut), _text(builds.cut)
    whole = Facts(builds.whole)
    assert [(d, t) for d, t, _p, _y in facts.outline] == [(d, t) for d, t, _p, _y in whole.outline]
    for _depth, title, page, _top in facts.outline:
        assert title in _flat(pages[page]), (title, page)
    contents = {m[1].strip(): int(m[2]) for m in re.finditer(r"^\s*(.+?) \.{3,} (\d+)$", pages[1], re.M)}
    top_level = {title: page + 1 for depth, title, page, _top in facts.outline if depth == 1}
    assert contents == {
        **top_level,
        "Executive summary": 3,
        "Appendix: method and figures": contents["Appendix: method and figures"],
    }
    assert "Appendix: method and figures HOW THE FIGURES ARE COMPUTED" in _flat(
        pages[contents["Appendix: method and figures"] - 1]
    )


def test_cut_anywhere_every_link_reaches_its_target(builds: Builds) -> None:
    facts, pages = Facts(builds.cut), _text(builds.cut)
    internal = [(page, target) for page, _rect, target, _contents in facts.links if not target.startswith("http")]
    assert len(internal) >= 8 + 3 + STORIES  # the contents, the top wins and every row of the appendix
    for _page, target in internal:
        assert target in facts.dests, target
    assert not [link for link in facts.links if "storyteller-anchor" in link[2] + link[3]]
    titles = {f"story-{path.stem}": None for path in (builds.workspace / "stories").rglob("*.yaml")}
    for anchor in titles:
        page = facts.dests[f"{anchor}-title"][0]
        heading = re.search(
            r"title: (.+)", next((builds.workspace / "stories").rglob(f"{anchor[6:]}.yaml")).read_text()
        )
        assert heading and heading[1] in _flat(pages[page]), anchor


def _marked(content: Any, resources: Any) -> list[int]:
    """The MCIDs of marked content in a page or form, and in the forms it draws (WeasyPrint
    draws text with opacity in a group), but for the sheets drawn over the page."""
    found = []
    for operands, operator in pikepdf.parse_content_stream(content):
        if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
            found.append(int(operands[1].MCID))
        elif str(operator) == "Do" and not str(operands[0]).startswith(("/StPage", "/StHead")):
            form = resources.XObject[operands[0]]
            if form.Subtype == "/Form":
                found += _marked(form, form.get("/Resources", resources))
    return found


def test_cut_anywhere_the_structure_tree_holds_every_tag_once(builds: Builds) -> None:
    """Every marked content on every page is in the structure tree, once, on its page; every
    link annotation is a Link element's; the page numbers and running heads are artifacts."""
    with pikepdf.open(builds.cut) as document:
        tree = document.Root.StructTreeRoot
        parents = dict(zip((int(k) for k in tree.ParentTree.Nums[::2]), tree.ParentTree.Nums[1::2], strict=True))
        assert int(tree.ParentTreeNextKey) == max(parents) + 1
        seen: set[tuple[int, int]] = set()
        for number, page in enumerate(document.pages):
            mapped = parents[int(page.obj.StructParents)]
            marked = _marked(page.obj, page.obj.Resources)
            assert sorted(marked) == list(range(len(mapped))), number
            for mcid in marked:
                element = mapped[mcid]
                assert element.Pg.objgen == page.obj.objgen
                assert (number, mcid) not in seen
                seen.add((number, mcid))
            for annotation in page.obj.get("/Annots", []):
                link = parents[int(annotation.StructParent)]
                assert link.S == "/Link"
                kids = link.K if isinstance(link.K, pikepdf.Array) else [link.K]
                references = [k.Obj.objgen for k in kids if isinstance(k, pikepdf.Dictionary) and "/Obj" in k]
                assert references == [annotation.objgen]
            artifacts = [
                operands
                for operands, operator in pikepdf.parse_content_stream(page)
                if str(operator) == "BDC" and operands[0] == "/Artifact" and operands[1].get("/Type") == "/Pagination"
            ]
            assert len(artifacts) == 1, number  # the running heads and the page number, drawn once
            for name, xobject in page.obj.Resources.XObject.items():
                if name.startswith("/StPage") or name.startswith("/StHead"):
                    assert b"BDC" not in xobject.read_bytes() and b"BMC" not in xobject.read_bytes()
        reached = set()

        def walk(element: Any) -> None:
            reached.add(element.objgen)
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    assert kid.P.objgen == element.objgen
                    walk(kid)

        walk(tree.K[0])
        for value in parents.values():
            for element in value if isinstance(value, pikepdf.Array) else [value]:
                assert element.objgen in reached


def test_laid_out_in_parts_the_pdf_passes_the_pdfua_checker(builds: Builds) -> None:
    """The joined PDF keeps what PDF/UA needs of the parts (tests/test_pdfua.py checks a PDF
    laid out whole): no finding, header cells with /Scope in every slice of the table."""
    from pdfua import validate

    for path in (builds.parts, builds.cut):
        report = validate(str(path))
        assert not report.findings, [f"{f.rule_id} {f.location.describe()}: {f.message}" for f in report.findings]
        assert {o.rule_id for o in report.skipped} <= {"UA-14-001"}  # the checker's own bug: docs/templates.md


def test_cut_anywhere_every_story_and_row_is_there_once(builds: Builds) -> None:
    text = _flat(" ".join(_text(builds.cut)))
    whole = _flat(" ".join(_text(builds.whole)))
    for path in (builds.workspace / "stories").rglob("*.yaml"):
        title = re.search(r"title: (.+)", path.read_text())[1]  # type: ignore[index]
        assert text.count(title) == whole.count(title), title
    assert text.count("Total of delivered stories") == 1
    assert text.count("Made with storyteller") == 1
    fonts = subprocess.run(["pdffonts", str(builds.cut)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all("+Inter" in row and " yes yes yes " in row for row in rows)


def test_an_override_of_the_report_template_is_laid_out_whole(tmp_path: Path) -> None:
    workspace = generate(tmp_path / "ws", STORIES)
    (workspace / "templates").mkdir()
    (workspace / "templates" / "report.css").write_text('{% include "default:report.css" %}\n', encoding="utf-8")
    from storyteller.build import BuildRequest, undrawn_contexts
    from storyteller.format.config import load_config
    from storyteller.format.load import load_workspace

    (context,) = undrawn_contexts(load_workspace(load_config(workspace)), BuildRequest(year=2026))
    assert not paged.in_parts(context, workspace / "templates")
    assert paged.in_parts(context, tmp_path / "none")


def test_slices_are_as_few_and_as_even_as_can_be() -> None:
    for count in range(0, 60):
        items = list(range(count))
        for most in (1, 4, 7, 45):
            slices = paged._slices(items, most)
            assert [x for s in slices for x in s] == items
            assert all(len(s) <= most for s in slices)
            assert len(slices) == max(1, -(-count // most))
            assert max(map(len, slices)) - min(map(len, slices)) <= 1


def _laying_out(scratch: Path) -> bool:
    """Whether a WeasyPrint font folder (made when a layout begins) is below ``scratch``."""
    try:
        return any(scratch.rglob("weasyprint-*"))
    except OSError:  # a folder removed while it was listed
        return False


def _workers_left(scratch: Path) -> list[int]:
    found = []
    for process in psutil.process_iter(["pid", "environ"]):
        with_env = process.info.get("environ") or {}
        if with_env.get("TMPDIR") == str(scratch):
            found.append(process.info["pid"])
    return found


@pytest.fixture(scope="module")
def interrupted(builds: Builds, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("paged-signals")
    workspace = work / "ws"
    shutil.copytree(builds.workspace, workspace, ignore=shutil.ignore_patterns("output"))
    yield workspace


@pytest.mark.parametrize(
    ("signum", "code", "line"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
)
def test_a_signal_while_the_parts_are_laid_out_stops_every_worker(
    interrupted: Path, signum: int, code: int, line: str
) -> None:
    """Once the workers are running, and once more when one of them has begun laying a part
    out (its WeasyPrint font folder is in the scratch folder): both waited for, however busy
    the machine."""
    for trial, laying_out in enumerate((False, True)):
        scratch = interrupted.parent / f"tmp-{signum}-{trial}"
        scratch.mkdir()
        command = [sys.executable, "-m", "storyteller", "build", "--year", "2026", "--format", "pdf"]
        env = {**os.environ, "TMPDIR": str(scratch), "SOURCE_DATE_EPOCH": EPOCH}
        process = subprocess.Popen(command, cwd=interrupted, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        running = until(lambda p=process, s=scratch: p.poll() is not None or len(_workers_left(s)) >= 3)
        assert process.poll() is None, "the build ended before the signal"
        assert running, "no worker had started after 60 s"  # the parent and at least two workers
        if laying_out:
            started = until(lambda p=process, s=scratch: p.poll() is not None or _laying_out(s))
            assert started and process.poll() is None, "no part was being laid out when the signal was due"
        process.send_signal(signum)
        _out, err = process.communicate(timeout=120)
        # The build's own last line, after the stories' warnings. A worker that multiprocessing was
        # still starting when the signal came may write its own end after it (its bootstrap's
        # EOFError, from the pipe the build closed): written by that process, not the build's.
        lines = err.decode().splitlines()
        ours = [text for text in lines if text.startswith("storyteller: ")]
        assert (process.returncode, ours[-1:]) == (code, [f"storyteller: {line}"]), lines[-12:]
        # The workers are killed before the parent ends; the kernel may take a moment to reap them.
        assert until(lambda s=scratch: not _workers_left(s)), _workers_left(scratch)
        assert list(scratch.iterdir()) == []
        assert not (interrupted / "output" / "2026").exists()


def test_the_time_limit_stops_the_workers(builds: Builds, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(builds.workspace, workspace, ignore=shutil.ignore_patterns("output"))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "storyteller", "build", "--year", "2026", "--format", "pdf", "--time-limit", "1"],
        cwd=workspace,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]  # after the stories' warnings
    assert last.startswith("storyteller: the PDF of 2026 took longer than 1 s to lay out and was stopped;"), last
    assert _workers_left(scratch) == [] and list(scratch.iterdir()) == []


def _chart() -> Chart:
    return before_after_chart("t", [("m", 2.0, 1.0, "2", "1", False)], Palette.from_brand("#0f4c5c"))


def test_a_worker_that_fails_or_dies_is_an_error_here(tmp_path: Path) -> None:
    html = "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><p>x</p></body></html>"
    broken = Chart("key", "t", "d", "no such kind", ())
    with paged.start_workers(1) as workers:
        done = paged.lay_out(workers, [(0, pdf.PartJob(html, (tmp_path,), tmp_path, extra=(_chart(),)))], 1)
        assert done[0].names == ("",) and len(done[0].svgs) == 1
        with pytest.raises(RuntimeError, match=r"(?s)part 1 of the PDF failed in a worker process:.*KeyError"):
            paged.lay_out(workers, [(0, pdf.PartJob(html, (tmp_path,), tmp_path, extra=(broken,)))], 1)

        def jobs() -> Iterator[tuple[int, pdf.PartJob]]:
            yield 0, pdf.PartJob(html * 1, (tmp_path,), tmp_path, extra=(_chart(),) * 40)
            os.kill(workers.pids()[0], signal.SIGKILL)  # while it works on the first
            yield 1, pdf.PartJob(html, (tmp_path,), tmp_path)

        with pytest.raises(RuntimeError, match="a PDF worker process ended unexpectedly"):
            paged.lay_out(workers, jobs(), 2)


def test_weasyprint_complaints_in_a_worker_reach_this_process(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    html = (
        "<!DOCTYPE html><html lang='en'><head><title>t</title></head>"
        "<body><p style='colour: red'>x <a href='#nowhere'>y</a></p></body></html>"
    )
    with caplog.at_level("WARNING", logger="weasyprint"), paged.start_workers(1) as workers:
        paged.lay_out(workers, [(0, pdf.PartJob(html, (tmp_path,), tmp_path))], 1)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert messages == [
        "Ignored `colour: red` at 1:1, unknown property.",
        "No anchor #nowhere for internal URI reference",
    ]


STORY_OVERRIDE = """\
{% import "default:story.html" as base %}
{% macro chart(item, css_class="") %}{{ base.chart(item, css_class) }}{% endmacro %}
{% macro brief(s) %}{{ base.brief(s) }}{% endmacro %}
{% macro story(s, image_src) %}{{ base.story(s, image_src) }}<p><a href="#nowhere">to no id</a></p>{% endmacro %}
"""


def test_a_link_to_no_id_is_dropped_with_the_complaint_weasyprint_makes(
    builds: Builds, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """story.html may be overridden in a report laid out in parts: its links to ids that are
    nowhere are dropped, as WeasyPrint drops them from a report laid out whole."""
    workspace = tmp_path / "ws"
    shutil.copytree(builds.workspace, workspace, ignore=shutil.ignore_patterns("output"))
    (workspace / "templates").mkdir()
    (workspace / "templates" / "story.html").write_text(STORY_OVERRIDE, encoding="utf-8")
    found = {}
    for name, constants in [("parts", {}), ("whole", {"PARTS_FROM": 10**6})]:
        caplog.clear()
        with caplog.at_level("WARNING", logger="weasyprint"):
            built = _build(workspace, tmp_path / name, **constants)
        found[name] = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
        facts = Facts(built)
        assert [link for link in facts.links if "nowhere" in link[2] + link[3]] == []
        assert "to no id" in _flat(" ".join(_text(built)))
    assert found["parts"] == found["whole"] == ["No anchor #nowhere for internal URI reference"] * len(found["whole"])
    assert len(found["whole"]) >= 30  # one for each story shown whole


def test_every_part_of_the_plan_holds_its_share(builds: Builds) -> None:
    from storyteller.build import BuildRequest, undrawn_contexts
    from storyteller.format.config import load_config
    from storyteller.format.load import load_workspace

    (context,) = undrawn_contexts(load_workspace(load_config(builds.workspace)), BuildRequest(year=2026))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SMALL_SLICES.items():
            patch.setattr(paged, name, value)
        pieces = paged.plan(context)
    assert [p.part.front for p in pieces].count(True) == 1 and [p.part.summary for p in pieces].count(True) == 1
    body = [p for p in pieces if p.part.body]
    stories = [s.id for p in body for c in p.report.categories.sections for s in c.stories]
    assert stories == [s.id for c in context.categories.sections for s in c.stories]
    assert [s.id for p in body for s in p.report.small_wins] == [s.id for s in context.small_wins]
    assert [s.id for p in body for s in p.report.in_progress] == [s.id for s in context.in_progress]
    assert [r.anchor for p in body for r in p.report.appendix.rows] == [r.anchor for r in context.appendix.rows]
    heads = [p for p in body if p.part.appendix_head]
    ends = [p for p in pieces if p.part.end]
    assert len(heads) == len(ends) == 1 and pieces.index(heads[0]) < pieces.index(ends[0]) == len(pieces) - 1
    counts = collections.Counter(p.part.continues for p in pieces if p.part.continues)
    assert counts["appendix"] == 4 and counts["automation"] == 2  # 44 rows in 5 slices; 9 stories in 3


def test_a_full_disk_in_a_worker_is_the_message_a_full_disk_gets(builds: Builds, tmp_path: Path) -> None:
    """RLIMIT_FSIZE, inherited by the workers, makes WeasyPrint's copies of the fonts fail there
    (EFBIG, as a full disk fails with ENOSPC): the OSError comes back to be said as such."""
    import resource

    workspace = tmp_path / "ws"
    shutil.copytree(builds.workspace, workspace, ignore=shutil.ignore_patterns("output"))
    scratch = tmp_path / "tmp"
    scratch.mkdir()

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    result = subprocess.run(
        [sys.executable, "-m", "storyteller", "build", "--year", "2026", "--format", "pdf"],
        cwd=workspace,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_disk,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"storyteller: cannot make the PDF of 2026: File too large while writing temporary files in {scratch}; "
        "free some space there or set TMPDIR to another folder"
    )
    assert _workers_left(scratch) == [] and list(scratch.iterdir()) == []
    assert not (workspace / "output" / "2026").exists()
