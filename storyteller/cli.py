"""The command line: turns options into calls on the core and core errors into exit codes.

Only this module knows about Typer; terminal.py draws what it prints (problems, tables,
progress). Exit codes: 0 ok, 1 problems in stories or the config (or a file in the way),
2 wrong usage, 3 a bug in storyteller, 130 interrupted (SIGINT), 143 terminated
(SIGTERM; the handler is installed in __main__.py, before any import).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import click
import typer

from storyteller import __version__
from storyteller.errors import (
    CannotWrite,
    ProblemsFound,
    StorytellerError,
    Terminated,
    UsageError,
    WorkspaceError,
    printable,
)
from storyteller.terminal import (
    Steps,
    console,
    plural,
    print_problems,
    print_stories,
    print_warnings,
    show_state,
    shown,
    summary,
)

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


class CheckFormat(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"


StrictOption = Annotated[
    bool, typer.Option("--strict", help="Treat plausibility warnings as problems: report them and exit with 1.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="Print only problems and warnings.")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Also print what is done and how long it takes.")]


class ExportFormat(enum.StrEnum):
    json = "json"
    csv = "csv"


OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
]


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
        print_problems(found)
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


LAST_EPOCH = 4_102_444_799  # 2099-12-31 23:59:59 UTC: the last day a story's quarter may be in


def _now() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when it is set (reproducible output). The only clock. A
    value that is not a time is an error, not ignored: the build would not be reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    text = epoch.strip()
    if not (text.isascii() and text.isdigit() and int(text) <= LAST_EPOCH):
        raise UsageError(
            f"SOURCE_DATE_EPOCH is `{printable(epoch)}`; it must be the seconds since 1970-01-01 00:00 UTC, "
            f"a whole number from 0 to {LAST_EPOCH} (2099-12-31), such as $(git log -1 --format=%ct)"
        )
    return dt.datetime.fromtimestamp(int(text), dt.UTC)


def _today() -> dt.date:
    return _now().date()


def _workspace(explicit: Path | None) -> Any:
    from storyteller.format.config import find_workspace, load_config

    return load_config(find_workspace(explicit=explicit))


def _selection(quarter: str | None, year: int | None, workspace: Any = None) -> Any:
    """The stories a command covers; `--quarter latest` is the latest quarter that has stories."""
    from storyteller.figures.periods import Quarter, Selection

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
    from storyteller.format.load import load_workspace

    workspace = load_workspace(_workspace(explicit), only)
    if workspace.problems:
        raise ProblemsFound(workspace.problems)
    return workspace


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as error:  # `export > file` on a full disk
            raise CannotWrite(error.errno, error.strerror, "standard output") from None
        return
    from storyteller.write import write_atomic

    write_atomic(output, text)  # CannotWrite names the file and the reason
    typer.echo(f"wrote {output}", err=True)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace (created if missing).")] = Path("."),
) -> None:
    """Create a workspace: storyteller.yaml, stories/ with one example story, .gitignore."""

    def body() -> None:
        from storyteller.create import editor_settings, init_workspace
        from storyteller.figures.periods import Quarter

        config_file, example, _ignore = init_workspace(directory, Quarter.of_date(_today()))
        settings, done = editor_settings(directory)
        names = [config_file.name, example.relative_to(directory).as_posix(), ".gitignore"]
        typer.echo(f"created a workspace in {directory}: {', '.join([*names, *(['.vscode/settings.json'] * done)])}")
        if not done:
            typer.echo(
                f"note: {settings} is not plain JSON, so it was left alone; add "
                '"yaml.schemas": {"./output/story.schema.json": ["stories/**/*.yaml"]} to it for editor help',
                err=True,
            )
        typer.echo("next: edit the example story, then run `storyteller validate`")

    _run(body)


@app.command()
def new(
    title: Annotated[
        str | None, typer.Argument(help="Title of the story; the file name comes from it. Asked for on a terminal.")
    ] = None,
    category: Annotated[str | None, typer.Option(help="Category key (default: the first in storyteller.yaml).")] = None,
    quarter: Annotated[
        str | None, typer.Option("--quarter", "-q", help="Fiscal quarter, e.g. 2026-Q3 (default: the current one).")
    ] = None,
    team: Annotated[str | None, typer.Option(help="The team that owns the story (default: Your team).")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Create a commented story file in stories/<quarter>/, named from the title.

    On a terminal it asks for what the options do not give; without one it never asks."""

    def body() -> None:
        from storyteller.create import new_story
        from storyteller.figures.periods import Quarter

        config = _workspace(workspace)
        current = Quarter.of_date(_today(), config.fiscal_year_start)
        keys = [k for k, _ in config.categories]
        asked = _interactive()
        chosen_title = title
        if chosen_title is None and not asked:
            raise UsageError('give the story\'s TITLE: `storyteller new "Title"` (there is no terminal to ask on)')
        if chosen_title is None:
            chosen_title = typer.prompt("Title", type=_NonEmpty())
        if team is None and asked:
            chosen_team = typer.prompt("Team", default="Your team", type=_NonEmpty())
        else:
            chosen_team = team or "Your team"
        chosen_category = category
        if chosen_category is None and asked:
            chosen_category = typer.prompt(
                f"Category ({', '.join(keys)})", default=keys[0], type=click.Choice(keys), show_choices=False
            )
        if quarter is None and asked:
            picked = _selection(typer.prompt("Quarter", default=str(current), type=_QuarterText()), None).quarter
        else:
            picked = _selection(quarter, None).quarter if quarter else current
        typer.echo(f"created {new_story(config, chosen_title, chosen_category, picked, chosen_team)}")

    _run(body)


def _interactive() -> bool:
    """Whether a person is there to answer: standard input and output are both a terminal."""
    return sys.stdin.isatty() and sys.stdout.isatty()


class _NonEmpty(click.ParamType[str]):
    name = "text"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        if not str(value).strip():
            self.fail("it cannot be empty", param, ctx)
        return str(value).strip()


class _QuarterText(click.ParamType[str]):
    name = "quarter"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from storyteller.figures.periods import QUARTER_PATTERN

        text = str(value).strip().upper()
        if not QUARTER_PATTERN.match(text):
            self.fail(f"{value!r} is not a quarter; write it like 2026-Q3", param, ctx)
        return text


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Story files or folders (default: every story).")] = None,
    format: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="text for people, json for machines, github for GitHub Actions."),
    ] = CheckFormat.text,
    strict: StrictOption = False,
    quiet: QuietOption = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Check stories and the config; print every problem and plausibility warning as path:line:column: field: message."""

    def body() -> None:
        from storyteller.format.config import find_workspace

        root = find_workspace(explicit=workspace)
        problems, findings, count, files = _validated(root, paths or None)
        failed = bool(problems or (strict and findings))
        if format is CheckFormat.json:
            result = {
                "valid": not failed,
                "files": files,
                "stories": count,
                "strict": strict,
                "problems": [p.as_dict() for p in problems],
                "warnings": [f.as_dict() for f in findings],
            }
            typer.echo(json.dumps(result, indent=2))
        elif format is CheckFormat.github:
            from storyteller.annotate import commands

            for line in commands(root, problems, findings, strict):
                typer.echo(line)
            if not quiet:
                typer.echo(summary(count, problems, findings, strict))
        else:
            if failed:
                raise ProblemsFound([*problems, *(f.as_problem() for f in findings if strict)])
            print_warnings(findings)
            if not quiet:
                typer.echo(summary(count, problems, findings, strict))
        if failed:
            raise typer.Exit(EXIT_PROBLEMS)

    _run(body)


def _validated(root: Path, paths: list[Path] | None) -> tuple[list[Any], list[Any], int, int]:
    """What `validate` reports: the problems, the plausibility warnings, how many stories
    and how many files were read (none when the config itself has problems)."""
    from storyteller.format.checks import plausibility
    from storyteller.format.config import load_config
    from storyteller.format.load import load_workspace

    try:
        loaded = load_workspace(load_config(root), paths)
    except ProblemsFound as found:
        return found.problems, [], 0, 0
    return loaded.problems, plausibility(loaded.stories, loaded.config, _today()), len(loaded.stories), loaded.files


def _checked(workspace: Path | None, strict: bool) -> Any:
    """The loaded workspace after the plausibility checks: warnings are printed, or with
    ``strict`` raised as problems together with every other problem."""
    from storyteller.format.checks import plausibility
    from storyteller.format.load import load_workspace

    loaded = load_workspace(_workspace(workspace))
    findings = plausibility(loaded.stories, loaded.config, _today())
    if loaded.problems or (strict and findings):
        raise ProblemsFound([*loaded.problems, *(f.as_problem() for f in findings if strict)])
    print_warnings(findings)
    return loaded


@app.command("list")
def list_stories(
    quarter: QuarterOption = None,
    year: YearOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """A table of stories (team, category, status, yearly hours saved) with totals."""

    def body() -> None:
        from storyteller.figures.metrics import story_figures, totals

        loaded = _loaded(workspace)
        selection = _selection(quarter, year, loaded)
        config = loaded.config
        figures = [story_figures(s, config) for s in loaded.stories if selection.covers(s.quarter)]
        print_stories(figures, totals(figures, config), config, selection)

    _run(body)


@app.command()
def export(
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="json (nested) or csv (one row per metric).")
    ] = ExportFormat.json,
    quarter: QuarterOption = None,
    year: YearOption = None,
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Every computed figure, as the export contract of the story format describes."""

    def body() -> None:
        from storyteller.figures.export import export_data, to_csv, to_json

        loaded = _loaded(workspace)
        data = export_data(loaded, _selection(quarter, year, loaded))
        _emit(to_json(data) if format is ExportFormat.json else to_csv(data), output)

    _run(body)


@app.command()
def build(
    quarter: QuarterOption = None,
    year: YearOption = None,
    every: Annotated[bool, typer.Option("--all", help="Every quarter and every fiscal year that has stories.")] = False,
    format: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: html, pdf, pptx (the deck), or html,pdf,pptx.")
    ] = "html,pdf",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for the reports (default: the workspace's output/).")
    ] = None,
    strict: StrictOption = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit", min=0, help="Stop a PDF whose layout takes longer than this many seconds (0: none)."
        ),
    ] = 600.0,
    brief: Annotated[
        bool,
        typer.Option("--brief", help="Build the one-page brief instead: <name>-<period>-brief.html and .pdf."),
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Build the report: output/<period>/<name>-<period>.html and .pdf (default: the latest quarter)."""

    def body() -> None:
        from storyteller.build import BuildRequest
        from storyteller.build import build as run_build

        formats = _formats(format)
        if every and (quarter or year):
            raise UsageError("give --all alone, without --quarter or --year")
        if quiet and verbose:
            raise UsageError("give either --quiet or --verbose, not both")
        if brief and "pptx" in formats:
            raise UsageError("the brief is a page, not a deck: give --brief with --format html, pdf or html,pdf")
        started = time.monotonic()
        loaded = _checked(workspace, strict)
        if verbose:
            typer.echo(
                f"checked {plural(len(loaded.stories), 'story')} in {time.monotonic() - started:.2f} s", err=True
            )
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
            brief=brief,
        )
        with Steps(console(stderr=True), bar=not quiet, verbose=verbose) as steps:
            built = run_build(loaded, request, steps)
        for item in built:
            if not quiet:
                typer.echo(f"wrote {shown(item.path)}")
            for url in item.refused:
                typer.echo(
                    f"storyteller: warning: {shown(item.path)}: did not read {url} (not in the workspace)", err=True
                )

    _run(body)


def _formats(option: str) -> tuple[str, ...]:
    """The formats of `build --format html,pdf`."""
    formats = tuple(f.strip().lower() for f in option.split(",") if f.strip())
    if not formats or any(f not in ("html", "pdf", "pptx") for f in formats):
        raise UsageError(f"--format {option!r}: use html, pdf, pptx, or several joined by commas: html,pdf,pptx")
    return formats


@app.command()
def serve(
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="Port on 127.0.0.1; 0 picks a free one.")
    ] = 8000,
    quarter: QuarterOption = None,
    year: YearOption = None,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the report in the web browser.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Serve the report on 127.0.0.1; rebuild it and reload the page when a story, the config or a template changes."""

    def body() -> None:
        from storyteller.format.config import find_workspace
        from storyteller.preview.preview import Preview
        from storyteller.preview.serve import Rebuilder, start_server, stop_server, watching

        root = find_workspace(explicit=workspace)
        latest = quarter is not None and quarter.strip().lower() == "latest"
        selection = _selection(None if latest else quarter, year)
        preview = Preview(root, selection.quarter, selection.year, today=_today)
        out = console(stderr=True)
        rebuilder = Rebuilder(preview, lambda state: show_state(out, state))
        # Watching starts first: a change made during the first build is rebuilt after it.
        with watching(preview, rebuilder.changed):
            out.print("building the preview ...")
            show_state(out, preview.rebuild())
            server = start_server(preview, port)
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            typer.echo(f"serving {url} (Ctrl-C to stop)")
            rebuilder.start()
            if open_browser:
                import webbrowser

                webbrowser.open(url)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
            finally:
                rebuilder.stop()
                stop_server(server)
        out.print("stopped")

    _run(body)


class DigestFormat(enum.StrEnum):
    markdown = "markdown"
    slack = "slack"
    email = "email"


@app.command()
def digest(
    format: Annotated[
        DigestFormat,
        typer.Option(
            "--format", "-f", help="markdown (GitHub, Teams), slack (Block Kit JSON) or email (an .eml file)."
        ),
    ] = DigestFormat.markdown,
    quarter: QuarterOption = None,
    year: YearOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file. Default: standard output; for email, output/<period>/<name>-<period>-digest.eml.",
        ),
    ] = None,
    sender: Annotated[str, typer.Option("--from", help="The e-mail's From address (email only).")] = "",
    to: Annotated[list[str] | None, typer.Option("--to", help="An address to send the e-mail to; repeatable.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """The period's key figures and top wins as a message: Markdown, a Slack message or an e-mail."""

    def body() -> None:
        from storyteller.build import file_name, periods
        from storyteller.digest import DigestRequest
        from storyteller.digest import digest as make_digest

        if (sender or to) and format is not DigestFormat.email:
            raise UsageError("--from and --to are for --format email only")
        loaded = _loaded(workspace)
        selection = _selection(quarter, year, loaded)
        request = DigestRequest(
            format.value, selection.quarter, selection.year, _today(), _now(), sender, tuple(to or ())
        )
        data = make_digest(loaded, request)
        if output is None and format is DigestFormat.email:
            from storyteller.build import BuildRequest

            (period,) = periods(loaded, BuildRequest(quarter=selection.quarter, year=selection.year))
            name = file_name(loaded, period, "eml").removesuffix(".eml") + "-digest.eml"
            target = loaded.config.output_dir / period.key / name
            _emit_bytes(data, target)
            return
        _emit_bytes(data, output)

    _run(body)


def _emit_bytes(data: bytes, output: Path | None) -> None:
    if output is None:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        except OSError as error:
            raise CannotWrite(error.errno, error.strerror, "standard output") from None
        return
    from storyteller.write import write_atomic

    write_atomic(output, data)
    typer.echo(f"wrote {shown(output)}", err=True)


def _created() -> str:
    """The PDF's creation time, ISO 8601 in UTC."""
    return _now().isoformat().replace("+00:00", "Z")


@app.command()
def schema(
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """The JSON Schema (draft 2020-12) of a story file, with this workspace's categories."""

    def body() -> None:
        from storyteller.format.config import DEFAULT_CATEGORIES, DEFAULT_OUTCOMES
        from storyteller.format.schema import story_json_schema

        try:
            choices = _workspace(workspace).choices
        except WorkspaceError:
            if workspace is not None:
                raise
            choices = {"categories": list(DEFAULT_CATEGORIES), "outcomes": list(DEFAULT_OUTCOMES)}
        _emit(json.dumps(story_json_schema(choices), indent=2) + "\n", output)

    _run(body)


@app.command()
def verify(
    report: Annotated[Path, typer.Argument(help="A PDF built by storyteller: a report or a brief.", dir_okay=False)],
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Also compare the files the PDF carries with this workspace's current ones (and recompute from "
            "them, for a PDF built with attach_sources: false).",
        ),
    ] = None,
) -> None:
    """Recompute every figure of a report from the stories and config attached to its PDF."""

    def body() -> None:
        from storyteller.evidence.verify import verify as run_verify
        from storyteller.format.config import find_workspace

        root = find_workspace(explicit=workspace) if workspace is not None else None
        verdict = run_verify(report, root)
        for m in verdict.mismatches:
            typer.echo(
                f"{printable(m.figure, 200)}, printed {printable(m.printed, 200)}, recomputed {printable(m.recomputed, 200)}"
            )
        for line in verdict.changed:
            typer.echo(printable(line, 300))
        if verdict.mismatches:
            _fail(
                f"{plural(len(verdict.mismatches), 'figure')} of {printable(str(report), 200)} do not match what its evidence gives",
                1,
            )
        if verdict.changed:
            _fail(f"{plural(len(verdict.changed), 'file')} of the workspace changed since the report was built", 1)
        figures = verdict.printed + verdict.exported
        page = "the brief" if verdict.document == "brief" else "the summary page"
        typer.echo(
            f"verified: {plural(verdict.stories, 'story')}, {figures:,} figures match "
            f"({verdict.printed} printed on {page}, {verdict.exported:,} in figures.json)"
        )

    _run(body)


def run() -> None:
    """Entry point of the `storyteller` command."""
    app()
