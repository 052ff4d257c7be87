"""The problems storyteller reports about a workspace, and its own exception family."""

from __future__ import annotations

import contextlib
import re
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def printable(text: str, limit: int | None = 80) -> str:
    """Text of the author's, safe to echo in a message: invisible and control characters are
    shown as escapes (so no escape sequence reaches a terminal), and it is cut to ``limit``."""
    shown = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return shown if limit is None or len(shown) <= limit else shown[: limit - 1] + "\u2026"


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
        # The whole line through printable(): a file name or a key can hold a line break or
        # an escape sequence, and a problem is one line that cannot restyle the terminal.
        field = f"{self.field}: " if self.field else ""
        return printable(f"{self.path}:{self.line}:{self.column}: {field}{self.message}", limit=None)

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


class CannotWrite(WorkspaceError, OSError):
    """A file could not be written: a full disk, a read-only folder, or something that is not
    a regular file where one would be written. Also an OSError, with ``filename`` and
    ``strerror``, so code that adds to the message of a failed write still can."""

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


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


_DEFERRED = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)
_Handler = Callable[[int, Any], object] | int  # a function, or signal.SIG_DFL


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Run the body with this process's signal handlers (Ctrl-C, SIGTERM, a time limit's
    alarm) deferred: a signal that arrives meanwhile is handled as the body ends, each
    kind once, in the order they came; one left to its default action (a library caller's
    SIGTERM) is sent again then, so it still ends the process, after the body. Around the
    renames that put written files in place (write.py: all of them or none), and the start
    of a thread or a worker (workers.py, report/charts.py). Blocking the signals
    (pthread_sigmask) would not do once another thread runs: the kernel hands a signal to
    any thread that does not block it, and Python runs the handler in this one all the same.

    A handler's exception raised inside ``Thread.start`` leaves a thread started but not
    yet running, which ``join`` refuses ("cannot join thread before it is started":
    concurrent.futures' shutdown then fails with an internal error instead of the signal's
    message); raised while a spawned worker is sent its preparation, it makes the worker
    print a traceback (EOFError) after our last line; raised after a fork, it leaves the
    copy unknown to anyone who would stop it. Signals are handled in the main thread only;
    elsewhere this defers nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous: dict[int, _Handler] = {}
    try:
        # Every handler is put back even if a signal strikes while another one is: Python
        # runs a handler put back between two of these calls at once.
        with contextlib.ExitStack() as put_back:
            for number in _DEFERRED:
                handler = signal.getsignal(number)
                if callable(handler) or handler == signal.SIG_DFL:
                    put_back.callback(signal.signal, number, handler)
                    previous[number] = handler
                    signal.signal(number, lambda signum, _frame: arrived.append(signum))
            yield
    finally:
        for signum in dict.fromkeys(arrived):  # a handler that raises ends the body's work anyway
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            else:
                signal.raise_signal(signum)
