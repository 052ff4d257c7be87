"""The floor: storyteller's own PDF-source HTML laid out by WeasyPrint alone, in a fresh process.

Same HTML, same base URL and the same PDF variant (tagged PDF/UA-1) as `storyteller build`,
so the difference between the two is everything storyteller does around WeasyPrint:
loading stories, computing, converting charts and rendering templates.

    python bench/floor.py SOURCE.html BASE_FOLDER OUT.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python bench/floor.py SOURCE.html BASE_FOLDER OUT.pdf")
    from weasyprint import HTML

    from storyteller.pdf import PDF_VARIANT

    source, base, out = Path(sys.argv[1]), Path(sys.argv[2]).resolve(), Path(sys.argv[3])
    html = HTML(string=source.read_text(encoding="utf-8"), base_url=base.as_uri() + "/")
    html.write_pdf(out, pdf_variant=PDF_VARIANT)
