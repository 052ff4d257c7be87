"""Which pieces of the report one document holds: the template's ``part`` variable.

The HTML report and a small PDF hold the whole report (WHOLE). A large PDF is laid out in
parts (pdf/parts.py): each part is the report's template rendered with a slice of the
context and a Part; the running heads and page numbers are laid out apart, on Sheets.
Plain data, importing nothing: report/render.py passes it to the template.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sheets:
    """Pages that carry nothing but the running heads or the page numbers of a PDF laid
    out in parts (pdf/parts.py): drawn over the pages of the parts once the page count is known."""

    names: tuple[str, ...]  # the named page (CSS ``page``) of each sheet, "" for none
    first: int  # the page number of the first sheet
    total: int  # the pages of the whole report
    heads: bool  # the running heads (True) or the page numbers (False)


@dataclass(frozen=True)
class Part:
    """Which pieces of the report one document holds. The HTML report and a small PDF hold
    the whole report (WHOLE). A large PDF is laid out in parts, on every core (pdf/parts.py):
    each part is the report's template rendered with a slice of the context and one of these."""

    front: bool = True  # the cover and the contents
    summary: bool = True  # the executive summary
    body: bool = True  # the categories, small wins, stories in progress and the appendix
    continues: str = (
        ""  # the section begun in the part before: a category key, "small-wins", "in-progress" or "appendix"
    )
    appendix_head: bool = True  # the appendix's heading, its formulas and the table's caption
    end: bool = True  # the appendix's total row and the colophon
    paged: bool = False  # laid out in parts: the running heads and page numbers come from sheets
    pages: tuple[tuple[str, int], ...] = ()  # (anchor, page number) for the contents, when laid out in parts
    sheets: Sheets | None = None  # this document is sheets, not report pages

    @property
    def page_of(self) -> dict[str, int]:
        return dict(self.pages)


WHOLE = Part()
