"""Writes the HTML that `storyteller build --year YEAR --format pdf` hands to WeasyPrint.

The benchmark's floor lays this file out with WeasyPrint alone. It is made by the same
functions the build uses (storyteller.build.contexts and storyteller.render.pdf_source).

    python bench/pdf_source.py WORKSPACE YEAR OUT.html
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python bench/pdf_source.py WORKSPACE YEAR OUT.html")
    from storyteller.build import BuildRequest, contexts
    from storyteller.config import find_workspace, load_config
    from storyteller.load import load_workspace
    from storyteller.render import environment, pdf_source

    workspace = load_workspace(load_config(find_workspace(explicit=Path(sys.argv[1]))))
    request = BuildRequest(year=int(sys.argv[2]), formats=("pdf",))
    (context,) = contexts(workspace, request)
    env = environment(workspace.config.root / "templates")
    Path(sys.argv[3]).write_text(pdf_source(env, context, request.created), encoding="utf-8")
