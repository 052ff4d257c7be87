"""Table header cells with /Scope in the tagged PDF, as the HTML's `scope` says.

WeasyPrint (70) tags `<th>` as /TH with an /ID and gives every /TD the /Headers of its row
and column headers, which PDF/UA-1 accepts (ISO 32000-1, 14.8.5.7); it writes no /Scope,
and checkers that look for /Scope on header cells (pdfua's UA-15-003) cannot tell what a
header is for. This finisher, run by WeasyPrint just before it writes the PDF, adds /Scope
to each /TH: /Row when a data cell of its own row names it among its /Headers (WeasyPrint
does that for `scope="row"`), else /Column. So it follows the HTML, not a guess of its own.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any


def header_scopes(_document: Any, pdf: Any) -> None:
    """Set /Scope on every /TH structure element of ``pdf`` (a pydyf.PDF), in place."""
    import pydyf

    headers: list[Any] = []
    named_in_row: dict[bytes, set[str]] = defaultdict(set)  # parent row -> header IDs its data cells name
    for item in pdf.objects:
        if not isinstance(item, pydyf.Dictionary):
            continue
        role = item.get("S")
        if role == "/TH":
            headers.append(item)
        elif role == "/TD" and isinstance(item.get("A"), pydyf.Dictionary):
            for key in item["A"].get("Headers") or ():
                named_in_row[item["P"]].add(_text(key))
    for th in headers:
        attributes = th.get("A")
        if not isinstance(attributes, pydyf.Dictionary):
            attributes = th["A"] = pydyf.Dictionary({"O": "/Table"})
        row = "ID" in th and _text(th["ID"]) in named_in_row[th["P"]]
        attributes["Scope"] = "/Row" if row else "/Column"


def _text(value: Any) -> str:
    """The text of a pydyf.String (or of a plain string)."""
    return str(getattr(value, "string", value))
