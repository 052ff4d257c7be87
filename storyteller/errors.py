"""The problems storyteller reports about a workspace, and its own exception family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a story or the config, at a place in a file.

    ``path`` is relative to the workspace (POSIX separators); ``line`` and ``column``
    are 1-based; a problem with the whole file is placed at 1:1.
    """

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}:{self.column}: {field}{self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


class StorytellerError(Exception):
    """Base of every error storyteller raises on purpose; the CLI turns it into a message."""

    exit_code = 1


class ProblemsFound(StorytellerError):
    """Stories or the config have problems; all of them, sorted by file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) found")


class WorkspaceError(StorytellerError):
    """The workspace cannot be found or used (no storyteller.yaml, a file in the way)."""


class UsageError(StorytellerError):
    """The command was called wrongly (a bad option value); exit status 2."""

    exit_code = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that cleanup code runs."""


_stops: list[KeyboardInterrupt] = []


def stop(signal_raised: KeyboardInterrupt) -> NoReturn:
    """Raise ``signal_raised`` from a signal handler, and remember it: WeasyPrint catches
    every exception while it draws an SVG (BaseException included), so a Ctrl-C that lands
    there would be lost and a report without its chart written. See raise_if_stopped."""
    _stops.append(signal_raised)
    raise signal_raised


def raise_if_stopped() -> None:
    """Raise the signal's exception again if a signal arrived; called before writing."""
    if _stops:
        raise _stops[-1]
