"""Where a path really leads: one definition of "inside the workspace" for every check."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

WORKSPACE_SCHEME = "storyteller-workspace"


def real(path: Path | str) -> str:
    """The path with every link followed; unlike Path.resolve, never raises on a link loop."""
    return os.path.realpath(path)


def inside(path: Path | str, *roots: Path | str) -> bool:
    """Whether ``path`` leads to one of ``roots`` or below it, links followed."""
    target = real(path)
    return any(target == base or target.startswith(base + os.sep) for base in map(real, roots))


def workspace_url(path: Path, root: Path | None) -> str:
    """A URL for a file that does not depend on where the workspace lies: WeasyPrint names
    an image in the PDF after a hash of its URL, so an absolute file:// URL would make two
    builds of the same workspace in two folders differ. pdf.py's fetcher resolves it."""
    if root is not None and path.is_relative_to(root):
        return f"{WORKSPACE_SCHEME}:{quote(path.relative_to(root).as_posix())}"
    return path.as_uri()
