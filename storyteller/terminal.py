"""What the command line shows on a terminal: problems, warnings, summaries, tables, progress.

cli.py decides what to say and when; this module says it, with rich (imported when first
used, so `storyteller --help` stays fast). Only cli.py imports it.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from storyteller.errors import ProblemsFound, printable, signals_deferred


def console(stderr: bool = False) -> Any:
    """A rich console: colour only on a terminal and never with NO_COLOR (rich reads it)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def escape(text: str) -> str:
    """``text`` with rich's markup escaped: a story's `[red]` is printed, not obeyed."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def plural(count: int, noun: str) -> str:
    """'1 problem', '2 problems', '3 stories'."""
    many = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{count} {noun if count == 1 else many}"


def print_problems(found: ProblemsFound) -> None:
    """Every problem on standard error, its place in bold, then how many in how many files."""
    out = console(stderr=True)
    for problem in found.problems:
        place = printable(f"{problem.path}:{problem.line}:{problem.column}:", limit=None)  # as str() shows it
        out.print(f"[bold]{escape(place)}[/bold]{escape(str(problem).removeprefix(place))}")
    files = len({p.path for p in found.problems})
    out.print(f"[red]{plural(len(found.problems), 'problem')}[/red] in {plural(files, 'file')}")


def print_warnings(findings: list[Any]) -> None:
    """Plausibility warnings on standard error."""
    out = console(stderr=True)
    for finding in findings:
        place, rest = str(finding).split(": warning: ", 1)
        out.print(f"[bold]{escape(place)}:[/bold] [yellow]warning:[/yellow] {escape(rest)}", soft_wrap=True)


def summary(count: int, problems: list[Any], findings: list[Any], strict: bool) -> str:
    """'3 stories valid, 1 warning' or '2 problems in 1 file'."""
    stories = f"{count} stor{'y' if count == 1 else 'ies'}"
    errors = [*problems, *(findings if strict else [])]
    if errors:
        files = len({p.path for p in errors})
        return f"{plural(len(errors), 'problem')} in {plural(files, 'file')}"
    if findings:
        return f"{stories} valid, {plural(len(findings), 'warning')}"
    return f"{stories} valid"


def print_stories(figures: list[Any], total: Any, config: Any, selection: Any) -> None:
    """`storyteller list`: a table of the stories' figures with a total row, on standard output."""
    from rich.console import Console
    from rich.table import Table

    from storyteller.report.fmt import rounded

    table = Table(title=f"Stories: {selection}", title_justify="left")
    table.add_column("quarter", no_wrap=True)
    table.add_column("story", no_wrap=True, max_width=48, overflow="ellipsis")
    table.add_column("team", max_width=28)
    table.add_column("category")
    table.add_column("status", no_wrap=True)
    table.add_column("hours/year", justify="right", no_wrap=True)
    for f in figures:
        s = f.story
        hours = f"{rounded(f.yearly_hours_saved):,}"  # half away from zero, as the report
        table.add_row(  # story text as text: `[link=...]` in a team is no terminal markup
            str(s.quarter),
            escape(printable(s.id, limit=None)),
            escape(s.team),
            escape(config.category_label(s.category)),
            s.status,
            hours if s.delivered else f"({hours})",
        )
    table.add_section()
    table.add_row(
        "total",
        f"{total.delivered} delivered, {total.in_progress} in progress",
        "",
        "",
        "",
        f"{rounded(total.yearly_hours_saved):,}",
    )
    out = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 160)  # `:smile:` is text
    out.print(table)
    if total.in_progress:
        out.print("Hours in (brackets) belong to in-progress stories and are not in the total.")


def show_state(out: Any, state: Any) -> None:
    """One rebuild, as the terminal of `serve` shows it."""
    for line in (*state.problems, *state.warnings):
        out.print(escape(line))
    if state.problems:
        kept = "the page keeps the last good report" if state.report else "the page shows them"
        out.print(f"[red]{plural(len(state.problems), 'problem')}[/red]; {kept}")
    else:
        warnings = f", {plural(len(state.warnings), 'warning')}" if state.warnings else ""
        out.print(f"rebuilt {state.period} in {state.seconds:.2f} s{warnings}")


def shown(path: Path) -> str:
    """A path as the user reads it: relative to the current folder when it is below it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


class Steps:
    """A long job's progress on standard error: a rich bar on a terminal once the job has
    taken ``delay`` seconds (quick jobs stay quiet), and with ``verbose`` one line per
    step with the time it took. Off a terminal there is no bar, only plain lines."""

    def __init__(self, console: Any, bar: bool = True, verbose: bool = False, delay: float = 1.0) -> None:
        self.console = console
        self.verbose = verbose
        self.current: tuple[str, float] | None = None
        self.bar: Any = None
        self.timer: threading.Timer | None = None
        if bar and console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self.task = self.bar.add_task("starting", total=None)
            self.timer = threading.Timer(delay, self.bar.start)
            self.timer.daemon = True

    def __enter__(self) -> Steps:
        if self.timer is not None:
            try:
                with signals_deferred():  # started whole, then a signal that came meanwhile
                    self.timer.start()
            except BaseException:  # no __exit__ follows: the bar must not start after all
                self.timer.cancel()
                raise
        return self

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        self._finish(now)
        self.current = None if step == "done" else (step, now)
        if self.bar is not None:
            self.bar.update(self.task, description=f"building: {step}", completed=done, total=total)

    def _finish(self, now: float) -> None:
        if self.verbose and self.current is not None:
            step, began = self.current
            self.console.print(f"{escape(step)}: {now - began:.2f} s")

    def __exit__(self, *exc: object) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.bar is not None:
            self.bar.stop()
