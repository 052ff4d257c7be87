"""Where a path really leads: one definition of "inside the workspace" for every check."""

from __future__ import annotations

import os
from pathlib import Path


def real(path: Path | str) -> str:
    """The path with every link followed; unlike Path.resolve, never raises on a link loop."""
    return os.path.realpath(path)


def inside(path: Path | str, *roots: Path | str) -> bool:
    """Whether ``path`` leads to one of ``roots`` or below it, links followed."""
    target = real(path)
    return any(target == base or target.startswith(base + os.sep) for base in map(real, roots))
