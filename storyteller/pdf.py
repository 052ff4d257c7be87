"""HTML to PDF with WeasyPrint, allowed to read only the workspace and the package.

A leaf module: build.py calls it, and it imports WeasyPrint only when a PDF is made.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from storyteller.paths import WORKSPACE_SCHEME, inside, media_type, real

Late = Callable[[str], bytes | None]  # a URL's content made during the layout, or None
PDF_VARIANT = "pdf/ua-1"  # tagged PDF: headings, tables and alt texts for assistive technology


class TimeLimitExceeded(Exception):
    """The layout took longer than the time limit and was stopped."""


@contextlib.contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
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


@contextlib.contextmanager
def _scratch_folder() -> Iterator[None]:
    """WeasyPrint copies each @font-face font into a folder of its own under the system's
    temporary folder and removes it only when its font configuration is garbage-collected,
    which an interrupted build may never reach. Give it a folder that we remove ourselves."""
    previous = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix="storyteller-pdf-") as scratch:
        tempfile.tempdir = scratch
        try:
            yield
        finally:
            tempfile.tempdir = previous


@contextlib.contextmanager
def _page_references_kept() -> Iterator[None]:
    """pydyf makes the tuple of every page's reference anew each time it is read, and
    WeasyPrint's tagging (PDF/UA) and links read it once per tagged element: quadratic in
    pages, minutes for a 1,000-story report. While a PDF is written, the tuple is kept until
    a page is added. The PDF is byte for byte the same (tests/test_pdf.py)."""
    import pydyf

    made = pydyf.PDF.page_references

    def kept(pdf: Any) -> Any:
        pages = len(pdf.pages["Kids"])
        cached = pdf.__dict__.get("_storyteller_page_references")
        if cached is None or cached[0] != pages:
            cached = pdf.__dict__["_storyteller_page_references"] = (pages, made.fget(pdf))
        return cached[1]

    pydyf.PDF.page_references = property(kept)
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


def write_pdf(
    html: str,
    roots: Sequence[Path],
    base: Path,
    tagged: bool = True,
    time_limit: float | None = None,
    late: Late | None = None,
) -> tuple[bytes, list[str]]:
    """Render ``html`` to PDF bytes. Returns the PDF and the URLs that were refused.
    Raises TimeLimitExceeded when parsing, layout and writing take over ``time_limit`` s.
    ``late`` serves the charts still being converted while WeasyPrint lays the report out:
    it is asked first for every URL, waits for that chart if need be, and returns None for
    any URL that is not a chart's."""
    import mimetypes

    # WeasyPrint builds a MimeTypes table on import, which reads the system's mime.types files
    # (outside the workspace, different on every machine); storyteller needs only Python's own.
    mimetypes.knownfiles = []
    from weasyprint import HTML

    fetcher = _fetcher_class()(roots, base, late)
    options: dict[str, Any] = {"pdf_variant": PDF_VARIANT} if tagged else {}
    with _scratch_folder(), _deadline(time_limit), _page_references_kept():
        document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
        data = document.write_pdf(**options)
    assert isinstance(data, bytes)
    return data, fetcher.refused
