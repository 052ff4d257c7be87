"""The one place that writes files: atomically, so an interruption never leaves half a file.

A report is written in two steps: every file goes to a temporary file beside its target
(``.name.XXXX.tmp``), then all of them are renamed into place with SIGINT and SIGTERM held
back, so a Ctrl-C or a `kill` either comes before the renames (the previous reports stay,
the temporary files are removed) or after them (the new reports are complete). Two builds
at once each rename whole files; the last rename wins and no file is ever a mixture.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

_HELD = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Delay SIGINT and SIGTERM until the block is done (main thread only; elsewhere the
    signals go to the main thread anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _payload(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_all_atomic(files: Mapping[Path, str | bytes]) -> None:
    """Write every file, or none: temporary files first, then renames that a signal cannot
    split. On any error (a full disk, an interruption) the temporary files are removed and
    the existing files are untouched. Raises the OSError or KeyboardInterrupt it met."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with signals_held():  # the name is recorded before a signal can strike
                    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                    temps.append((temp, path))
                with os.fdopen(fd, "wb") as handle:
                    handle.write(_payload(data))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(temp, 0o644)
            except OSError as error:  # name the file we were writing, not the temporary one
                raise OSError(error.errno, error.strerror, str(path)) from error
        with signals_held():
            for temp, path in temps:
                os.replace(temp, path)
            temps.clear()
    finally:
        with signals_held():
            for temp, _ in temps:
                with contextlib.suppress(OSError):
                    os.unlink(temp)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    write_all_atomic({path: data})


def write_cache(path: Path, data: str | bytes) -> None:
    """Keep a cache entry if the disk allows: a cache that cannot be written (a full disk,
    a read-only folder) only costs time, so it never fails a build."""
    with contextlib.suppress(OSError):
        write_atomic(path, data)


def create_new(path: Path, data: str) -> None:
    """Write a file that must not exist yet; raises FileExistsError if it does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(data)


def append_text(path: Path, text: str) -> None:
    """Add ``text`` at the end of an existing file (a user's own file, such as .gitignore)."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)
