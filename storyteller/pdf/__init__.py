"""The PDF of a report: laid out whole or in parts, behind one entry point for build.py.

build.py makes one Printer for a build and asks it for each report's PDF (render_pdf);
whether a PDF is laid out whole, here (whole.py), or in parts by worker processes and joined
(parts.py, join.py, part.py) is decided here and nowhere else. The modules that lay a PDF out
(and import WeasyPrint, pikepdf) are imported only when a PDF is made.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from storyteller.errors import StorytellerError

if TYPE_CHECKING:
    from jinja2 import Environment

    from storyteller.pdf.attach import Attachment
    from storyteller.report.charts import Drawing
    from storyteller.report.context import ReportContext
    from storyteller.workers import Pool


class Printer:
    """The PDFs of one build's ``reports``. The reports whose PDF is laid out in parts
    (parts.in_parts) share worker processes, started here, first, so that they import
    WeasyPrint while this process makes the context, the charts and the HTML; they are
    handed the SVG of each chart a part shows (the Drawing's thread converts them here).
    ``templates``: the workspace's template folder, whose overrides lay a PDF out whole.

    Use as a context manager: leaving it stops the workers, at once after an error."""

    def __init__(self, reports: Sequence[ReportContext], templates: Path | None) -> None:
        self._in_parts: list[ReportContext] = []
        self._workers: Pool | None = None
        if reports:
            from storyteller.workers import sweep_scratch

            sweep_scratch()  # what builds killed earlier left in the temporary folder
            from storyteller.pdf import parts

            self._in_parts = [report for report in reports if parts.in_parts(report, templates)]
            self._workers = parts.start_workers() if self._in_parts else None

    def render_pdf(
        self,
        env: Environment,
        report: ReportContext,
        drawing: Drawing,
        created: str,
        root: Path,
        roots: Sequence[Path],
        time_limit: float,
        attachments: Sequence[Attachment] = (),
    ) -> tuple[bytes, list[str]]:
        """The PDF of ``report`` and the URLs WeasyPrint was refused. ``root``: the
        workspace; ``roots``: the folders WeasyPrint may read; ``time_limit``: seconds, 0 for
        none; ``attachments``: the files embedded in it, on either path (pdf/attach.py). A
        time limit passed or a full disk is a StorytellerError saying what to do."""
        from storyteller.pdf.whole import TimeLimitExceeded, deadline

        try:
            if self._workers is not None and any(r is report for r in self._in_parts):
                from storyteller.pdf import parts

                self._in_parts = [r for r in self._in_parts if r is not report]
                with deadline(time_limit):
                    return parts.write_pdf(
                        env,
                        report,
                        drawing,
                        self._workers,
                        created,
                        root,
                        roots,
                        last=not self._in_parts,
                        attachments=attachments,
                    )
            from storyteller.pdf.whole import write_pdf
            from storyteller.report.context import with_rendered_charts
            from storyteller.report.render import pdf_source

            source = pdf_source(env, with_rendered_charts(report, drawing.located()), created, root)
            return write_pdf(
                source,
                roots,
                root,
                time_limit=time_limit,
                late=drawing.resource,
                charts=drawing.urls(),
                attachments=attachments,
                created=created,
            )
        except TimeLimitExceeded:
            raise StorytellerError(_too_slow(report, time_limit)) from None
        except OSError as error:  # WeasyPrint's temporary font files: a full disk
            raise StorytellerError(
                f"cannot make the PDF of {report.period.key}: {error.strerror} while writing temporary "
                f"files in {tempfile.gettempdir()}; free some space there or set TMPDIR to another folder"
            ) from None

    def close(self, at_once: bool = False) -> None:
        if self._workers is not None:
            self._workers.close(at_once)
            self._workers = None

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, error: type[BaseException] | None, *_rest: object) -> None:
        self.close(at_once=error is not None)


def _too_slow(report: ReportContext, limit: float) -> str:
    views = {view.file: view for c in report.categories.sections for view in c.stories}
    views.update((view.file, view) for view in report.in_progress)
    size = {
        file: len(v.problem) + len(v.solution or "") + len(v.outcome) + 200 * len(v.metrics)
        for file, v in views.items()
    }
    named = ", ".join(sorted(size, key=lambda file: (-size[file], file))[:3])
    return (
        f"the PDF of {report.period.key} took longer than {limit:g} s to lay out and was stopped; "
        f"its longest stories are {named}; shorten them, build fewer quarters at once, "
        "or raise the limit with --time-limit"
    )
