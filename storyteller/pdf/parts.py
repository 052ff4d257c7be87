"""A large report's PDF, laid out in parts on every core and joined into one.

WeasyPrint lays a document out in one process, page after page, and holds every page in
memory until it writes the PDF: a 1,000-story annual review took minutes on one core and
close to 3 GB. From PARTS_FROM stories on, the PDF is laid out in parts instead: the front
(cover and contents), the executive summary, each category (in slices of STORIES_PER_PART
stories), the small wins and the stories in progress, and the appendix (its table in
slices). Each part is the report's own template rendered with a slice of the context and a
Part (pdf/part.py) that says which pieces it holds. Worker processes (workers.Pool) lay the
parts out, the largest first, one at a time each (whole.lay_out_part), handed the SVG of
each chart a part shows (converted once, in this process, by the Drawing's thread: no worker
loads Altair or vl-convert); a worker holds one part's layout in memory, never the report's. Whether a report is laid out in parts is decided in pdf/__init__.py.

Each part begins a page. In every PDF each category and the small wins begin a page
(report.css), so a report cut there lays out exactly as it would whole; only a category
longer than a slice, or a long list or table, gains a page break between two of its stories,
briefs or rows.

What WeasyPrint would work out for a whole document is done here and in pdf/join.py:
- the page numbers and running heads need the page count, so the parts are laid out
  without them and they are laid out afterwards on sheets, drawn over the pages;
- the contents need every part's page numbers, so the front is laid out a second time,
  with the numbers given (report.css shows ``data-page``);
- WeasyPrint drops a link to an id that is not in the document, so a link to an id of the
  report is written as a ``storyteller-anchor:`` link and made an internal link again when
  the parts are joined;
- the outline, the link destinations and the structure tree are joined (pdf/join.py).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment

from storyteller.pdf.attach import Attachment
from storyteller.pdf.join import LINK_SCHEME
from storyteller.pdf.part import Part, Sheets
from storyteller.pdf.whole import LaidOut, PartJob, lay_out_part
from storyteller.report.charts import Chart, Drawing
from storyteller.report.context import ReportContext, with_rendered_charts
from storyteller.report.render import pdf_source
from storyteller.workers import JobFailed, Pool, cores

PARTS_FROM = 40  # stories in a report from which its PDF is laid out in parts
STORIES_PER_PART = 45  # WeasyPrint holds about 5 MB of layout a story
BRIEFS_PER_PART = 150  # small wins and stories in progress
ROWS_PER_PART = 300  # rows of the appendix's table
SHEETS_PER_PART = 300  # WeasyPrint takes longer a page the more pages a document has
WORKERS = 4  # at most, one a core: each holds one part's layout, a few hundred MB
FRONT_PASSES = 3  # the contents' numbers could make the front longer; then it is laid out again

FRONT = Part(summary=False, body=False, end=False, paged=True)  # laid out twice: the contents need page numbers
PLACEHOLDER = 8888  # the contents' page numbers before they are known: as wide as most

_LINK = re.compile(r'\shref="#([^"]+)"')
T = TypeVar("T")


def in_parts(report: ReportContext, templates: Path | None) -> bool:
    """Whether the PDF of ``report`` is laid out in parts: PARTS_FROM stories or more, two cores
    or more, and the built-in report.html and report.css (an override of either may lay the
    report out in ways the parts do not reproduce, so its PDF is laid out whole)."""
    overridden = templates is not None and any((templates / name).is_file() for name in ("report.html", "report.css"))
    return report.stories_total >= PARTS_FROM and cores() >= 2 and not overridden


@dataclass(frozen=True)
class Piece:
    """One part: which pieces of the report (``part``) and the context sliced to them."""

    part: Part
    report: ReportContext
    shown: tuple[Chart, ...] = ()  # the charts the part shows
    extra: tuple[Chart, ...] = ()  # charts of its stories that no part shows (briefs): kept in the cache
    weight: float = 0.0  # about the seconds its layout takes: the largest are handed out first


def _slices(items: Sequence[T], most: int) -> list[Sequence[T]]:
    """``items`` in as few slices of at most ``most`` as can be, of nearly equal length."""
    count = max(1, math.ceil(len(items) / most))
    size, bigger = divmod(len(items), count)
    slices, start = [], 0
    for index in range(count):
        end = start + size + (index < bigger)
        slices.append(items[start:end])
        start = end
    return slices


def plan(report: ReportContext) -> list[Piece]:
    """The parts of ``report``, in the order of the document."""
    summary_charts = tuple(c for c in (report.categories.chart, report.trend.chart) if c is not None)
    summary = Part(front=False, body=False, end=False, paged=True)
    pieces = [Piece(FRONT, report, weight=0.1), Piece(summary, report, summary_charts, weight=0.5)]
    cut = Part(front=False, summary=False, appendix_head=False, end=False, paged=True)
    for category in report.categories.sections:
        for index, stories in enumerate(_slices(category.stories, STORIES_PER_PART)):
            category_slice = dataclasses.replace(category, stories=tuple(stories))
            part = dataclasses.replace(cut, continues=category.key if index else "")
            shown = tuple(s.chart for s in stories if s.chart is not None)
            sliced = report.with_body(sections=(category_slice,))
            pieces.append(Piece(part, sliced, shown, weight=0.17 * len(stories)))
    briefs = [("small-wins", view) for view in report.small_wins] + [
        ("in-progress", view) for view in report.in_progress
    ]
    before = ""
    for chunk in _slices(briefs, BRIEFS_PER_PART) if briefs else []:
        first = chunk[0][0]
        sliced = report.with_body(
            small_wins=tuple(v for section, v in chunk if section == "small-wins"),
            in_progress=tuple(v for section, v in chunk if section == "in-progress"),
        )
        extra = tuple(v.chart for _, v in chunk if v.chart is not None)
        part = dataclasses.replace(cut, continues=first if first == before else "")
        pieces.append(Piece(part, sliced, (), extra, weight=0.05 * len(chunk)))
        before = chunk[-1][0]
    rows = _slices(report.appendix.rows, ROWS_PER_PART)
    for index, row_slice in enumerate(rows):
        part = dataclasses.replace(
            cut, continues="appendix" if index else "", appendix_head=index == 0, end=index == len(rows) - 1
        )
        sliced = report.with_body(rows=tuple(row_slice))
        pieces.append(Piece(part, sliced, weight=0.3 * (index == 0) + 0.009 * len(row_slice)))
    return pieces


def _linked(html: str) -> str:
    """Every link to an id made a ``storyteller-anchor:`` link, which WeasyPrint keeps even
    when the id is in another part; pdf/join.py makes them internal links again."""
    return _LINK.sub(lambda m: f' href="{LINK_SCHEME}{m[1]}"', html)


def start_workers(count: int | None = None) -> Pool:
    """Worker processes that lay out the parts of PDFs, started before the parts are ready, so
    that their imports of WeasyPrint overlap this process's work. They take the largest part
    first, one at a time each, and copy WeasyPrint's fonts into a temporary folder of their
    own (workers.Pool's ``scratch``), removed with them."""
    from storyteller.pdf.whole import import_weasyprint

    workers = Pool(count or min(cores(), WORKERS), "PDF", import_weasyprint, scratch=True, loggers=("weasyprint",))
    try:
        workers.start()
    except BaseException:  # a Ctrl-C while they start, too
        workers.close(at_once=True)
        raise
    return workers


def lay_out(workers: Pool, jobs: Iterable[tuple[int, PartJob]], count: int) -> list[LaidOut]:
    """The results of ``count`` jobs, in the order of their numbers; a worker's error is
    raised here. ``jobs`` (number, job) is read lazily, in the order the jobs are to be
    handed out: the workers start on the first while the next are made."""
    try:
        results = workers.run(lay_out_part, jobs)
    except JobFailed as failed:
        raise RuntimeError(
            f"laying out part {failed.number + 1} of the PDF failed in a worker process:\n{failed.details}"
        ) from None
    if len(results) != count:
        raise RuntimeError(f"{len(results)} of {count} parts of the PDF were laid out")
    return [results[i] for i in range(count)]


def write_pdf(
    env: Environment,
    report: ReportContext,
    drawing: Drawing,
    workers: Pool,
    created: str,
    root: Path,
    roots: Sequence[Path],
    last: bool = True,
    attachments: Sequence[Attachment] = (),
) -> tuple[bytes, list[str]]:
    """The PDF of ``report``, laid out in parts by ``workers``, with ``attachments`` embedded
    when the parts are joined. Returns the PDF and the URLs that were refused, like
    whole.write_pdf for a report laid out whole. Charts not in the
    cache are converted by the workers and kept in ``drawing``. When this is the ``last``
    PDF for the workers, they are stopped before the parts are joined: their memory is free
    for the joining."""
    from storyteller.pdf.join import join

    located = drawing.located()
    pieces = plan(report)
    pieces[0] = dataclasses.replace(pieces[0], part=dataclasses.replace(FRONT, pages=_numbers(report, {})))

    def job(piece: Piece) -> PartJob:
        """The part's job, with the SVG of every chart it shows: the workers need neither
        Altair nor vl-convert (about 70 MB each), and the charts are converted once, here."""
        source = pdf_source(env, with_rendered_charts(piece.report, located), created, root, piece.part)
        return PartJob(
            _linked(source),
            tuple(roots),
            root,
            tagged=piece.part.sheets is None,  # sheets are drawn as artifacts, outside the structure tree
            svgs=tuple((located[c.key].url, drawing.svg(c.key)) for c in piece.shown),
        )

    largest_first = sorted(range(len(pieces)), key=lambda i: (-pieces[i].weight, i))
    drawing.prefer(c.key for i in largest_first for c in pieces[i].shown)  # the first part waits least
    laid = lay_out(workers, ((i, job(pieces[i])) for i in largest_first), len(pieces))
    front, body = laid[0], laid[1:]
    for _ in range(FRONT_PASSES):
        final = _front_and_sheets(report, front, body)
        order = [*range(2, len(final)), 0, 1]  # the page numbers take longest
        done = lay_out(workers, ((i, job(final[i])) for i in order), len(final))
        if done[0].names == front.names:
            if last:
                workers.close()
            refused = sorted({url for part in [*laid, *done] for url in part.refused})
            return join([done[0], *body], done[1], done[2:], attachments, created), refused
        front = done[0]  # the page numbers made the contents longer: lay the sheets out again
    raise RuntimeError("the contents changed their length each time they were laid out")


def _front_and_sheets(report: ReportContext, front: LaidOut, body: Sequence[LaidOut]) -> list[Piece]:
    """What is laid out once the parts are: the front with the contents' page numbers, a
    sheet of running heads for each named page, and the page-number sheets of every page."""
    names = [*front.names, *(name for part in body for name in part.names)]
    offsets = [len(front.names)]
    for part in body[:-1]:
        offsets.append(offsets[-1] + len(part.names))
    page_of = {name: page + 1 for name, page, _x, _y in front.anchors}
    for part, offset in zip(body, offsets, strict=True):
        for name, page, _x, _y in part.anchors:
            page_of.setdefault(name, offset + page + 1)
    return [
        Piece(dataclasses.replace(FRONT, pages=_numbers(report, page_of)), report),
        Piece(Part(sheets=Sheets(tuple(dict.fromkeys(names)), 1, len(names), heads=True)), report),
        *(
            Piece(
                Part(sheets=Sheets(tuple(names[start : start + SHEETS_PER_PART]), start + 1, len(names), False)),
                report,
            )
            for start in range(0, len(names), SHEETS_PER_PART)
        ),
    ]


def _numbers(report: ReportContext, page_of: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """The page number of each entry of the contents; PLACEHOLDER before they are known."""
    return tuple((name, page_of.get(name, PLACEHOLDER)) for name in _contents(report))


def _contents(report: ReportContext) -> Iterator[str]:
    """The ids the contents link to (report.html's contents block)."""
    yield "summary"
    yield from (category.anchor for category in report.categories.sections)
    yield from ("small-wins", "in-progress", "appendix")
