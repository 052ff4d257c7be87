"""Shared fixtures: real workspaces in tmp_path and the CLI runner."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent

BASE_STORY = """\
title: Automated SAN switch zoning
summary: Zoning requests now run through a reviewed playbook.
quarter: 2026-Q3
team: Storage Operations
category: automation
effort_hours: 120
problem: |
  Every zoning request meant typing aliases by hand.
outcome: |
  Requests are closed the same day.
metrics:
  - name: Processing time per zoning request
    unit: minutes
    before: 50
    after: 20
    frequency: 40 per month
"""


def copy_example(root: Path) -> Path:
    """A copy of the example workspace (config and stories) at ``root``, for tests that
    build it in another folder or change it."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "storyteller.yaml", root)
    shutil.copytree(REPO / "stories", root / "stories")
    return root


class Workspace:
    """A workspace on disk that a test fills with stories."""

    def __init__(self, root: Path, config: str) -> None:
        self.root = root
        (root / "stories").mkdir(parents=True, exist_ok=True)
        (root / "storyteller.yaml").write_text(textwrap.dedent(config), encoding="utf-8")

    def story(self, name: str, text: str = BASE_STORY, folder: str = "2026-Q3") -> Path:
        path = self.root / "stories" / folder / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path


@pytest.fixture
def make_workspace(tmp_path: Path) -> Callable[..., Workspace]:
    def make(config: str = "organization: Test Org\nhourly_rate: 95\n", name: str = "ws") -> Workspace:
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
