"""whole.py's guarded speed-up of pydyf's page references, and the process-wide state a PDF
leaves as it found it (pydyf, tempfile, mimetypes)."""

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
    assert isinstance(original, property), "pydyf changed: review whole._page_references_kept"
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


def test_pydyf_is_left_alone_when_page_references_is_no_plain_property(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should pydyf make ``page_references`` something else (here a cached property, as an
    upstream fix might), the PDF is made with pydyf's own, untouched, and is the same."""
    import functools

    import pydyf

    original = pydyf.PDF.page_references
    made, _ = pdf.write_pdf(HTML, [tmp_path], tmp_path)
    seen: list[object] = []

    def references(self: pydyf.PDF) -> tuple[bytes, ...]:
        seen.append(type(self).__dict__["page_references"])  # what the class holds while the PDF is made
        return original.fget(self)  # type: ignore[no-any-return]

    other = functools.cached_property(references)
    other.__set_name__(pydyf.PDF, "page_references")
    monkeypatch.setattr(pydyf.PDF, "page_references", other)
    same, _ = pdf.write_pdf(HTML, [tmp_path], tmp_path)
    assert seen and all(holds is other for holds in seen)
    assert same == made


def test_a_pdf_leaves_tempfile_and_mimetypes_as_it_found_them(tmp_path: Path) -> None:
    import mimetypes
    import tempfile

    known = list(mimetypes.knownfiles)
    before = tempfile.tempdir
    data, _ = pdf.write_pdf(HTML, [tmp_path], tmp_path)
    assert data.startswith(b"%PDF-")
    assert tempfile.tempdir == before and mimetypes.knownfiles == known
