"""The floor: storyteller's own PDF-source HTML laid out by WeasyPrint alone, in a fresh process.

Same HTML, base URL, PDF variant (tagged PDF/UA-1) and URL fetcher (the confined one, which
also resolves the workspace's storyteller-workspace: URLs) as `storyteller build`, through
storyteller.pdf.whole.write_pdf, so the difference between the two is everything storyteller
does around WeasyPrint: loading stories, computing, converting charts, rendering templates.

    python bench/floor.py SOURCE.html WORKSPACE OUT.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python bench/floor.py SOURCE.html WORKSPACE OUT.pdf")
    from storyteller.build import PACKAGE
    from storyteller.pdf.whole import write_pdf

    source, workspace, out = Path(sys.argv[1]), Path(sys.argv[2]).resolve(), Path(sys.argv[3])
    pdf, _refused = write_pdf(source.read_text(encoding="utf-8"), [workspace, PACKAGE], workspace)
    out.write_bytes(pdf)
