"""The house style holds: ruff lint and format, mypy strict on the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import REPO


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.fail(f"{name} is not installed; run `make test`")
    return which


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "storyteller", "tests", "docs/examples"],
        ["ruff", "format", "--check", "storyteller", "tests", "docs/examples"],
        pytest.param(["mypy"], marks=pytest.mark.mypy),
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(command: list[str]) -> None:
    result = subprocess.run([_tool(command[0]), *command[1:]], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
