"""Writes the HTML that `storyteller build --year YEAR --format pdf` hands to WeasyPrint.

The benchmark's floor lays this file out with WeasyPrint alone. It is made by the same
functions the build uses; its charts are read from the chart cache, so build first.

With --parts FOLDER it writes instead the HTML of every part of the PDF as it is laid out in
parts (storyteller/pdf/parts.py), one file each, by running the build's own paged.write_pdf and
keeping what it hands to the worker processes: the floor in parts lays these out.

    python bench/pdf_source.py WORKSPACE YEAR OUT.html
    python bench/pdf_source.py WORKSPACE YEAR --parts FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path


def parts(workspace: Path, year: int, folder: Path) -> int:
    """Write the parts' HTML to ``folder`` (sheets-N.html are laid out untagged); how many."""
    from storyteller.build import PACKAGE, BuildRequest, undrawn_contexts
    from storyteller.format.config import find_workspace, load_config
    from storyteller.format.load import load_workspace
    from storyteller.pdf import parts as paged
    from storyteller.report.charts import Drawing
    from storyteller.report.render import environment

    loaded = load_workspace(load_config(find_workspace(explicit=workspace)))
    config = loaded.config
    (context,) = undrawn_contexts(loaded, BuildRequest(year=year, formats=("pdf",)))
    if not paged.in_parts(context, config.root / "templates"):
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    lay_out = paged.lay_out

    def keeping(workers, jobs, count):  # type: ignore[no-untyped-def]
        def kept():  # type: ignore[no-untyped-def]
            nonlocal written
            for number, job in jobs:
                written += 1
                kind = "part" if job.tagged else "sheets"
                (folder / f"{kind}-{written:03}.html").write_text(job.html, encoding="utf-8")
                yield number, job

        return lay_out(workers, kept(), count)

    paged.lay_out = keeping
    with (
        paged.start_workers() as workers,
        Drawing(context.charts, config.output_dir / ".cache" / "charts", config.root) as drawing,
    ):
        paged.write_pdf(
            environment(config.root / "templates"), context, drawing, workers, "", config.root, [config.root, PACKAGE]
        )
    return written


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[3] == "--parts":
        count = parts(Path(sys.argv[1]).resolve(), int(sys.argv[2]), Path(sys.argv[4]))
        print(count)
        sys.exit(0)
    if len(sys.argv) != 4:
        sys.exit("usage: python bench/pdf_source.py WORKSPACE YEAR OUT.html | WORKSPACE YEAR --parts FOLDER")
    from storyteller.build import BuildRequest, undrawn_contexts
    from storyteller.format.config import find_workspace, load_config
    from storyteller.format.load import load_workspace
    from storyteller.report.charts import Drawing
    from storyteller.report.context import with_rendered_charts
    from storyteller.report.render import environment, pdf_source

    workspace = load_workspace(load_config(find_workspace(explicit=Path(sys.argv[1]))))
    config = workspace.config
    request = BuildRequest(year=int(sys.argv[2]), formats=("pdf",))
    (context,) = undrawn_contexts(workspace, request)
    with Drawing(context.charts, config.output_dir / ".cache" / "charts", config.root) as drawing:
        drawing.drawn()  # every chart in the cache, where the floor reads it
        source = pdf_source(environment(config.root / "templates"), with_rendered_charts(context, drawing.located()))
    Path(sys.argv[3]).write_text(source, encoding="utf-8")
