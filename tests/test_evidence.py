"""The evidence a PDF carries (storyteller/evidence) and `storyteller verify`, on real builds:
the example workspace laid out whole, and a 44-story annual review laid out in parts.

Attachments are read back with pypdf (an independent reader) and checked with `qpdf --check`;
tampered PDFs are made by rewriting a real one with pikepdf.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from storyteller.cli import app

from .helpers import EPOCH, REPO, build, copy_example

sys.path.insert(0, str(REPO / "bench"))

from workspace import generate  # bench/ is a folder of scripts, not a package

pytestmark = pytest.mark.slow  # whole PDF builds
QUARTER = "output/2026-Q3/northwind-logistics-2026-Q3.pdf"


@dataclass
class Built:
    workspace: Path
    pdf: Path


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    workspace = copy_example(tmp_path_factory.mktemp("evidence") / "ws")
    build(workspace, "--format", "pdf")
    return Built(workspace, workspace / QUARTER)


def verify(pdf: Path, *args: str) -> tuple[int, str]:
    """`storyteller verify` in this process: its exit status and output, never a traceback."""
    result = CliRunner().invoke(app, ["verify", str(pdf), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def story_files(workspace: Path) -> set[str]:
    return {path.relative_to(workspace).as_posix() for path in (workspace / "stories").rglob("*.yaml")}


def test_the_example_pdf_carries_its_stories_config_and_figures(example: Built) -> None:
    attachments = PdfReader(example.pdf).attachments
    stories = story_files(example.workspace)  # 2026-Q3 and the two quarters before it
    assert len(stories) == 20
    assert set(attachments) == stories | {"storyteller.yaml", "figures.json", "figures.csv"}
    for name in stories | {"storyteller.yaml"}:
        assert attachments[name] == [(example.workspace / name).read_bytes()], name
    figures = json.loads(attachments["figures.json"][0])
    assert figures["selection"] == "2026-Q3" and len(figures["stories"]) == 7
    listed = {entry["name"]: entry for entry in figures["evidence"]["files"]}
    assert listed.keys() == stories | {"storyteller.yaml"}
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256((example.workspace / name).read_bytes()).hexdigest()
    image = example.workspace / "stories/2026-Q3/images/zoning-dashboard.png"
    assert figures["evidence"]["images"] == [
        {
            "name": image.relative_to(example.workspace).as_posix(),
            "bytes": image.stat().st_size,
            "sha256": hashlib.sha256(image.read_bytes()).hexdigest(),
        }
    ]
    assert attachments["figures.csv"][0].decode().startswith("id,file,title,quarter,")
    check = subprocess.run(["qpdf", "--check", str(example.pdf)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout


def test_each_attachment_has_a_description_a_media_type_and_is_compressed(example: Built) -> None:
    with pikepdf.open(example.pdf) as pdf:
        types = {}
        for name, spec in pdf.attachments.items():
            assert spec.description, name
            stream = spec.get_file().obj
            assert stream.Filter == pikepdf.Name.FlateDecode, name
            assert int(stream.Params.Size) == len(stream.read_bytes())
            assert str(stream.Params.ModDate) == "D:20260921141320Z"  # SOURCE_DATE_EPOCH, not today
            types[name] = spec.get_file().mime_type
        assert types["figures.json"] == "application/json" and types["figures.csv"] == "text/csv"
        assert types["storyteller.yaml"] == "application/yaml"
        assert "Story counted in Q3 2026: " in pdf.attachments["stories/2026-Q3/san-zoning-automation.yaml"].description
        assert "/StructTreeRoot" in pdf.Root and b"pdfuaid:part" in pdf.Root.Metadata.read_bytes()


def test_the_appendix_points_at_the_attachments_in_the_pdf_only(example: Built) -> None:
    text = " ".join(subprocess.run(["pdftotext", str(example.pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "THE EVIDENCE INSIDE THIS PDF" in text
    assert "the 7 story files of Q3 2026 and 13 of earlier quarters" in text
    assert "open your PDF reader’s attachments panel" in text
    assert "run storyteller verify northwind-logistics-2026-Q3.pdf" in text
    build(example.workspace, "--format", "html")
    html = (example.workspace / QUARTER).with_suffix(".html").read_text()
    assert "attachments panel" not in html  # the HTML file carries no attachments


def test_verify_of_the_example_passes(example: Built) -> None:
    code, output = verify(example.pdf)
    assert code == 0, output
    assert re.fullmatch(
        r"verified: 7 stories, [\d,]+ figures match \(6 printed on the summary page, [\d,]+ in figures.json\)\n",
        output,
    ), output


def _rewrite_attachment(pdf: Path, out: Path, name: str, change: tuple[bytes, bytes]) -> None:
    with pikepdf.open(pdf) as document:
        stream = document.attachments[name].get_file().obj
        data = stream.read_bytes()
        assert change[0] in data
        stream.write(data.replace(change[0], change[1], 1))
        document.save(out)


def test_a_changed_number_in_an_attached_story_is_named(example: Built, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.pdf"
    story = "stories/2026-Q3/san-zoning-automation.yaml"
    before = re.search(rb"\n    before: \d+\n", (example.workspace / story).read_bytes())
    assert before is not None
    _rewrite_attachment(example.pdf, tampered, story, (before[0], b"\n    before: 500\n"))
    code, output = verify(tampered)
    assert code == 1
    lines = output.splitlines()
    assert f"{story} (SHA-256 in figures.json), printed " in output  # the bytes are not those figures.json lists
    assert any(re.fullmatch(r"Hours saved a year \(summary page\), printed 808, recomputed [\d,]+", x) for x in lines)
    assert any(x.startswith(f"figures.json: stories [{story}] yearly_hours_saved, printed ") for x in lines), output
    assert any(
        x.startswith("figures.json: totals 2026-Q3 yearly_hours_saved, printed 808.0, recomputed ") for x in lines
    )
    assert lines[-1].startswith("storyteller: ") and "do not match what its evidence gives" in lines[-1]


def _cmap(font: pikepdf.Object) -> dict[bytes, str]:
    """A font's ToUnicode map, code to text (WeasyPrint writes bfchar entries)."""
    text = font.ToUnicode.read_bytes().decode("ascii")
    return {
        bytes.fromhex(code): bytes.fromhex(char).decode("utf-16-be")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S)
        for code, char in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block)
    }


def _change_printed(pdf: Path, out: Path, page_number: int, printed: str, instead: str) -> None:
    """Draw ``instead`` where the page shows exactly ``printed`` (same length), glyph for glyph."""
    with pikepdf.open(pdf) as document:
        page = document.pages[page_number]
        operations = pikepdf.parse_content_stream(page)
        font = None
        changed = 0
        for operands, operator in operations:
            if str(operator) == "Tf":
                font = page.Resources.Font[operands[0]]
            if str(operator) != "TJ" or font is None:
                continue
            codes = _cmap(font)
            at = [i for i, item in enumerate(operands[0]) if isinstance(item, pikepdf.String)]
            if "".join(codes.get(bytes(operands[0][i]), "?") for i in at) != printed:
                continue
            back = {char: code for code, char in codes.items()}
            for i, char in zip(at, instead, strict=True):  # by position: a glyph may repeat ("808")
                assert char in back, f"the font has no glyph for {char}"
                operands[0][i] = pikepdf.String(back[char])
            changed += 1
        assert changed == 1
        page.Contents = document.make_stream(pikepdf.unparse_content_stream(operations))
        document.save(out)


def test_a_changed_printed_total_is_named(example: Built, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.pdf"
    summary = next(i for i, p in enumerate(PdfReader(example.pdf).pages) if "Hours saved a year" in p.extract_text())
    _change_printed(example.pdf, tampered, summary, "808", "800")
    assert "800\nHours saved a year" in PdfReader(tampered).pages[summary].extract_text()
    code, output = verify(tampered)
    assert code == 1
    assert output.splitlines() == [
        "Hours saved a year (summary page), printed 800, recomputed 808",
        f"storyteller: 1 figure of {tampered} do not match what its evidence gives",
    ]


def test_without_sources_only_figures_json_is_attached_and_verify_needs_the_workspace(tmp_path: Path) -> None:
    workspace = copy_example(tmp_path / "ws")
    config = workspace / "storyteller.yaml"
    config.write_text(config.read_text() + "attach_sources: false\n")
    build(workspace, "--format", "pdf")
    pdf = workspace / QUARTER
    assert set(PdfReader(pdf).attachments) == {"figures.json"}
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    assert "The stories themselves are not attached ( attach_sources: false )" in text  # <code> is padded
    assert "run storyteller verify northwind-logistics-2026-Q3.pdf --workspace PATH against the workspace" in text
    code, output = verify(pdf)
    assert code == 1 and "was built with `attach_sources: false`" in output and "--workspace PATH" in output
    code, output = verify(pdf, "--workspace", str(workspace))
    assert code == 0 and output.startswith("verified: 7 stories, "), output


def test_verify_with_the_workspace_lists_the_stories_changed_since_the_build(example: Built, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(example.workspace, workspace)
    code, output = verify(example.pdf, "--workspace", str(workspace))
    assert code == 0, output
    story = workspace / "stories/2026-Q2/os-patching-automation.yaml"
    story.write_text(story.read_text() + "\n# edited\n")
    (workspace / "stories/2026-Q3/new-one.yaml").write_text(
        (workspace / "stories/2026-Q3/san-zoning-automation.yaml").read_text().replace("title: ", "title: New ", 1)
    )
    (workspace / "stories/2026-Q1/alert-noise-reduction.yaml").unlink()
    code, output = verify(example.pdf, "--workspace", str(workspace))
    assert code == 1
    assert output.splitlines() == [
        "stories/2026-Q1/alert-noise-reduction.yaml: removed or unreadable since the report was built",
        "stories/2026-Q2/os-patching-automation.yaml: changed since the report was built",
        "stories/2026-Q3/new-one.yaml: added since the report was built",
        "storyteller: 3 files of the workspace changed since the report was built",
    ]


def test_a_report_laid_out_in_parts_carries_the_same_evidence(tmp_path: Path) -> None:
    workspace = generate(tmp_path / "ws", 44)
    result = CliRunner().invoke(
        app,
        ["build", "--year", "2026", "--format", "pdf", "-w", str(workspace), "-o", str(tmp_path / "out")],
        env={"SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out/2026/benchmark-logistics-2026.pdf"
    attachments = PdfReader(pdf).attachments
    stories = {p.relative_to(workspace).as_posix() for p in (workspace / "stories").rglob("*.yaml")}
    assert set(attachments) == stories | {"storyteller.yaml", "figures.json", "figures.csv"}
    for name in stories:
        assert attachments[name] == [(workspace / name).read_bytes()]
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    with pikepdf.open(pdf) as document:
        assert "/StructTreeRoot" in document.Root and b"pdfuaid:part" in document.Root.Metadata.read_bytes()
        spec = next(iter(document.attachments.values()))
        assert spec.get_file().obj.Filter == pikepdf.Name.FlateDecode
    code, output = verify(pdf)
    assert code == 0 and output.startswith("verified: 44 stories, "), output
    again = tmp_path / "again"
    shutil.copytree(workspace, again, ignore=shutil.ignore_patterns("output"))
    result = CliRunner().invoke(
        app,
        ["build", "--year", "2026", "--format", "pdf", "-w", str(again), "-o", str(tmp_path / "out2")],
        env={"SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.exit_code == 0
    assert (tmp_path / "out2/2026/benchmark-logistics-2026.pdf").read_bytes() == pdf.read_bytes()


# ---------------------------------------------------------------------------------------
# Hostile PDFs: each fails with exit status 1 and one message, in bounded memory


def _with_attachment(pdf: Path, out: Path, name: bytes, data: bytes, compressed: bool = False) -> None:
    """``pdf`` with one more attachment named by the raw bytes ``name``; ``data`` already
    Flate-compressed when ``compressed``."""
    with pikepdf.open(pdf) as document:
        stream = pikepdf.Stream(document, b"")
        if compressed:
            stream.write(data, filter=pikepdf.Name.FlateDecode)
        else:
            stream.write(data)
        stream.Type = pikepdf.Name.EmbeddedFile
        spec = document.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Filespec, F=pikepdf.String(name), UF=pikepdf.String(name), EF={"/F": stream}
            )
        )
        tree = pikepdf.NameTree(document.Root.Names.EmbeddedFiles)
        tree[name.decode("latin-1")] = spec
        document.save(out, compress_streams=compressed)  # else qpdf would compress the plain one


def _bomb(size: int) -> bytes:
    """``size`` zero bytes, Flate-compressed (about a thousandth of it)."""
    packer = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    return b"".join(packer.compress(chunk) for _ in range(size >> 20)) + packer.flush()


def _verify_in_a_process(pdf: Path) -> tuple[int, str, int]:
    """`storyteller verify` in a fresh process: exit status, standard error, and its peak memory
    in MB (measured by a parent of its own, which runs nothing else)."""
    script = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'storyteller', 'verify', sys.argv[1]], stderr=subprocess.PIPE)\n"
        "sys.stdout.write(done.stderr.decode())\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(pdf)], capture_output=True, text=True, timeout=300)
    *lines, last = done.stdout.rstrip("\n").split("\n")
    code, peak = last.split()
    return int(code), "\n".join(lines), int(peak)


def test_a_zip_bomb_attachment_is_refused_in_bounded_memory(example: Built, tmp_path: Path) -> None:
    hostile = tmp_path / "bomb.pdf"
    _with_attachment(example.pdf, hostile, b"stories/2026-Q3/bomb.yaml", _bomb(2 << 30), compressed=True)
    assert hostile.stat().st_size < 5 << 20  # 2 GiB of zeros in a few MB
    code, error, peak = _verify_in_a_process(hostile)
    assert code == 1 and "Traceback" not in error
    assert error == (
        f"storyteller: the attachment stories/2026-Q3/bomb.yaml of {hostile} is larger than 2,097,152 bytes "
        "once decompressed; storyteller's attachments are far smaller, so it was not read"
    )
    assert peak < 400, f"{peak} MB"


def test_a_huge_attachment_is_refused_before_it_is_read(example: Built, tmp_path: Path) -> None:
    hostile = tmp_path / "huge.pdf"
    _with_attachment(example.pdf, hostile, b"figures.big", bytes(80 << 20))
    assert hostile.stat().st_size > 80 << 20
    code, error, peak = _verify_in_a_process(hostile)
    assert code == 1
    assert error.startswith("storyteller: the attachment figures.big of ")
    assert error.endswith(" is 83,886,080 bytes long; storyteller reads attachments of at most 33,554,432")
    assert peak < 300, f"{peak} MB"


def test_attachments_that_no_workspace_can_hold_together_are_refused(example: Built, tmp_path: Path) -> None:
    hostile = tmp_path / "clash.pdf"
    name = b"stories/2026-Q3/san-zoning-automation.yaml/inner.yaml"
    _with_attachment(example.pdf, hostile, name, b"title: x\n")
    code, output = verify(hostile)
    assert code == 1
    assert output.startswith(f"storyteller: the attachment {name.decode()} cannot be a file of a workspace beside")


def test_an_attachment_name_that_is_not_utf8_is_refused(example: Built, tmp_path: Path) -> None:
    hostile = tmp_path / "name.pdf"
    _with_attachment(example.pdf, hostile, b"stories/\xff\xfe\x00bad.yaml", b"title: x\n")
    code, output = verify(hostile)
    assert code == 1
    assert "has an attachment whose name is not plain text (b'stories/\\xff\\xfe\\x00bad.yaml')" in output
    assert output.count("\n") == 1


@pytest.mark.parametrize("name", [b"../outside.yaml", b"/etc/passwd.yaml", b"stories/./x.yaml"])
def test_an_attachment_name_outside_a_workspace_is_refused(example: Built, tmp_path: Path, name: bytes) -> None:
    hostile = tmp_path / "name.pdf"
    _with_attachment(example.pdf, hostile, name, b"title: x\n")
    code, output = verify(hostile)
    assert code == 1 and "which is not a path inside a workspace" in output


def test_a_pdf_without_figures_json_or_any_attachment_is_refused(example: Built, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pdf"
    with pikepdf.open(example.pdf) as document:
        del document.attachments["figures.json"]
        document.save(missing)
    code, output = verify(missing)
    assert code == 1
    assert output == (
        f"storyteller: {missing} has no figures.json among its 22 attachments: it was not built by a storyteller "
        "that attaches its evidence (format 1), or was changed since; rebuild it with `storyteller build`\n"
    )
    bare = tmp_path / "bare.pdf"
    with pikepdf.open(example.pdf) as document:
        del document.Root.Names.EmbeddedFiles
        document.save(bare)
    code, output = verify(bare)
    assert code == 1 and "has no attachments: it was not built by a storyteller that attaches" in output


def test_a_pdf_of_an_older_evidence_format_is_refused(example: Built, tmp_path: Path) -> None:
    older = tmp_path / "older.pdf"
    with pikepdf.open(example.pdf) as document:
        stream = document.attachments["figures.json"].get_file().obj
        stream.write(stream.read_bytes().replace(b'"format": 1,', b'"format": 0,'))
        document.save(older)
    code, output = verify(older)
    assert code == 1
    assert output == (
        f"storyteller: {older} was made by an older storyteller: its evidence is of format 0, and this storyteller "
        "reads format 1; verify it with the storyteller that built it, or rebuild it\n"
    )


def test_a_file_that_is_not_a_pdf_is_a_message(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    code, output = verify(junk)
    assert code == 1 and output.startswith(f"storyteller: cannot read the attachments of {junk}: "), output
