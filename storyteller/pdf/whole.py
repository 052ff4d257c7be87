"""HTML to PDF with WeasyPrint, allowed to read only the workspace and the package.

pdf/__init__.py's Printer calls it for a report laid out whole, and pdf/parts.py's worker
processes for each part of a large one (lay_out_part); it imports WeasyPrint only when a PDF
is made. The speed-up of pydyf that WeasyPrint's tagging needs lives here too, guarded.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from storyteller.paths import WORKSPACE_SCHEME, inside, media_type, real
from storyteller.pdf.attach import Attachment, for_weasyprint
from storyteller.pdf.scope import header_scopes
from storyteller.report.charts import Chart
from storyteller.workers import scratch_prefix

Late = Callable[[str], bytes | None]  # a URL's content made during the layout, or None
PDF_VARIANT = "pdf/ua-1"  # tagged PDF: headings, tables and alt texts for assistive technology


class TimeLimitExceeded(BaseException):
    """The layout took longer than the time limit and was stopped. Like KeyboardInterrupt it
    is no Exception: it strikes wherever the layout is, and code there that turns any
    Exception into its own error (Jinja's, WeasyPrint's) must let it through."""


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise TimeLimitExceeded in the block after ``seconds`` (a real-time timer, SIGALRM;
    only in the main thread, where Python delivers signals). WeasyPrint swallows every
    exception while it draws an SVG, so the timer repeats each second until one lands
    elsewhere, and the block's end checks it too."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    expired: list[bool] = []

    def alarm(signum: int, frame: object) -> None:
        expired.append(True)
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if expired:
        raise TimeLimitExceeded()


def _fonts_in(folder: Path) -> Any:
    """A WeasyPrint font configuration that copies each @font-face font into ``folder``.
    WeasyPrint makes a folder of its own for them under the system's temporary folder and
    removes it only when the configuration is garbage-collected, which an interrupted build
    may never reach; ``folder`` is removed by its maker. Should WeasyPrint no longer keep
    that folder in ``_folder``, its own folder is used, as without this."""
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    if "_folder" in vars(fonts) and fonts._folder is None:
        fonts._folder = Path(tempfile.mkdtemp(prefix="weasyprint-", dir=folder))
    return fonts


def _kept_page_references(made: property) -> property:
    """pydyf's ``page_references`` with the tuple kept until a page is added."""
    made_by = made.fget
    assert made_by is not None

    def kept(pdf: Any) -> Any:
        pages = len(pdf.pages["Kids"])
        cached = pdf.__dict__.get("_storyteller_page_references")
        if cached is None or cached[0] != pages:
            cached = pdf.__dict__["_storyteller_page_references"] = (pages, made_by(pdf))
        return cached[1]

    return property(kept)


@contextlib.contextmanager
def _page_references_kept() -> Iterator[None]:
    """pydyf makes the tuple of every page's reference anew each time it is read, and
    WeasyPrint's tagging (PDF/UA) and links read it once per tagged element: quadratic in
    pages, minutes for a 1,000-story report (docs/performance.md). While a PDF is written,
    the tuple is kept until a page is added. The PDF is byte for byte the same
    (tests/test_pdf.py). Only a plain property on the class is replaced: should pydyf make
    it anything else (a cached property, a method, an attribute), it is left alone and the
    PDF is made as pydyf makes it."""
    import pydyf

    made = vars(pydyf.PDF).get("page_references")
    if not isinstance(made, property) or made.fget is None or made.fset is not None:
        yield
        return
    pydyf.PDF.page_references = _kept_page_references(made)
    try:
        yield
    finally:
        pydyf.PDF.page_references = made


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
        """Serves data: URLs and files under the allowed folders; refuses everything else,
        so no story can pull /etc/passwd or a metadata URL into a report.
        storyteller-workspace: URLs are relative to the workspace."""

        def __init__(self, roots: Sequence[Path], workspace: Path, late: Late | None = None) -> None:
            super().__init__(allowed_protocols=("file", "data"), fail_on_errors=False)
            self.roots = list(roots)
            self.workspace = workspace
            self.late = late
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            made = self.late(url) if self.late is not None else None
            if made is not None:
                return URLFetcherResponse(url, made, {"Content-Type": "image/svg+xml"})
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme in ("file", WORKSPACE_SCHEME):
                given = unquote(urlsplit(url).path)
                path = real(self.workspace / given if scheme == WORKSPACE_SCHEME else given)
                if inside(path, *self.roots) and os.path.isfile(path):
                    with open(path, "rb") as handle:
                        body = handle.read()
                    return URLFetcherResponse(url, body, {"Content-Type": media_type(path, body)})
            self.refused.append(url)
            raise ValueError(f"storyteller does not fetch {url}")

    return ConfinedFetcher


def import_weasyprint() -> Any:
    """WeasyPrint's HTML class, WeasyPrint imported without the system's mime.types files.

    WeasyPrint builds a MimeTypes table on import, and the first table Python builds reads
    the system's mime.types files (outside the workspace, different on every machine);
    storyteller needs only Python's own table. ``mimetypes.knownfiles`` is emptied for the
    import only and put back; the tables built meanwhile keep Python's own types."""
    import mimetypes

    known = mimetypes.knownfiles
    mimetypes.knownfiles = []
    try:
        try:
            with _no_library_search():
                from weasyprint import HTML
        except OSError:  # a system where only the search finds Pango & co.: import it searching
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
            from weasyprint import HTML
    finally:
        mimetypes.knownfiles = known
    return HTML


@contextlib.contextmanager
def _no_library_search() -> Iterator[None]:
    """On Linux, ``ctypes.util.find_library`` finds nothing in the block, and WeasyPrint's
    complaint about missing libraries is not shown (the caller tries again, searching).

    WeasyPrint loads Pango, HarfBuzz and the others trying several names each (its
    text/ffi.py), and cffi hands each name that does not load as it is to find_library,
    which on Linux runs ldconfig, gcc and ld: about 40 processes, 0.3 s of a 0.6 s import
    (and each a vfork of this process, which a memory sampler counts twice). The names it
    tries next are the libraries' sonames (libpango-1.0.so.0), which load as they are: the
    libraries that the search would have found."""
    if not sys.platform.startswith("linux"):
        yield
        return
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        ctypes.util.find_library = search


def write_pdf(
    html: str,
    roots: Sequence[Path],
    base: Path,
    tagged: bool = True,
    time_limit: float | None = None,
    late: Late | None = None,
    attachments: Sequence[Attachment] = (),
    created: str = "",
    charts: Iterable[str] = (),
) -> tuple[bytes, list[str]]:
    """Render ``html`` to PDF bytes, with ``attachments`` embedded (dated ``created``).
    Returns the PDF and the URLs that were refused.
    Raises TimeLimitExceeded when parsing, layout and writing take over ``time_limit`` s.
    ``late`` serves the charts still being converted while WeasyPrint lays the report out:
    it is asked first for every URL, waits for that chart if need be, and returns None for
    any URL that is not a chart's. ``charts``: the charts' URLs, each asked of ``late`` only
    when the layout reaches the chart (_LateChart)."""
    HTML = import_weasyprint()
    fetcher = _fetcher_class()(roots, base, late)
    options: dict[str, Any] = {"pdf_variant": PDF_VARIANT} if tagged else {}
    if attachments:
        options["attachments"] = for_weasyprint(attachments, created)
    with (
        tempfile.TemporaryDirectory(prefix=scratch_prefix("pdf")) as scratch,
        deadline(time_limit),
        _page_references_kept(),
    ):
        fonts = _fonts_in(Path(scratch))
        if late is not None:
            options["cache"] = {url: _LateChart(url, late, fetcher, fonts) for url in charts}
        document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
        data = document.write_pdf(font_config=fonts, finisher=header_scopes, **options)
    assert isinstance(data, bytes)
    return data, fetcher.refused


class _LateChart:
    """A chart's image, handed to WeasyPrint before its SVG exists. WeasyPrint loads every
    image as it builds the document's boxes, before it lays out the first page; a chart
    put in its image cache (the ``cache`` option) under its URL is asked for its SVG only
    when the layout reaches it (its size) or draws it. Meanwhile the chart is converted on
    the other core (report/charts.py, Drawing), so a small report's layout no longer
    waits for every chart before its first page: measured in docs/performance.md.

    The SVG becomes WeasyPrint's own SVGImage, made as WeasyPrint makes it, with the
    build's font configuration (its fonts draw the charts' text) in place of the layout
    context WeasyPrint would pass: an SVG uses that only for its fonts, hyphenation
    dictionaries and images inside it, which no chart has."""

    def __init__(self, url: str, late: Late, fetcher: Any, fonts: Any) -> None:
        self._url = url
        self._late = late
        self._fetcher = fetcher
        self._fonts = fonts

    @cached_property
    def _image(self) -> Any:
        from xml.etree import ElementTree

        from weasyprint.images import SVGImage

        svg = self._late(self._url)
        if svg is None:
            raise ValueError(f"no chart at {self._url}")
        return SVGImage(ElementTree.fromstring(svg), self._url, self._fetcher, _ChartContext(self._fonts))

    def get_intrinsic_size(self, resolution: float, font_size: float) -> Any:
        return self._image.get_intrinsic_size(resolution, font_size)

    def draw(self, stream: Any, width: float, height: float, style: Any) -> None:
        self._image.draw(stream, width, height, style)


@dataclass
class _ChartContext:
    """What an SVG asks of WeasyPrint's layout context (_LateChart)."""

    font_config: Any
    dictionaries: dict[Any, Any] = field(default_factory=dict)

    def get_image_from_uri(self, **_given: Any) -> None:  # an image inside a chart: none is fetched
        return None


@dataclass(frozen=True)
class PartJob:
    """One part of a PDF laid out in parts (pdf/parts.py), for a worker process."""

    html: str
    roots: tuple[Path, ...]
    base: Path
    tagged: bool = True
    svgs: tuple[tuple[str, str], ...] = ()  # (URL, SVG) of the charts shown in the part that are drawn
    charts: tuple[Chart, ...] = ()  # shown in the part, not drawn yet: converted when WeasyPrint asks
    extra: tuple[Chart, ...] = ()  # shown in no part: converted after the layout, for the cache
    frames: tuple[tuple[Any, dict[str, Any]], ...] = ()  # charts.compiled_frames: the Vega of each kind of chart


@dataclass(frozen=True)
class LaidOut:
    """A part as WeasyPrint laid it out: its PDF and what joining it to the others needs.
    Positions are in PDF points from the bottom left, as WeasyPrint writes them."""

    pdf: bytes
    names: tuple[str, ...]  # each page's named page (CSS ``page``), "" for none
    anchors: tuple[tuple[str, int, float, float], ...]  # (id, page, x, y), the first of each id
    bookmarks: tuple[tuple[int, int, str, float, float, str], ...]  # (page, level, label, x, y, state)
    svgs: tuple[tuple[str, str], ...] = ()  # (key, SVG) of the charts converted here
    refused: tuple[str, ...] = ()


def lay_out_part(job: PartJob) -> LaidOut:
    """Lay one part out and write its PDF, converting the charts it shows that the cache does
    not have yet when WeasyPrint reaches them. Runs in a worker process."""
    from storyteller.report import charts

    HTML = import_weasyprint()
    from weasyprint.matrix import Matrix

    charts.use_frames(job.frames)
    known = dict(job.svgs)
    waiting = {chart.url: chart for chart in job.charts}
    svgs: dict[str, str] = {}

    def late(url: str) -> bytes | None:
        if url in known:
            return known[url].encode("utf-8")
        chart = waiting.get(url)
        if chart is None:
            return None
        if chart.key not in svgs:
            svgs[chart.key] = charts.draw(chart)[1]
        return svgs[chart.key].encode("utf-8")

    fetcher = _fetcher_class()(job.roots, job.base, late)
    options: dict[str, Any] = {"pdf_variant": PDF_VARIANT} if job.tagged else {}
    with _page_references_kept():
        document = HTML(string=job.html, base_url=job.base.as_uri() + "/", url_fetcher=fetcher).render(**options)
        data = document.write_pdf(finisher=header_scopes, **options)
    anchors: dict[str, tuple[str, int, float, float]] = {}
    bookmarks = []
    for number, page in enumerate(document.pages):
        matrix = Matrix(a=0.75, d=-0.75, f=page.height * 0.75)  # CSS pixels to PDF points, as WeasyPrint does
        for name, (x, y, _width, _height) in page.anchors.items():
            if name not in anchors:
                anchors[name] = (name, number, *matrix.transform_point(x, y))
        for level, label, (x, y), state in page.bookmarks:
            bookmarks.append((number, level, label, *matrix.transform_point(x, y), state))
    for chart in job.extra:
        svgs.setdefault(chart.key, charts.draw(chart)[1])
    return LaidOut(
        pdf=data,
        names=tuple(page._page_box.page_type.name or "" for page in document.pages),
        anchors=tuple(anchors.values()),
        bookmarks=tuple(bookmarks),
        svgs=tuple(svgs.items()),
        refused=tuple(fetcher.refused),
    )
