"""The one-page brief carries its report's evidence (storyteller/evidence) and `storyteller
verify` checks it: the figures printed on the brief's page, its attached stories, its figures.json.

Built for real from a copy of the example workspace; attachments read back with pypdf,
checked with `qpdf --check`; tampered briefs made by rewriting a real one with pikepdf.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from storyteller.build import BuildRequest, undrawn_contexts
from storyteller.evidence.pack import REPORT, pack
from storyteller.figures.periods import Quarter
from storyteller.format.config import load_config
from storyteller.format.load import load_workspace

from .helpers import EPOCH, build, copy_example
from .test_evidence import _change_printed, _rewrite_attachment, story_files, verify

pytestmark = pytest.mark.slow  # whole PDF builds
NAME = "northwind-logistics-2026-Q3"
BRIEF = f"output/2026-Q3/{NAME}-brief.pdf"


def _text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example workspace with its brief built (HTML and PDF)."""
    root = copy_example(tmp_path_factory.mktemp("brief-evidence") / "ws")
    build(root, "--brief")
    return root


def test_the_brief_carries_the_same_evidence_as_its_report(workspace: Path) -> None:
    pdf = workspace / BRIEF
    attachments = PdfReader(pdf).attachments
    stories = story_files(workspace)
    assert len(stories) == 20
    assert set(attachments) == stories | {"storyteller.yaml", "figures.json", "figures.csv"}
    for name in stories | {"storyteller.yaml"}:
        assert attachments[name] == [(workspace / name).read_bytes()], name
    # What the report's PDF would carry, file for file; figures.json names the brief as its document.
    config = load_config(workspace)
    loaded = load_workspace(config)
    context = undrawn_contexts(loaded, BuildRequest(quarter=Quarter(2026, 3)))[0]
    today = dt.datetime.fromtimestamp(int(EPOCH), dt.UTC).date()  # the build's date, as figures.json says
    made, _ = pack(loaded, context, today, f"{NAME}.pdf", REPORT)
    report = {a.name: a.data for a in made}
    assert report.keys() == attachments.keys()
    for name, data in report.items():
        if name != "figures.json":
            assert attachments[name] == [data], name
    ours, theirs = json.loads(attachments["figures.json"][0]), json.loads(report["figures.json"])
    assert ours["evidence"].pop("document") == "brief" and theirs["evidence"].pop("document") == "report"
    assert ours == theirs
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout
    with pikepdf.open(pdf) as document:
        assert len(document.pages) == 1
        assert "/StructTreeRoot" in document.Root and b"pdfuaid:part" in document.Root.Metadata.read_bytes()
        for name, spec in document.attachments.items():
            stream = spec.get_file().obj
            assert stream.Filter == pikepdf.Name.FlateDecode, name
            assert str(stream.Params.ModDate) == "D:20260921141320Z"  # SOURCE_DATE_EPOCH, not today


def test_the_foot_points_at_the_attachments_in_the_pdf_only(workspace: Path) -> None:
    text = _text(workspace / BRIEF)
    assert (
        "Attached: 20 story files, storyteller.yaml, figures.json, figures.csv · check: "
        f"storyteller verify {NAME}-brief.pdf"
    ) in text
    html = (workspace / BRIEF).with_suffix(".html").read_text(encoding="utf-8")
    assert "storyteller verify" not in html  # the HTML file carries no attachments


def test_verify_of_the_brief_passes(workspace: Path) -> None:
    code, output = verify(workspace / BRIEF)
    assert code == 0, output
    assert re.fullmatch(
        r"verified: 7 stories, [\d,]+ figures match \(5 printed on the brief, [\d,]+ in figures.json\)\n", output
    ), output


def test_a_changed_number_in_a_story_attached_to_the_brief_is_named(workspace: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.pdf"
    story = "stories/2026-Q3/san-zoning-automation.yaml"
    before = re.search(rb"\n    before: \d+\n", (workspace / story).read_bytes())
    assert before is not None
    _rewrite_attachment(workspace / BRIEF, tampered, story, (before[0], b"\n    before: 500\n"))
    code, output = verify(tampered)
    assert code == 1
    lines = output.splitlines()
    assert f"{story} (SHA-256 in figures.json), printed " in output
    assert any(re.fullmatch(r"Hours saved a year \(brief\), printed 808, recomputed [\d,]+", x) for x in lines), output
    assert any(x.startswith(f"figures.json: stories [{story}] yearly_hours_saved, printed ") for x in lines)
    assert lines[-1].startswith("storyteller: ") and "do not match what its evidence gives" in lines[-1]


@pytest.mark.parametrize(
    ("printed", "instead", "label"),
    [("808", "800", "Hours saved a year"), ("$101K", "$181K", "Realised in Q3 2026")],
)
def test_a_changed_printed_figure_on_the_brief_is_named(
    workspace: Path, tmp_path: Path, printed: str, instead: str, label: str
) -> None:
    tampered = tmp_path / "tampered.pdf"
    _change_printed(workspace / BRIEF, tampered, 0, printed, instead)
    assert instead in PdfReader(tampered).pages[0].extract_text()
    code, output = verify(tampered)
    assert code == 1
    assert output.splitlines() == [
        f"{label} (brief), printed {instead}, recomputed {printed}",
        f"storyteller: 1 figure of {tampered} do not match what its evidence gives",
    ]


def _rewrite_figures_json(pdf: Path, out: Path, change: tuple[bytes, bytes]) -> None:
    with pikepdf.open(pdf) as document:
        stream = document.attachments["figures.json"].get_file().obj
        data = stream.read_bytes()
        assert change[0] in data
        stream.write(data.replace(change[0], change[1]))
        document.save(out)


def test_the_document_figures_json_names_is_checked(workspace: Path, tmp_path: Path) -> None:
    """An unknown document is refused; without the key (format 1 as first written) it is a report's."""
    unknown = tmp_path / "unknown.pdf"
    _rewrite_figures_json(workspace / BRIEF, unknown, (b'"document": "brief"', b'"document": "deck"'))
    code, output = verify(unknown)
    assert (
        code == 1 and output == f"storyteller: the evidence in the figures.json attached to {unknown} is incomplete\n"
    )
    missing = tmp_path / "missing.pdf"
    _rewrite_figures_json(workspace / BRIEF, missing, (b'\n    "document": "brief",', b""))
    code, output = verify(missing)
    assert code == 1  # read as a report's: the brief has no executive summary to read the figures from
    assert output == f"storyteller: {missing} has no executive summary (no `summary` anchor)\n"


def test_without_sources_the_brief_carries_figures_json_only(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "ws")
    config = root / "storyteller.yaml"
    config.write_text(config.read_text() + "attach_sources: false\n")
    build(root, "--brief", "--format", "pdf")
    pdf = root / BRIEF
    assert set(PdfReader(pdf).attachments) == {"figures.json"}
    assert len(PdfReader(pdf).pages) == 1
    text = _text(pdf)
    assert (
        f"Attached: figures.json, not the stories · check: storyteller verify {NAME}-brief.pdf --workspace PATH" in text
    )
    code, output = verify(pdf)
    assert code == 1 and "was built with `attach_sources: false`" in output
    code, output = verify(pdf, "--workspace", str(root))
    assert code == 0 and output.startswith("verified: 7 stories, ") and "(5 printed on the brief, " in output, output


def test_a_rebuilt_brief_with_its_attachments_is_byte_identical(workspace: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    shutil.copytree(workspace, again, ignore=shutil.ignore_patterns("output"))
    build(again, "--brief", "--format", "pdf")
    assert (again / BRIEF).read_bytes() == (workspace / BRIEF).read_bytes()
