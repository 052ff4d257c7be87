"""The deck's bytes, the same for the same inputs and SOURCE_DATE_EPOCH: python-pptx stamps
every zip entry with the time of saving and each chart's embedded workbook (XlsxWriter) with
the time it was made; both are set here to the build's time."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

_EARLIEST = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # a zip entry cannot say an earlier time


def when(created: str) -> dt.datetime:
    """The build's time (ISO 8601, from SOURCE_DATE_EPOCH or the clock) as the deck states it."""
    moment = dt.datetime.fromisoformat(created) if created else _EARLIEST
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return max(moment.astimezone(dt.UTC), _EARLIEST).replace(microsecond=0)


def set_properties(presentation: Any, title: str, subject: str, author: str, moment: dt.datetime) -> None:
    """The core properties (docProps/core.xml): the report's words and the build's time, no
    leftovers of python-pptx's own template (its author, its title)."""
    props = presentation.core_properties
    props.title, props.subject, props.author = title[:255], subject[:255], author[:255]
    props.last_modified_by, props.revision, props.keywords = author[:255], 1, "storyteller"
    props.created = props.modified = moment.replace(tzinfo=None)


def save(presentation: Any, moment: dt.datetime) -> bytes:
    """``presentation`` as a .pptx, with every entry (and those of embedded workbooks) dated ``moment``."""
    raw = io.BytesIO()
    presentation.save(raw)
    return _restamp(raw.getvalue(), moment)


def _restamp(data: bytes, moment: dt.datetime) -> bytes:
    stamp = moment.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.endswith(".xlsx"):
                body = _restamp(_workbook_dated(body, moment), moment)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, body)
    return out.getvalue()


def _workbook_dated(data: bytes, moment: dt.datetime) -> bytes:
    """An embedded workbook whose core properties say ``moment`` instead of when it was made."""
    iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + iso, body)
            target.writestr(info, body)
    return out.getvalue()
