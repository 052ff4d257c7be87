"""Shared fixtures: real workspaces in tmp_path and the CLI runner (plain helpers: helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from .helpers import RATED_CONFIG, Workspace


@pytest.fixture
def make_workspace(tmp_path: Path) -> Callable[..., Workspace]:
    def make(config: str = RATED_CONFIG, name: str = "ws") -> Workspace:
        return Workspace(tmp_path / name, config)

    return make


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The hostile corpus's figures (cases, tracebacks, reads outside, network), when it ran."""
    from . import harmless

    if harmless.FIGURES:
        terminalreporter.write_line(harmless.summary_line(harmless.FIGURES))
