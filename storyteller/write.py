"""The one place that writes files: atomically, so an interruption never leaves half a file.

A report is written in two steps: every file goes to a temporary file beside its target
(``.name.XXXX.tmp``), then all of them are renamed into place with SIGINT and SIGTERM held
back, so a Ctrl-C or a `kill` either comes before the renames (the previous reports stay,
the temporary files are removed) or after them (the new reports are complete). Two builds
at once each rename whole files; the last rename wins and no file is ever a mixture.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from storyteller.errors import CannotWrite, signals_deferred


def _payload(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse_odd(path: Path) -> None:
    """Refuse to put a file where something other than a regular file stands: renaming over
    a named pipe, a device or a link to /dev/stdout would replace it, and the user's data
    would not go where they meant."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise CannotWrite(
        errno.EEXIST, f"it is {kind}; storyteller replaces only regular files: name a new file", str(path)
    )


def _temporary(path: Path, data: str | bytes, temps: list[tuple[str, Path]]) -> None:
    """``data`` in a new temporary file beside ``path``, synced to disk; its name goes to ``temps``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with signals_deferred():  # the name is recorded before a signal can strike
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        temps.append((temp, path))
    with os.fdopen(fd, "wb") as handle:
        handle.write(_payload(data))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temp, 0o644)


@contextlib.contextmanager
def _named(path: Path | str) -> Iterator[None]:
    """An OSError in the block as CannotWrite, naming the file we meant, not a temporary one."""
    try:
        yield
    except CannotWrite:
        raise
    except OSError as error:
        raise CannotWrite(error.errno, error.strerror, str(path)) from error


def _remove(temps: list[tuple[str, Path]]) -> None:
    with signals_deferred():
        for temp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def write_all_atomic(files: Mapping[Path, str | bytes], replace_any: bool = False) -> None:
    """Write every file, or none: temporary files first, then renames that a signal cannot
    split. On any error (a full disk, an interruption) the temporary files are removed and
    the existing files are untouched. Raises CannotWrite (an OSError) or KeyboardInterrupt.
    Only a new path or a regular file is replaced, unless ``replace_any`` (for the caches,
    where a link or a pipe in the way is to be replaced)."""
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            with _named(path):
                if not replace_any:
                    _refuse_odd(path)
                _temporary(path, data, temps)
        with signals_deferred():
            for temp, path in temps:
                with _named(path):
                    os.replace(temp, path)
            temps.clear()
    finally:
        _remove(temps)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    write_all_atomic({path: data})


def write_cache(path: Path, data: str | bytes) -> None:
    """Keep a cache entry if the disk allows: a cache that cannot be written (a full disk,
    a read-only folder) only costs time, so it never fails a build."""
    with contextlib.suppress(OSError):
        write_all_atomic({path: data}, replace_any=True)


def create_all_new(files: Mapping[Path, str]) -> None:
    """Write files that must not exist yet, all or none: each is written whole to a
    temporary file first and then linked to its name, which fails if the name is taken
    (FileExistsError); on any error the files already linked are removed again, so a full
    disk never leaves an empty or half-written file that a second try would refuse."""
    temps: list[tuple[str, Path]] = []
    made: list[Path] = []
    try:
        for path, data in files.items():
            with _named(path):
                _temporary(path, data, temps)
        with signals_deferred():
            for temp, path in temps:
                try:
                    os.link(temp, path)
                except FileExistsError:
                    raise
                except OSError as error:
                    raise CannotWrite(error.errno, error.strerror, str(path)) from error
                made.append(path)
    except BaseException:
        with signals_deferred():
            for path in made:
                with contextlib.suppress(OSError):
                    os.unlink(path)
        raise
    finally:
        _remove(temps)


def create_new(path: Path, data: str) -> None:
    """Write a file that must not exist yet (see create_all_new); FileExistsError if it does."""
    create_all_new({path: data})


def append_text(path: Path, text: str) -> None:
    """Add ``text`` at the end of an existing file (a user's own file, such as .gitignore),
    by writing the whole new file beside it and renaming it into place; a link is refused,
    so that a file elsewhere is never changed through it."""
    with _named(path):
        _refuse_odd(path)
        before = path.read_bytes()
    write_atomic(path, before + text.encode("utf-8"))
