"""HTML to PDF with WeasyPrint, allowed to read only the workspace and the package.

A leaf module: build.py calls it, and it imports WeasyPrint only when a PDF is made.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from storyteller.paths import inside, media_type, real

PDF_VARIANT = "pdf/ua-1"  # tagged PDF: headings, tables and alt texts for assistive technology


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ConfinedFetcher(URLFetcher):  # type: ignore[misc]
        """Serves data: URLs and files under the allowed folders; refuses everything else,
        so no story can pull /etc/passwd or a metadata URL into a report."""

        def __init__(self, roots: Sequence[Path]) -> None:
            super().__init__(allowed_protocols=("file", "data"), fail_on_errors=False)
            self.roots = list(roots)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = real(unquote(urlsplit(url).path))
                if inside(path, *self.roots) and os.path.isfile(path):
                    with open(path, "rb") as handle:
                        body = handle.read()
                    return URLFetcherResponse(url, body, {"Content-Type": media_type(path, body)})
            self.refused.append(url)
            raise ValueError(f"storyteller does not fetch {url}")

    return ConfinedFetcher


def write_pdf(html: str, roots: Sequence[Path], base: Path, tagged: bool = True) -> tuple[bytes, list[str]]:
    """Render ``html`` to PDF bytes. Returns the PDF and the URLs that were refused."""
    import mimetypes

    # WeasyPrint builds a MimeTypes table on import, which reads the system's mime.types files
    # (outside the workspace, different on every machine); storyteller needs only Python's own.
    mimetypes.knownfiles = []
    from weasyprint import HTML

    fetcher = _fetcher_class()(roots)
    document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
    options: dict[str, Any] = {"pdf_variant": PDF_VARIANT} if tagged else {}
    data = document.write_pdf(**options)
    assert isinstance(data, bytes)
    return data, fetcher.refused
