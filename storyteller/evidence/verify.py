"""`storyteller verify REPORT.pdf`: every figure of a report recomputed from the files it carries.

The attached storyteller.yaml and stories are written to a temporary workspace, loaded and
validated as `storyteller build` loads them (their images are not attached, so the files
they name are not looked for), and the report's context and export are made again with this
version of storyteller. Then:
- the export is compared, figure by figure, with the attached figures.json (and figures.csv);
- each headline figure (``Headlines.tiles``: whatever tiles the summary has) is formatted as
  the report formats it and looked for beside its label in the text of the summary page; for
  a one-page brief (``evidence.document``), each of the brief's cards (report/brief.py: the
  same tiles) right before its label in the text of its page;
- every attached file is compared with the SHA-256 that figures.json lists for it;
- with ``--workspace``, the attached files are compared with the workspace's current ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyteller.errors import ProblemsFound, printable
from storyteller.evidence.pack import (
    BRIEF,
    CSV,
    FIGURES_CSV,
    FIGURES_JSON,
    FORMAT,
    REPORT,
    figures_json,
    figures_of,
    file_path,
    sha256,
)
from storyteller.evidence.read import EvidenceError, read_attachments
from storyteller.figures.export import to_csv
from storyteller.figures.periods import Quarter
from storyteller.format.config import CONFIG_NAME, load_config
from storyteller.format.load import Workspace, load_workspace, read_story
from storyteller.format.source import read_limited
from storyteller.report.brief import Card, brief
from storyteller.report.context import Period, build_context
from storyteller.workers import scratch_prefix

__all__ = ["CSV", "EvidenceError", "Mismatch", "Verdict", "verify"]


@dataclass(frozen=True)
class Mismatch:
    """A figure that is not what it should be: where it stands, what it says, what it should say."""

    figure: str
    printed: str
    recomputed: str


@dataclass
class Verdict:
    """What `storyteller verify` found."""

    stories: int = 0
    document: str = REPORT  # the PDF is a report, or its one-page brief (BRIEF)
    printed: int = 0  # headline figures found on the summary page (a brief's: on its page)
    exported: int = 0  # figures of figures.json compared
    mismatches: list[Mismatch] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # with --workspace: files changed since the build


def verify(pdf: Path, workspace: Path | None = None) -> Verdict:
    """Recompute every figure of the report ``pdf`` from its attachments (or, for a PDF built
    with ``attach_sources: false``, from ``workspace``'s files) and compare."""
    shown = printable(str(pdf), limit=200)
    files = read_attachments(pdf)
    if FIGURES_JSON not in files:
        what = "no attachments" if not files else f"no {FIGURES_JSON} among its {len(files)} attachments"
        raise EvidenceError(
            f"{shown} has {what}: it was not built by a storyteller that attaches its evidence (format {FORMAT}), "
            "or was changed since; rebuild it with `storyteller build`"
        )
    attached, evidence = _evidence(files[FIGURES_JSON], shown)
    verdict = Verdict(document=evidence.get("document", REPORT))
    sources = files if evidence["sources_attached"] else _workspace_files(workspace, evidence, shown)
    _check_sources(evidence, sources, verdict)
    with tempfile.TemporaryDirectory(prefix=scratch_prefix("verify")) as scratch:
        root = Path(scratch)
        _write_workspace(root, sources)
        config, stories, period = _load(root, evidence, shown)
        counted = [s for s in stories if s.quarter in period.quarters]
        earlier = [s for s in stories if s.quarter < period.quarters[0]]
        verdict.stories = len(counted)
        recomputed = figures_of(config, [*earlier, *counted], period)
        _compare_export(attached, recomputed, verdict)
        if FIGURES_CSV in files and files[FIGURES_CSV] != to_csv(recomputed).encode():
            verdict.mismatches.extend(_csv_mismatches(files[FIGURES_CSV], to_csv(recomputed)))
        report = build_context(counted, config, period, dt.date.fromisoformat(evidence["built"]), earlier)
        if verdict.document == BRIEF:
            item = brief(report, "")
            _compare_brief(pdf, (*item.cards, item.realised), verdict)
        else:
            _compare_printed(pdf, report.headlines.tiles, verdict)
    if workspace is not None:
        verdict.changed = _changed(workspace, evidence)
    return verdict


def _check_sources(evidence: dict[str, Any], sources: dict[str, bytes], verdict: Verdict) -> None:
    """Every source file figures.json lists is there, with the SHA-256 it lists, and no other."""
    for entry in evidence["files"]:
        body = sources.get(entry["name"])
        if body is None:
            verdict.mismatches.append(Mismatch(f"{entry['name']} (a source file)", "listed in figures.json", "missing"))
        elif sha256(body) != entry["sha256"]:
            verdict.mismatches.append(
                Mismatch(f"{entry['name']} (SHA-256 in figures.json)", entry["sha256"][:16], f"{sha256(body)[:16]}")
            )
    listed = {entry["name"] for entry in evidence["files"]}
    for name in sorted(n for n in sources if n not in listed and n not in (FIGURES_JSON, FIGURES_CSV)):
        verdict.mismatches.append(Mismatch(f"{name} (a source file)", "attached", "not listed in figures.json"))


def _evidence(data: bytes, shown: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """figures.json and its ``evidence``, checked to be of this format."""
    try:
        attached = figures_json(data)
    except (ValueError, RecursionError) as error:
        raise EvidenceError(f"the {FIGURES_JSON} attached to {shown} is not JSON storyteller wrote: {error}") from None
    evidence = attached.get("evidence")
    made = evidence.get("format") if isinstance(evidence, dict) else None
    if made != FORMAT:
        raise EvidenceError(
            f"{shown} was made by an older storyteller: its evidence is of format {'none' if made is None else made}, and this "
            f"storyteller reads format {FORMAT}; verify it with the storyteller that built it, or rebuild it"
        )
    assert isinstance(evidence, dict)
    try:
        _period_of(str(evidence["report"]), 1)
        dt.date.fromisoformat(evidence["built"])
        listed = evidence["files"]
        assert isinstance(evidence["sources_attached"], bool) and isinstance(listed, list)
        assert all(isinstance(e["name"], str) and isinstance(e["sha256"], str) for e in listed)
        assert sum(e["name"] == CONFIG_NAME for e in listed) == 1
        assert evidence.get("document", REPORT) in (REPORT, BRIEF)  # format 1 without it: a report
    except (KeyError, TypeError, ValueError, AssertionError):
        raise EvidenceError(f"the evidence in the {FIGURES_JSON} attached to {shown} is incomplete") from None
    return attached, evidence


def _period_of(key: str, fiscal_year_start: int) -> Period:
    if key.isdigit() and len(key) == 4:
        return Period.year(int(key), fiscal_year_start)
    return Period.quarter(Quarter.parse(key), fiscal_year_start)


def _workspace_files(workspace: Path | None, evidence: dict[str, Any], shown: str) -> dict[str, bytes]:
    """The source files figures.json lists, from ``workspace``: a PDF built with attach_sources: false."""
    if workspace is None:
        raise EvidenceError(
            f"{shown} was built with `attach_sources: false`: it carries {FIGURES_JSON} but not the stories, so "
            "its figures can be recomputed only from the workspace; pass --workspace PATH"
        )
    found = {}
    for entry in evidence["files"]:
        data, problem = read_limited(file_path(workspace, entry["name"]), workspace, entry["name"])
        if problem is None:
            found[entry["name"]] = data
    return found


def _write_workspace(root: Path, sources: dict[str, bytes]) -> None:
    """The source files as a workspace under ``root``: storyteller.yaml and every YAML story."""
    for name, data in sources.items():
        if name != CONFIG_NAME and not name.lower().endswith((".yaml", ".yml")):
            continue  # figures.json, figures.csv
        path = file_path(root, name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as handle:  # read.py refused `..` and two files of one name
                handle.write(data)
        except OSError as error:  # `a.yaml` and `a.yaml/b.yaml`: no workspace holds both
            raise EvidenceError(
                f"the attachment {name} cannot be a file of a workspace beside the others ({error.strerror})"
            ) from None


def _load(root: Path, evidence: dict[str, Any], shown: str) -> tuple[Any, list[Any], Period]:
    """The config, the valid stories and the period of the workspace under ``root``."""
    try:
        config = load_config(root, named_files=False)
    except ProblemsFound as found:
        raise EvidenceError(_invalid(found.problems, shown)) from None
    loaded: Workspace = load_workspace(config, reader=functools.partial(read_story, named_files=False))
    if loaded.problems:
        raise EvidenceError(_invalid(loaded.problems, shown))
    return config, loaded.stories, _period_of(str(evidence["report"]), config.fiscal_year_start)


def _invalid(problems: list[Any], shown: str) -> str:
    lines = "\n".join(f"  {p}" for p in problems[:20])
    more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
    return f"the files attached to {shown} do not validate with this storyteller:\n{lines}{more}"


def _leaves(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every figure of an export as (where it is, value); a story by its file, a metric by its name."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{where} {key}".strip())
    elif isinstance(value, list):
        for index, item in enumerate(value):
            label = item.get("file") or item.get("name") if isinstance(item, dict) else None
            yield from _leaves(item, f"{where} [{label or index + 1}]")
    else:
        yield where, value


def _compare_export(attached: dict[str, Any], recomputed: dict[str, Any], verdict: Verdict) -> None:
    ours = dict(_leaves({k: v for k, v in recomputed.items() if k != "evidence"}, ""))
    theirs = dict(_leaves({k: v for k, v in attached.items() if k != "evidence"}, ""))
    for where in sorted(ours.keys() | theirs.keys(), key=lambda w: (w not in ours, w)):
        if where in ours and where in theirs and ours[where] == theirs[where]:
            verdict.exported += isinstance(ours[where], int | float) and not isinstance(ours[where], bool)
            continue
        printed = repr(theirs[where]) if where in theirs else "(missing)"
        again = repr(ours[where]) if where in ours else "(not recomputed)"
        verdict.mismatches.append(Mismatch(f"{FIGURES_JSON}: {where}", printed, again))


def _csv_mismatches(attached: bytes, recomputed: str) -> list[Mismatch]:
    """The first row of figures.csv that differs from the recomputed one (figures.json names the figures)."""
    try:
        theirs = list(csv.reader(io.StringIO(attached.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        return [Mismatch(FIGURES_CSV, "not UTF-8 CSV", "the export as CSV")]
    ours = list(csv.reader(io.StringIO(recomputed)))
    for number, (a, b) in enumerate(zip(theirs, ours, strict=False), start=1):
        if a != b:
            return [Mismatch(f"{FIGURES_CSV}: row {number}", printable(",".join(a)), printable(",".join(b)))]
    return [Mismatch(f"{FIGURES_CSV}: rows", str(len(theirs)), str(len(ours)))]


def _normal(text: str) -> str:
    """Text as extracted and as formatted compared alike: every kind of space one space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _compare_printed(pdf: Path, tiles: Any, verdict: Verdict) -> None:
    """Each tile's value, beside its label, on the summary page."""
    lines = [_normal(line) for line in summary_text(pdf).splitlines()]
    lines = [line for line in lines if line]
    for tile in tiles:
        label, value = _normal(tile.label), _normal(tile.value)
        at = [i for i, line in enumerate(lines) if line == label]
        beside = [lines[j] for i in at for j in (i - 1, i + 1) if 0 <= j < len(lines)]
        if value in beside:
            verdict.printed += 1
            continue
        printed = beside[0] if beside else "(not on the summary page)"
        verdict.mismatches.append(Mismatch(f"{tile.label} (summary page)", printed, tile.value))


def _compare_brief(pdf: Path, cards: tuple[Card, ...], verdict: Verdict) -> None:
    """Each card's value right before its label (which may wrap) in the text of the brief's page."""
    text = " " + _normal(brief_text(pdf))
    for card in cards:
        label, value = _normal(card.label), _normal(card.value)
        if f" {value} {label}" in text:
            verdict.printed += 1
            continue
        at = text.find(f" {label}")
        printed = " ".join(text[:at].split()[-len(value.split()) :]) if at >= 0 else "(not on the brief)"
        verdict.mismatches.append(Mismatch(f"{card.label} (brief)", printed or "(not on the brief)", card.value))


def brief_text(pdf: Path) -> str:
    """The text of a one-page brief's page (pypdf)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return PdfReader(pdf).pages[0].extract_text()
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, RecursionError) as error:
        raise EvidenceError(f"cannot read the page of the brief {printable(str(pdf), limit=200)}: {error}") from None


def summary_text(pdf: Path) -> str:
    """The text of the executive summary's pages: from the page of its anchor (``summary``) to
    the page before the next section's (pypdf: its own limits bound what a stream inflates to)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(pdf)
        found = {name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()}
        pages = {name: page for name, page in found.items() if page is not None}
        if "summary" not in pages:
            raise EvidenceError(f"{printable(str(pdf), limit=200)} has no executive summary (no `summary` anchor)")
        first = pages["summary"]
        later = [p for name, p in pages.items() if p > first and not name.startswith(("summary", "story-"))]
        last = min(later, default=first + 1) - 1
        return "\n".join(reader.pages[n].extract_text() for n in range(first, max(first, last) + 1))
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, RecursionError) as error:
        raise EvidenceError(f"cannot read the summary page of {printable(str(pdf), limit=200)}: {error}") from None


def _changed(workspace: Path, evidence: dict[str, Any]) -> list[str]:
    """The source files that differ in ``workspace`` from those the report was built from, and
    the story files of its quarters that it does not list."""
    changed = []
    listed = {entry["name"]: entry["sha256"] for entry in evidence["files"]}
    for name, digest in sorted(listed.items()):
        data, problem = read_limited(file_path(workspace, name), workspace, name)
        if problem is not None:
            changed.append(f"{name}: removed or unreadable since the report was built")
        elif sha256(data) != digest:
            changed.append(f"{name}: changed since the report was built")
    try:
        config = load_config(workspace, named_files=False)
    except ProblemsFound:
        return changed  # storyteller.yaml is listed as changed above
    period = _period_of(str(evidence["report"]), config.fiscal_year_start)
    current = load_workspace(config, reader=functools.partial(read_story, named_files=False))
    for story in current.stories:
        if story.quarter <= period.quarters[-1] and story.file not in listed:
            changed.append(f"{story.file}: added since the report was built")
    return changed
