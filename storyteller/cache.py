"""The build caches in output/.cache (chart SVGs, font subsets), read as untrusted input.

A cache entry is only a file in a folder of the workspace: a committed link named ``output``
or ``.cache/charts/<key>.svg``, or a file added with ``git add -f``, could otherwise put any
file of the machine into a report. So an entry is read only when it is a regular file with a
single name, reached without following any link from the real output folder, no larger than
an entry can be, and of the kind its name says (an SVG, a WOFF2 font). Anything else is a
cache miss: the entry is made again and replaces what stood there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from storyteller.paths import first_link

MAX_ENTRY_BYTES = 16 * 1024 * 1024  # a chart's SVG is tens of kilobytes, a font subset less
SVG = (b"<svg",)
WOFF2 = (b"wOF2",)
_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def read_entry(path: Path, kinds: tuple[bytes, ...], below: Path) -> bytes | None:
    """The bytes of the cache entry ``path``, or None when there is no trustworthy entry.
    ``kinds`` are the first bytes an entry of its kind has; no folder on the way from
    ``below`` (the workspace) down to the entry may be a link."""
    try:
        if not path.is_relative_to(below) or first_link(below, path) is not None:
            return None
        fd = os.open(path, _FLAGS)  # O_NOFOLLOW: the entry itself may not be a link either
    except (OSError, ValueError):
        return None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1 or status.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) > MAX_ENTRY_BYTES or not data.lstrip().startswith(kinds):
        return None
    return data
