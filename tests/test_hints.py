"""Hints for the slips a new author makes most (spec v1.1): each names path:line:column and
says how to write it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from storyteller.cli import app

from .helpers import BASE_STORY


def _validate(make_workspace: Callable[..., object], runner: CliRunner, text: str) -> list[str]:
    ws = make_workspace()
    ws.story("slip", text)  # type: ignore[attr-defined]
    result = runner.invoke(app, ["validate", "-w", str(ws.root)])  # type: ignore[attr-defined]
    assert result.exit_code == 1
    return result.stderr.splitlines()[:-1]  # without the count


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("1,5", 'expected a number, found the text "1,5"; use a decimal point: 1.5'),
        ("1,500", 'expected a number, found the text "1,500"; write it without the thousands separator: 1500'),
        (
            "18 hours",
            'expected a number, found the text "18 hours"; drop the unit: write 18 (a metric\'s unit goes in `unit:`)',
        ),
        (
            "0,75h",
            'expected a number, found the text "0,75h"; drop the unit: write 0.75 (a metric\'s unit goes in `unit:`)',
        ),
    ],
)
def test_a_number_written_as_people_write_it_says_how_to_write_it(
    make_workspace: Callable[..., object], runner: CliRunner, written: str, said: str
) -> None:
    lines = _validate(make_workspace, runner, BASE_STORY.replace("before: 50", f"before: {written}"))
    assert lines == [f"stories/2026-Q3/slip.yaml:14:13: metrics[0].before: {said}"]


def test_effort_hours_with_a_decimal_comma(make_workspace: Callable[..., object], runner: CliRunner) -> None:
    lines = _validate(make_workspace, runner, BASE_STORY.replace("effort_hours: 120", "effort_hours: 1,5"))
    assert lines == [
        'stories/2026-Q3/slip.yaml:6:15: effort_hours: expected a number, found the text "1,5"; use a decimal point: 1.5'
    ]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("    unit: %", '13:11: YAML syntax error: a value cannot start with `%` unquoted; quote it: unit: "%"'),
        (
            "    unit: % of hosts   # share",
            '13:11: YAML syntax error: a value cannot start with `%` unquoted; quote it: unit: "% of hosts"',
        ),
    ],
)
def test_an_unquoted_percent_sign_says_to_quote_it(
    make_workspace: Callable[..., object], runner: CliRunner, line: str, said: str
) -> None:
    lines = _validate(make_workspace, runner, BASE_STORY.replace("    unit: minutes", line))
    assert lines == [f"stories/2026-Q3/slip.yaml:{said}"]


def test_an_unknown_category_for_new_suggests_the_nearest(
    make_workspace: Callable[..., object], runner: CliRunner
) -> None:
    root = str(make_workspace().root)  # type: ignore[attr-defined]
    typo = runner.invoke(app, ["new", "Backup checks", "--category", "processs", "-w", root])
    assert (typo.exit_code, typo.stderr) == (
        2,
        "storyteller: --category `processs` is not a category of this workspace; did you mean `process`?\n",
    )
    far = runner.invoke(app, ["new", "Backup checks", "--category", "zzz", "-w", root])
    assert far.stderr == (
        "storyteller: --category `zzz` is not a category of this workspace; use one of: automation, "
        "proactive-problem-management, collaboration, process\n"
    )
