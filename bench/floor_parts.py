"""The floor in parts: the parts of storyteller's PDF laid out by WeasyPrint alone, on two processes.

The HTML of every part (written by bench/pdf_source.py --parts), laid out and written by
storyteller.pdf.whole.write_pdf (the same confined fetcher and PDF variant; the sheets untagged)
in two fresh worker processes, the largest first. No chart is converted (they are read from
the chart cache), no part is joined: what is left of a PDF build in parts is WeasyPrint's own
work, spread over both cores as storyteller spreads it.

    python bench/floor_parts.py FOLDER WORKSPACE
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def lay_out(args: tuple[str, str]) -> int:
    from storyteller.build import PACKAGE
    from storyteller.pdf.whole import write_pdf

    source, workspace = Path(args[0]), Path(args[1])
    data, _refused = write_pdf(
        source.read_text(encoding="utf-8"), [workspace, PACKAGE], workspace, tagged=source.name.startswith("part-")
    )
    return len(data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/floor_parts.py FOLDER WORKSPACE")
    folder, workspace = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
    sources = sorted(folder.glob("*.html"), key=lambda p: -p.stat().st_size)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(lay_out, [(str(s), str(workspace)) for s in sources], chunksize=1)
