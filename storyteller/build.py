"""`storyteller build`: stories to HTML and PDF reports, for one or more periods.

Everything is rendered in memory first; files are written (atomically) only when every
report of the run rendered, so a failed build never replaces a good report.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storyteller.errors import ProblemsFound, StorytellerError, WorkspaceError, raise_if_stopped
from storyteller.evidence.pack import BRIEF
from storyteller.evidence.pack import attach as attach_evidence
from storyteller.figures.periods import Quarter
from storyteller.format.config import DEFAULT_ORGANIZATION, Config
from storyteller.format.load import Workspace
from storyteller.format.scaffold import slugify
from storyteller.paths import first_link
from storyteller.pdf import Printer
from storyteller.pdf.attach import Attachment
from storyteller.report import charts
from storyteller.report.context import Period, ReportContext, build_context, with_rendered_charts
from storyteller.report.render import environment, html_report
from storyteller.write import write_all_atomic

if TYPE_CHECKING:
    from jinja2 import Environment

    from storyteller.report.brief import Brief

FORMATS = ("html", "pdf")
DECK = "pptx"  # `--format pptx`: the deck (deck/), made only when asked for
Progress = Callable[[str, int, int], None]  # (the step starting, steps done, steps in all)
PACKAGE = Path(__file__).resolve().parent
MAX_STORIES_PER_REPORT = 2_000
PDF_TIME_LIMIT = 600.0  # seconds for one PDF; 1,000 stories take about a tenth of it


@dataclass(frozen=True)
class BuildRequest:
    quarter: Quarter | None = None
    year: int | None = None
    every: bool = False
    formats: tuple[str, ...] = FORMATS
    output: Path | None = None
    today: dt.date = dt.date(2000, 1, 1)
    created: str = ""  # ISO 8601 timestamp for the PDF metadata
    time_limit: float = PDF_TIME_LIMIT  # for each PDF; 0 for none
    brief: bool = False  # the one-page brief of each period instead of its report


@dataclass(frozen=True)
class Built:
    period: str
    path: Path
    refused: tuple[str, ...] = ()  # URLs the PDF renderer was not allowed to read


def periods(workspace: Workspace, request: BuildRequest) -> list[Period]:
    start = workspace.config.fiscal_year_start
    quarters = sorted({s.quarter for s in workspace.stories})
    if not quarters:
        raise StorytellerError('the workspace has no stories yet; add one with `storyteller new "Title"`')
    if request.quarter is not None and request.quarter not in quarters:
        raise StorytellerError(
            f"no story is in {request.quarter}; quarters with stories: {', '.join(str(q) for q in quarters)}"
        )
    if request.year is not None and request.year not in {q.year for q in quarters}:
        known = ", ".join(sorted({str(q.year) for q in quarters}))
        raise StorytellerError(f"no story is in fiscal year {request.year}; years with stories: {known}")
    if request.every:
        years = sorted({q.year for q in quarters})
        return [Period.quarter(q, start) for q in quarters] + [Period.year(y, start) for y in years]
    if request.year is not None:
        return [Period.year(request.year, start)]
    if request.quarter is not None:
        return [Period.quarter(request.quarter, start)]
    return [Period.quarter(quarters[-1], start)]


def file_name(workspace: Workspace, period: Period, extension: str) -> str:
    name = slugify(workspace.config.organization) if workspace.config.organization != DEFAULT_ORGANIZATION else ""
    return f"{name or 'report'}-{period.key}.{extension}"


def cache_folder(config: Config) -> Path:
    """output/.cache, once it is sure that no folder on the way there is a link: a committed
    link named `output` would make the caches (cache.py) and the reports lie elsewhere."""
    link = first_link(config.root, config.output_dir / ".cache")
    if link is not None:
        shown = link.relative_to(config.root).as_posix()
        raise WorkspaceError(
            f"`{shown}` is a symbolic link (to {os.readlink(link)}); storyteller keeps its reports and caches "
            f"only in a real folder: remove the link, or name another folder with `output:` in storyteller.yaml"
        )
    return config.output_dir / ".cache"


def contexts(workspace: Workspace, request: BuildRequest) -> list[ReportContext]:
    """The context of every requested report, with its charts drawn."""
    result = undrawn_contexts(workspace, request)
    cache = cache_folder(workspace.config) / "charts"
    every_chart = [chart for context in result for chart in context.charts]
    rendered = {chart.key: chart for chart in charts.render(every_chart, cache)}
    return [with_rendered_charts(context, rendered) for context in result]


def undrawn_contexts(workspace: Workspace, request: BuildRequest) -> list[ReportContext]:
    """The context of every requested report; its charts are not drawn yet."""
    result = []
    for period in periods(workspace, request):
        stories = [s for s in workspace.stories if s.quarter in period.quarters]
        if len(stories) > MAX_STORIES_PER_REPORT:
            raise StorytellerError(
                f"{period.key} has {len(stories):,} stories; one report holds at most "
                f"{MAX_STORIES_PER_REPORT:,}, build it a quarter at a time (--quarter)"
            )
        earlier = [s for s in workspace.stories if s.quarter < period.quarters[0]]
        result.append(build_context(stories, workspace.config, period, request.today, earlier))
    return result


def _silent(step: str, done: int, total: int) -> None:
    pass


def build(workspace: Workspace, request: BuildRequest, progress: Progress = _silent) -> list[Built]:
    """Render every requested report, then write them all. Returns what was written."""
    if workspace.problems:
        raise ProblemsFound(workspace.problems)
    if request.brief:
        return build_briefs(workspace, request, progress)
    total = 1 + len(periods(workspace, request)) * len(request.formats)
    progress("charts", 0, total)
    config = workspace.config
    env = environment(config.root / "templates")
    out_root = request.output or config.output_dir
    cache = cache_folder(config)
    pending: list[Built] = []
    data: dict[Path, bytes] = {}
    every = undrawn_contexts(workspace, request)
    # Each PDF carries its evidence: its stories, the config and its figures (storyteller/evidence).
    attached: dict[str, tuple[Attachment, ...]] = {}
    if "pdf" in request.formats:
        every, attached = attach_evidence(workspace, every, request.today, lambda p: file_name(workspace, p, "pdf"))
    with contextlib.ExitStack() as stack:
        # First, as it may start worker processes for the PDFs, which import WeasyPrint meanwhile.
        printer = stack.enter_context(Printer(every if "pdf" in request.formats else [], config.root / "templates"))
        # Charts not in the cache are converted from now on, beside (a forked copy, or a thread
        # when the PDF workers run), while WeasyPrint is imported and parses the PDF's source:
        # it asks for each chart (drawing.resource) as it reaches it; a PDF's parts are handed
        # the SVGs of their charts (pdf/parts.py).
        every_chart = [c for context in every for c in context.charts if {"html", "pdf"} & set(request.formats)]
        drawing = stack.enter_context(
            charts.Drawing(every_chart, cache / "charts", config.root, beside="pdf" in request.formats)
        )
        for context in every:
            folder = out_root / context.period.key
            made: list[Built] = []
            if "pdf" in request.formats:
                progress(f"pdf {context.period.key}", len(pending) + 1, total)
                roots = [config.root, PACKAGE, *([config.brand_logo.parent] if config.brand_logo else [])]
                path = folder / file_name(workspace, context.period, "pdf")
                data[path], refused = printer.render_pdf(
                    env,
                    context,
                    drawing,
                    request.created,
                    config.root,
                    roots,
                    request.time_limit,
                    attachments=attached[context.period.key],
                )
                made.append(Built(context.period.key, path, tuple(refused)))
            if "html" in request.formats:
                progress(f"html {context.period.key}", len(pending) + len(made) + 1, total)
                path = folder / file_name(workspace, context.period, "html")
                data[path] = html_report(env, context, cache / "fonts", drawing).encode()
                made.insert(0, Built(context.period.key, path))
            if DECK in request.formats:
                from storyteller.deck import render_deck  # python-pptx only for a deck

                progress(f"pptx {context.period.key}", len(pending) + len(made) + 1, total)
                path = folder / file_name(workspace, context.period, DECK)
                data[path] = render_deck(context, config, request.created)
                made.append(Built(context.period.key, path))
            pending += made
    _write_all(data, out_root, "report")
    progress("done", total, total)
    return pending


def _write_all(data: dict[Path, bytes], out_root: Path, what: str) -> None:
    """Write every output at once, atomically, or none (write.py); a signal that a library
    swallowed still stops the build before anything is written."""
    raise_if_stopped()
    try:
        write_all_atomic(data)
    except OSError as error:
        raise StorytellerError(
            f"cannot write {error.filename or out_root}: {error.strerror}; no {what} was replaced"
        ) from None


def brief_file_name(workspace: Workspace, period: Period, extension: str) -> str:
    """`<name>-<period>-brief.<extension>`: the one-page brief, beside its report."""
    return file_name(workspace, period, extension).removesuffix(f".{extension}") + f"-brief.{extension}"


def build_briefs(workspace: Workspace, request: BuildRequest, progress: Progress = _silent) -> list[Built]:
    """Render the one-page brief of every requested period (report/brief.py), then write
    them all. It shows no chart, so nothing is converted and no worker is started."""
    from storyteller.report.brief import brief, brief_html
    from storyteller.report.render import font_faces_for_html, visible_text

    config = workspace.config
    env = environment(config.root / "templates")
    out_root = request.output or config.output_dir
    cache = cache_folder(config)
    every = undrawn_contexts(workspace, request)
    # The brief's PDF carries the same evidence as its report's (storyteller/evidence).
    attached: dict[str, tuple[Attachment, ...]] = {}
    if "pdf" in request.formats:
        every, attached = attach_evidence(
            workspace, every, request.today, lambda p: brief_file_name(workspace, p, "pdf"), BRIEF
        )
    total = len(every) * len(request.formats)
    built: list[Built] = []
    data: dict[Path, bytes] = {}
    for context in every:
        item = brief(context, file_name(workspace, context.period, "pdf"))
        folder = out_root / context.period.key
        if "html" in request.formats:
            progress(f"brief html {context.period.key}", len(built), total)
            placeholder = "/* the fonts, cut down to the brief's characters */"
            html = brief_html(env, item, "html", placeholder)
            html = html.replace(placeholder, font_faces_for_html(visible_text(html), cache / "fonts", config.root), 1)
            path = folder / brief_file_name(workspace, context.period, "html")
            data[path] = html.encode()
            built.append(Built(context.period.key, path))
        if "pdf" in request.formats:
            progress(f"brief pdf {context.period.key}", len(built), total)
            pdf, refused = _brief_pdf(env, item, config, request, attached[context.period.key])
            path = folder / brief_file_name(workspace, context.period, "pdf")
            data[path] = pdf
            built.append(Built(context.period.key, path, tuple(refused)))
    _write_all(data, out_root, "brief")
    progress("done", total, total)
    return built


def _brief_pdf(
    env: Environment, item: Brief, config: Config, request: BuildRequest, attachments: tuple[Attachment, ...]
) -> tuple[bytes, list[str]]:
    """The brief's PDF, carrying ``attachments``, and the URLs WeasyPrint was refused."""
    from storyteller.pdf.whole import TimeLimitExceeded, write_pdf
    from storyteller.report.brief import brief_html
    from storyteller.report.render import font_faces_for_pdf

    source = brief_html(env, item, "pdf", font_faces_for_pdf(), request.created, config.root)
    roots = [config.root, PACKAGE, *([config.brand_logo.parent] if config.brand_logo else [])]
    try:
        return write_pdf(
            source,
            roots,
            config.root,
            time_limit=request.time_limit,
            attachments=attachments,
            created=request.created,
        )
    except TimeLimitExceeded:
        raise StorytellerError(
            f"the brief of {item.period_key} took longer than {request.time_limit:g} s to lay out; "
            "raise the limit with --time-limit"
        ) from None
