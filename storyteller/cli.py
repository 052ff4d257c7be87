"""The command line: turns options into calls on the core and core errors into exit codes.

Only this module knows about Typer. Exit codes: 0 ok, 1 problems in stories or the config
(or a file in the way), 2 wrong usage, 3 a bug in storyteller, 130 interrupted (SIGINT),
143 terminated (SIGTERM; the handler is installed in __main__.py, before any import).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from storyteller import __version__
from storyteller.errors import ProblemsFound, StorytellerError, Terminated, UsageError, WorkspaceError, printable

app = typer.Typer(
    name="storyteller",
    help="Turn operations teams' improvement stories into quarterly reports.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # a traceback must never print a story's text or a path's contents
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_PROBLEMS = 1
EXIT_BUG = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM

_state = {"debug": False}

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (holding storyteller.yaml). Default: found from the current folder upward.",
        file_okay=True,
        dir_okay=True,
    ),
]
QuarterOption = Annotated[
    str | None,
    typer.Option(
        "--quarter", "-q", help="Only this fiscal quarter, e.g. 2026-Q3, or `latest` for the latest with stories."
    ),
]
YearOption = Annotated[int | None, typer.Option("--year", "-y", help="Only this fiscal year, e.g. 2026.")]


class TextOrJson(enum.StrEnum):
    text = "text"
    json = "json"


class ExportFormat(enum.StrEnum):
    json = "json"
    csv = "csv"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"storyteller {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback of an internal error.")] = False,
) -> None:
    """Turn operations teams' improvement stories into quarterly reports."""
    _state["debug"] = debug


T = TypeVar("T")


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"storyteller: {message}", err=True)
    raise typer.Exit(code)


def _run(action: Callable[[], T]) -> T:
    """Run a command body, mapping our errors to messages and exit codes."""
    try:
        return action()
    except ProblemsFound as found:
        _print_problems(found)
        raise typer.Exit(EXIT_PROBLEMS) from None
    except StorytellerError as error:
        _fail(str(error), error.exit_code)
    except Terminated:
        _fail("terminated", EXIT_TERMINATED)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_INTERRUPTED)
    except typer.Exit:
        raise
    except Exception as error:
        if _state["debug"]:
            raise
        _fail(f"internal error: {type(error).__name__}: {error}; run with --debug for details", EXIT_BUG)


def _print_problems(found: ProblemsFound) -> None:
    for problem in found.problems:
        typer.echo(str(problem), err=True)
    files = len({p.path for p in found.problems})
    noun = "problem" if len(found.problems) == 1 else "problems"
    typer.echo(f"{len(found.problems)} {noun} in {files} file{'s' if files != 1 else ''}", err=True)


def _now() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when it is set (reproducible output). The only clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _today() -> dt.date:
    return _now().date()


def _workspace(explicit: Path | None) -> Any:
    from storyteller.config import find_workspace, load_config

    return load_config(find_workspace(explicit=explicit))


def _selection(quarter: str | None, year: int | None, workspace: Any = None) -> Any:
    """The stories a command covers; `--quarter latest` is the latest quarter that has stories."""
    from storyteller.periods import Quarter, Selection

    if quarter and year:
        raise UsageError("give either --quarter or --year, not both")
    if quarter and quarter.strip().lower() == "latest" and workspace is not None:
        if not workspace.stories:
            raise WorkspaceError("--quarter latest: the workspace has no stories yet; run `storyteller new`")
        return Selection(quarter=max(s.quarter for s in workspace.stories))
    if quarter:
        try:
            return Selection(quarter=Quarter.parse(quarter.strip().upper()))
        except ValueError:
            raise UsageError(f"--quarter {quarter!r} is not a quarter; write it like 2026-Q3") from None
    if year is not None and not 1900 <= year <= 9999:
        raise UsageError(f"--year {year} is not a fiscal year; write it like 2026")
    return Selection(year=year)


def _loaded(explicit: Path | None, only: list[Path] | None = None) -> Any:
    from storyteller.load import load_workspace

    workspace = load_workspace(_workspace(explicit), only)
    if workspace.problems:
        raise ProblemsFound(workspace.problems)
    return workspace


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from storyteller.write import write_atomic

    try:
        write_atomic(output, text)
    except OSError as error:
        raise WorkspaceError(f"cannot write {output}: {error.strerror}") from None
    typer.echo(f"wrote {output}", err=True)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace (created if missing).")] = Path("."),
) -> None:
    """Create a workspace: storyteller.yaml, stories/ with one example story, .gitignore."""

    def body() -> None:
        from storyteller.create import init_workspace
        from storyteller.periods import Quarter

        config_file, example, _ignore = init_workspace(directory, Quarter.of_date(_today()))
        typer.echo(
            f"created a workspace in {directory}: {config_file.name}, {example.relative_to(directory)}, .gitignore"
        )
        typer.echo("next: edit the example story, then run `storyteller validate`")

    _run(body)


@app.command()
def new(
    title: Annotated[str, typer.Argument(help="Title of the story; the file name comes from it.")],
    category: Annotated[str | None, typer.Option(help="Category key (default: the first in storyteller.yaml).")] = None,
    quarter: Annotated[
        str | None, typer.Option("--quarter", "-q", help="Fiscal quarter, e.g. 2026-Q3 (default: the current one).")
    ] = None,
    team: Annotated[str, typer.Option(help="The team that owns the story.")] = "Your team",
    workspace: WorkspaceOption = None,
) -> None:
    """Create a commented story file in stories/<quarter>/, named from the title."""

    def body() -> None:
        from storyteller.create import new_story
        from storyteller.periods import Quarter

        config = _workspace(workspace)
        picked = _selection(quarter, None).quarter if quarter else Quarter.of_date(_today(), config.fiscal_year_start)
        typer.echo(f"created {new_story(config, title, category, picked, team)}")

    _run(body)


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Story files or folders (default: every story).")] = None,
    format: Annotated[
        TextOrJson, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = TextOrJson.text,
    workspace: WorkspaceOption = None,
) -> None:
    """Check stories and the config; print every problem as path:line:column: field: message."""

    def body() -> None:
        from storyteller.load import load_workspace

        problems = []
        count = files = 0
        try:
            loaded = load_workspace(_workspace(workspace), paths or None)
            problems, count, files = loaded.problems, len(loaded.stories), loaded.files
        except ProblemsFound as found:
            problems = found.problems
        if format is TextOrJson.json:
            typer.echo(
                json.dumps(
                    {
                        "valid": not problems,
                        "files": files,
                        "stories": count,
                        "problems": [p.as_dict() for p in problems],
                    },
                    indent=2,
                )
            )
            if problems:
                raise typer.Exit(EXIT_PROBLEMS)
            return
        if problems:
            raise ProblemsFound(problems)
        typer.echo(f"{count} stor{'y' if count == 1 else 'ies'} valid")

    _run(body)


@app.command("list")
def list_stories(
    quarter: QuarterOption = None,
    year: YearOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """A table of stories (team, category, status, yearly hours saved) with totals."""

    def body() -> None:
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        from storyteller.metrics import story_figures, totals

        loaded = _loaded(workspace)
        selection = _selection(quarter, year, loaded)
        config = loaded.config
        figures = [story_figures(s, config) for s in loaded.stories if selection.covers(s.quarter)]
        table = Table(title=f"Stories: {selection}", title_justify="left")
        table.add_column("quarter", no_wrap=True)
        table.add_column("story", no_wrap=True, max_width=48, overflow="ellipsis")
        table.add_column("team", max_width=28)
        table.add_column("category")
        table.add_column("status", no_wrap=True)
        table.add_column("hours/year", justify="right", no_wrap=True)
        for f in figures:
            s = f.story
            hours = f"{f.yearly_hours_saved:,.0f}"
            table.add_row(  # story text as text: `[link=...]` in a team is no terminal markup
                str(s.quarter),
                escape(printable(s.id, limit=None)),
                escape(s.team),
                escape(config.category_label(s.category)),
                s.status,
                hours if s.delivered else f"({hours})",
            )
        total = totals(figures, config)
        table.add_section()
        table.add_row(
            "total",
            f"{total.delivered} delivered, {total.in_progress} in progress",
            "",
            "",
            "",
            f"{total.yearly_hours_saved:,.0f}",
        )
        console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
        console.print(table)
        if total.in_progress:
            console.print("Hours in (brackets) belong to in-progress stories and are not in the total.")

    _run(body)


@app.command()
def export(
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="json (nested) or csv (one row per metric).")
    ] = ExportFormat.json,
    quarter: QuarterOption = None,
    year: YearOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Every computed figure, as the export contract of the story format describes."""

    def body() -> None:
        from storyteller.export import export_data, to_csv, to_json

        loaded = _loaded(workspace)
        data = export_data(loaded, _selection(quarter, year, loaded))
        _emit(to_json(data) if format is ExportFormat.json else to_csv(data), output)

    _run(body)


@app.command()
def build(
    quarter: QuarterOption = None,
    year: YearOption = None,
    every: Annotated[bool, typer.Option("--all", help="Every quarter and every fiscal year that has stories.")] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="Comma-separated: html, pdf or html,pdf.")] = "html,pdf",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for the reports (default: the workspace's output/).")
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit", min=0, help="Stop a PDF whose layout takes longer than this many seconds (0: none)."
        ),
    ] = 600.0,
    workspace: WorkspaceOption = None,
) -> None:
    """Build the report: output/<period>/<name>-<period>.html and .pdf (default: the latest quarter)."""

    def body() -> None:
        from storyteller.build import BuildRequest
        from storyteller.build import build as run_build

        formats = tuple(f.strip().lower() for f in format.split(",") if f.strip())
        if not formats or any(f not in ("html", "pdf") for f in formats):
            raise UsageError(f"--format {format!r}: use html, pdf or html,pdf")
        if every and (quarter or year):
            raise UsageError("give --all alone, without --quarter or --year")
        loaded = _loaded(workspace)
        selection = _selection(quarter, year, loaded)
        request = BuildRequest(
            quarter=selection.quarter,
            year=selection.year,
            every=every,
            formats=formats,
            output=output,
            today=_today(),
            created=_created(),
            time_limit=time_limit,
        )
        for item in run_build(loaded, request):
            typer.echo(f"wrote {_shown(item.path)}")
            for url in item.refused:
                typer.echo(
                    f"storyteller: warning: {_shown(item.path)}: did not read {url} (not in the workspace)", err=True
                )

    _run(body)


def _created() -> str:
    """The PDF's creation time, ISO 8601 in UTC."""
    return _now().isoformat().replace("+00:00", "Z")


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """The JSON Schema (draft 2020-12) of a story file, with this workspace's categories."""

    def body() -> None:
        from storyteller.model import DEFAULT_CATEGORIES, DEFAULT_OUTCOMES, story_json_schema

        try:
            choices = _workspace(workspace).choices
        except WorkspaceError:
            if workspace is not None:
                raise
            choices = {"categories": list(DEFAULT_CATEGORIES), "outcomes": list(DEFAULT_OUTCOMES)}
        _emit(json.dumps(story_json_schema(choices), indent=2) + "\n", output)

    _run(body)


def run() -> None:
    """Entry point of the `storyteller` command."""
    app()
