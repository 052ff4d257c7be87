"""What a report's PDF carries as its evidence: the story files its figures come from, the
workspace's storyteller.yaml, and the export of its period as figures.json and figures.csv.

The stories attached are the period's and those of earlier quarters (the trend and the
realised figures count them), with their exact bytes and workspace-relative names, so that
`storyteller verify` can rebuild the report's context from them alone. Images are not
attached (size); figures.json lists the SHA-256 of each, and of every source file, under
``evidence``. With ``attach_sources: false`` only figures.json is attached: the hashes it
lists still let `storyteller verify --workspace` check a workspace against the report.

The one-page brief (report/brief.py) carries the same files as its report; ``evidence``'s
``document`` says which of the two a PDF is, so that verify knows which page to read the
printed figures from (a figures.json without it is a report's).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyteller import __version__
from storyteller.errors import StorytellerError
from storyteller.figures.export import export_data, to_csv, to_json
from storyteller.figures.periods import Quarter, Selection
from storyteller.format.config import CONFIG_NAME, Config, relative
from storyteller.format.load import Workspace
from storyteller.format.source import read_limited
from storyteller.format.story import Story
from storyteller.pdf.attach import Attachment
from storyteller.report.context import Period, ReportContext

FORMAT = 1  # of the evidence: what is attached and what figures.json's `evidence` says
FIGURES_JSON = "figures.json"
FIGURES_CSV = "figures.csv"
STORY = "story"  # a story of the report's period
EARLIER = "earlier story"  # a story of an earlier quarter: the trend and realised figures count it
REPORT, BRIEF = "report", "brief"  # the documents that carry evidence: figures.json's `evidence.document`
YAML, JSON, CSV = "application/yaml", "application/json", "text/csv"


@dataclass(frozen=True)
class Evidence:
    """What a report's PDF carries, for the appendix's pointer (templates/evidence.html)."""

    stories: int  # story files of the period attached
    earlier: int  # story files of earlier quarters attached
    sources: bool  # whether the story files and storyteller.yaml are attached (attach_sources)
    files: tuple[str, ...]  # the attached files other than stories, in the order the pointer names them
    pdf: str = "REPORT.pdf"  # the PDF's file name, for the command the pointer shows


def selection(period: Period) -> Selection:
    """The export selection of a report's period."""
    if period.is_year:
        return Selection(year=int(period.key))
    return Selection(quarter=Quarter.parse(period.key))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def figures_of(config: Config, stories: Sequence[Story], period: Period) -> dict[str, Any]:
    """The export of ``period`` (what `storyteller export` writes) from ``stories``, the
    period's and the earlier ones, in the workspace's order."""
    return export_data(Workspace(config, list(stories)), selection(period))


def _read(config: Config, name: str) -> bytes:
    """A workspace file as it is now: the bytes the report was computed from."""
    data, problem = read_limited(config.root / name, config.root, name)
    if problem is not None:
        raise StorytellerError(f"cannot attach {name} to the PDF: {problem.message}")
    return data


def _images(stories: Sequence[Story], config: Config) -> list[dict[str, Any]]:
    """The name, size and SHA-256 of every image the stories show (validated: inside the workspace)."""
    found = {relative(image.path, config.root): image.path for story in stories for image in story.images}
    listed = []
    for name in sorted(found):
        data = found[name].read_bytes()
        listed.append({"name": name, "bytes": len(data), "sha256": sha256(data)})
    return listed


def pack(
    workspace: Workspace, report: ReportContext, today: dt.date, pdf: str = "REPORT.pdf", document: str = REPORT
) -> tuple[tuple[Attachment, ...], Evidence]:
    """The files the PDF of ``report`` (named ``pdf``) carries and what its pointer says of
    them; ``document``: REPORT, or BRIEF for the report's one-page brief."""
    config = workspace.config
    period = report.period
    counted = [s for s in workspace.stories if s.quarter in period.quarters]
    earlier = [s for s in workspace.stories if s.quarter < period.quarters[0]]
    sources: list[tuple[str, str, bytes, str]] = [(CONFIG_NAME, "config", _read(config, CONFIG_NAME), "")]
    sources += [(s.file, STORY, _read(config, s.file), s.title) for s in counted]
    sources += [(s.file, EARLIER, _read(config, s.file), s.title) for s in earlier]
    data = figures_of(config, [*earlier, *counted], period)
    data["evidence"] = {
        "format": FORMAT,
        "storyteller": __version__,
        "report": period.key,
        "document": document,
        "built": today.isoformat(),
        "sources_attached": config.attach_sources,
        "files": [
            {"name": name, "role": role, "bytes": len(body), "sha256": sha256(body)} for name, role, body, _ in sources
        ],
        "images": _images([*earlier, *counted], config),
    }
    figures = Attachment(
        FIGURES_JSON,
        to_json(data).encode(),
        f"Every figure of {period.label} as `storyteller export` computes it, with the SHA-256 of every "
        "source file and image",
        JSON,
    )
    if not config.attach_sources:
        return (figures,), Evidence(len(counted), len(earlier), False, (FIGURES_JSON,), pdf)
    table = Attachment(FIGURES_CSV, to_csv(data).encode(), f"Every figure of {period.label}, one row a metric", CSV)
    attached = [figures, table]
    for name, role, body, title in sources:
        if role == "config":
            what = "The workspace's configuration the figures were computed with"
        elif role == STORY:
            what = f"Story counted in {period.label}: {title}"
        else:
            what = f"Story of an earlier quarter, counted in the trend and realised figures: {title}"
        attached.append(Attachment(name, body, what, YAML))
    return tuple(attached), Evidence(len(counted), len(earlier), True, (CONFIG_NAME, FIGURES_JSON, FIGURES_CSV), pdf)


def attach(
    workspace: Workspace,
    reports: Sequence[ReportContext],
    today: dt.date,
    pdf_name: Callable[[Period], str],
    document: str = REPORT,
) -> tuple[list[ReportContext], dict[str, tuple[Attachment, ...]]]:
    """``reports`` with their pointer's Evidence, and the files each one's PDF (named by
    ``pdf_name``; a ``document``, REPORT or BRIEF) carries, by period key."""
    attached: dict[str, tuple[Attachment, ...]] = {}
    shown = []
    for report in reports:
        attached[report.period.key], evidence = pack(workspace, report, today, pdf_name(report.period), document)
        shown.append(dataclasses.replace(report, evidence=evidence))
    return shown, attached


def figures_json(data: bytes) -> dict[str, Any]:
    """figures.json's content (read.py has checked its size)."""
    loaded = json.loads(data)
    if not isinstance(loaded, dict):
        raise ValueError("it is not a JSON object")
    return loaded


def file_path(root: Path, name: str) -> Path:
    return root.joinpath(*name.split("/"))
