"""Problems and warnings as GitHub Actions workflow commands (`validate --format github`).

GitHub shows ``::error file=...,line=...::message`` lines of a job's output as
annotations on the file and line, in the run summary and in a pull request's diff.
Paths must be relative to the repository root, where a job's steps start, so they are
made relative to the current folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def shown_path(path: str, root: Path, cwd: Path) -> str:
    """A workspace-relative path as seen from ``cwd`` (where the CI job runs)."""
    target = root / path
    if not target.exists():  # a path the user typed that does not exist: shown as typed
        return path
    relative = os.path.relpath(target, cwd)
    return Path(relative).as_posix() if not relative.startswith("..") else target.as_posix()


def command(kind: str, path: str, line: int, column: int, title: str, message: str) -> str:
    """One workflow command: ``kind`` is ``error`` or ``warning``."""
    where = f"file={_property(path)},line={line},col={column},title={_property(title)}"
    return f"::{kind} {where}::{_data(message)}"


def commands(root: Path, problems: list[Any], findings: list[Any], strict: bool) -> list[str]:
    """The workflow commands of a validation: problems are errors, warnings errors with ``strict``."""
    cwd = Path.cwd()
    lines = []
    for p in problems:
        message = f"{p.field}: {p.message}" if p.field else p.message
        lines.append(command("error", shown_path(p.path, root, cwd), p.line, p.column, "storyteller", message))
    for f in findings:
        kind = "error" if strict else "warning"
        path = shown_path(f.path, root, cwd)
        lines.append(command(kind, path, f.line, f.column, f"storyteller {f.code}", f"{f.field}: {f.message}"))
    return lines
