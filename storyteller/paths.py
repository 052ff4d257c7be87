"""Where a path really leads: one definition of "inside the workspace" for every check."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from urllib.parse import quote

WORKSPACE_SCHEME = "storyteller-workspace"


def real(path: Path | str) -> str:
    """The path with every link followed; unlike Path.resolve, never raises on a link loop."""
    return os.path.realpath(path)


def real_file(path: Path | str) -> str:
    """Path(path).resolve(), for a file among many in the same few folders: the folder's real path is
    worked out once (os.path.realpath looks at every component of a path, a fifth of a
    1,000-story validate), and the file itself is followed only when it is a link. The
    folder is known by its device and inode as well as its name, so a folder swapped for a
    link to somewhere else (while the live preview runs) is resolved again."""
    folder, name = os.path.split(os.path.abspath(path))
    try:
        status = os.stat(folder)
        if os.path.islink(os.path.join(folder, name)) or name in ("", ".", ".."):
            return str(Path(path).resolve())
    except OSError:  # as Path.resolve does: a link loop raises RuntimeError
        return str(Path(path).resolve())
    return os.path.join(_real_folder(folder, status.st_dev, status.st_ino), name)


@functools.lru_cache(maxsize=256)
def _real_folder(folder: str, device: int, inode: int) -> str:
    return real(folder)


def inside(path: Path | str, *roots: Path | str) -> bool:
    """Whether ``path`` leads to one of ``roots`` or below it, links followed."""
    target = real(path)
    return any(target == base or target.startswith(base + os.sep) for base in map(real, roots))


# The few kinds of file a report embeds or the PDF renderer is served. A fixed table, not
# Python's mimetypes: that reads /etc/mime.types and friends, files outside the workspace
# that differ from machine to machine.
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
    ".woff2": "font/woff2",
    ".css": "text/css",
}
_MAGIC_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def media_type(path: Path | str, data: bytes = b"") -> str:
    """The media type of a file: from its first bytes for PNG and JPEG, else from its suffix."""
    for magic, kind in _MAGIC_TYPES:
        if data.startswith(magic):
            return kind
    return MEDIA_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")


def workspace_url(path: Path, root: Path | None) -> str:
    """A URL for a file that does not depend on where the workspace lies: WeasyPrint names
    an image in the PDF after a hash of its URL, so an absolute file:// URL would make two
    builds of the same workspace in two folders differ. pdf.py's fetcher resolves it."""
    if root is not None and path.is_relative_to(root):
        return f"{WORKSPACE_SCHEME}:{quote(path.relative_to(root).as_posix())}"
    return path.as_uri()


def first_link(root: Path, path: Path) -> Path | None:
    """The first symbolic link on the way from ``root`` down to ``path`` (``path`` itself
    included), or None; the parts that do not exist yet are no links."""
    here = root
    for part in path.relative_to(root).parts:
        here = here / part
        if os.path.islink(here):
            return here
    return None
