"""Files embedded in a report's PDF (PDF file attachments): one list, written by either path.

A PDF laid out whole gets them from WeasyPrint (``for_weasyprint``), a PDF laid out in parts
when its parts are joined (``embed``, pikepdf). Either way each file is an embedded file
stream, compressed, with its name, description, MIME type, size and dates (the build's
``created`` time, so that rebuilds are byte-identical), listed in the catalogue's name tree
of embedded files sorted by name, as a name tree must be. What is attached is decided in
storyteller/evidence/pack.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SCHEME = "storyteller-attachment:"  # the URL WeasyPrint fetches an attachment's bytes from


@dataclass(frozen=True)
class Attachment:
    """One file embedded in the PDF. ``name``: workspace-relative, with forward slashes."""

    name: str
    data: bytes
    description: str
    media_type: str


def in_order(attachments: Sequence[Attachment]) -> list[Attachment]:
    """The attachments in the order of the name tree's keys: by the UTF-8 bytes of their names."""
    return sorted(attachments, key=lambda a: a.name.encode("utf-8"))


def _moment(created: str) -> dt.datetime:
    """The build's ISO 8601 time (BuildRequest.created), or 2000-01-01 when none was given."""
    try:
        moment = dt.datetime.fromisoformat(created)
    except ValueError:
        return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def for_weasyprint(attachments: Sequence[Attachment], created: str) -> list[Any]:
    """WeasyPrint's Attachment objects for ``attachments``, dated ``created``. Their bytes come
    through a fetcher of their own, which also gives WeasyPrint the MIME type (it would
    otherwise guess one from the name, with the system's tables)."""
    from weasyprint import Attachment as WeasyAttachment
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    by_url = {f"{SCHEME}{index}": attachment for index, attachment in enumerate(in_order(attachments))}

    class Attached(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            attachment = by_url[url]  # only the URLs made here reach this fetcher
            return URLFetcherResponse(url, attachment.data, {"Content-Type": attachment.media_type})

    moment = _moment(created).replace(tzinfo=None)  # WeasyPrint writes it as UTC ("Z")
    fetcher = Attached()
    return [
        WeasyAttachment(
            url=url,
            url_fetcher=fetcher,
            name=attachment.name,
            description=attachment.description,
            created=moment,
            modified=moment,
        )
        for url, attachment in by_url.items()
    ]


def embed(pdf: Any, attachments: Sequence[Attachment], created: str) -> None:
    """Embed ``attachments`` in the pikepdf ``pdf`` (a joined PDF), dated ``created``. qpdf
    compresses their streams when the PDF is saved."""
    import pikepdf

    moment = _moment(created)
    for attachment in in_order(attachments):
        spec = pikepdf.AttachedFileSpec(
            pdf,
            attachment.data,
            description=attachment.description,
            filename=attachment.name,
            mime_type=attachment.media_type,
            creation_date=moment.strftime("D:%Y%m%d%H%M%SZ"),
            mod_date=moment.strftime("D:%Y%m%d%H%M%SZ"),
        )
        # The name as WeasyPrint writes it: F in UTF-8 bytes, UF in UTF-16 with its mark
        # (qpdf would write PDFDocEncoding where it can).
        spec.obj.F = pikepdf.String(attachment.name.encode("utf-8"))
        spec.obj.UF = pikepdf.String(_text_string(attachment.name))
        pdf.attachments[attachment.name] = spec


def _text_string(text: str) -> bytes:
    """A PDF text string: ASCII as it is, anything else UTF-16BE after its byte order mark."""
    return text.encode("ascii") if text.isascii() else b"\xfe\xff" + text.encode("utf-16-be")
