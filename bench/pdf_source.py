"""Writes the HTML that `storyteller build --year YEAR --format pdf` hands to WeasyPrint.

The benchmark's floor lays this file out with WeasyPrint alone. It is made by the same
functions the build uses; its charts are read from the chart cache, so build first.

    python bench/pdf_source.py WORKSPACE YEAR OUT.html
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python bench/pdf_source.py WORKSPACE YEAR OUT.html")
    from storyteller.build import BuildRequest, undrawn_contexts
    from storyteller.charts import Drawing
    from storyteller.config import find_workspace, load_config
    from storyteller.load import load_workspace
    from storyteller.render import environment, pdf_source
    from storyteller.report import with_rendered_charts

    workspace = load_workspace(load_config(find_workspace(explicit=Path(sys.argv[1]))))
    config = workspace.config
    request = BuildRequest(year=int(sys.argv[2]), formats=("pdf",))
    (context,) = undrawn_contexts(workspace, request)
    with Drawing(context.charts, config.output_dir / ".cache" / "charts", config.root) as drawing:
        drawing.drawn()  # every chart in the cache, where the floor reads it
        source = pdf_source(environment(config.root / "templates"), with_rendered_charts(context, drawing.located()))
    Path(sys.argv[3]).write_text(source, encoding="utf-8")
