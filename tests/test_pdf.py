"""pdf.py's speed-up of pydyf's page references leaves the PDF byte for byte the same."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyteller.pdf import whole as pdf

# Enough pages, headings and links for the tagging (PDF/UA) and the link destinations to
# read the page references many times, on pages added one after the other.
HTML = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>t</title>"
    "<meta name='dcterms.created' content='2026-01-01T00:00:00Z'></head><body>"
    + "".join(
        f"<h2 id='s{i}' style='break-before: page'>Section {i}</h2><p>Text <a href='#s{(i + 7) % 30}'>link</a></p>"
        for i in range(30)
    )
    + "</body></html>"
)


def test_kept_page_references_make_the_same_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pydyf

    original = pydyf.PDF.page_references
    assert isinstance(original, property), "pydyf changed: review pdf._page_references_kept"
    reads: list[int] = []

    def counted(self: pydyf.PDF) -> tuple[bytes, ...]:
        reads.append(1)
        return original.fget(self)  # type: ignore[no-any-return]

    monkeypatch.setattr(pydyf.PDF, "page_references", property(counted))
    fast, _ = pdf.write_pdf(HTML, [tmp_path], tmp_path)
    assert pydyf.PDF.page_references.fget is counted  # put back after the PDF
    kept_reads, reads[:] = len(reads), []

    @contextlib.contextmanager
    def as_pydyf_does() -> Iterator[None]:
        yield

    monkeypatch.setattr(pdf, "_page_references_kept", as_pydyf_does)
    slow, _ = pdf.write_pdf(HTML, [tmp_path], tmp_path)
    assert len(reads) > 30 * kept_reads  # once per tagged element or link, instead of once per page
    assert fast == slow
