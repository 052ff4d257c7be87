"""Plausibility warnings end to end: each code fires at its place, `accept` silences it,
--strict turns it into a problem, and the json and github formats carry it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.format.checks import CHECKS

from .helpers import BASE_STORY

TODAY = {"SOURCE_DATE_EPOCH": "1795564800"}  # 2026-11-25: fiscal quarter 2026-Q4


def metric(extra: str = "", before: str = "50", after: str = "20", frequency: str = "40 per month") -> str:
    """BASE_STORY with its metric changed; ``extra`` lines are added to the metric."""
    text = BASE_STORY.replace("before: 50", f"before: {before}").replace("after: 20", f"after: {after}")
    text = text.replace("frequency: 40 per month", f"frequency: {frequency}")
    return text + "".join(f"    {line}\n" for line in extra.splitlines())


# (code, story text, the line:column and field it is reported at)
CASES = [
    ("large-factor", metric(after="0.5"), "15:12: warning: metrics[0].after", "the factor is 100x"),
    ("no-change", metric(after="50"), "15:12: warning: metrics[0].after", "`after` equals `before` (50 minutes)"),
    (
        "large-saving",
        metric(before="50", after="5", frequency="200 per month"),
        "16:16: warning: metrics[0].frequency",
        "saves 1,800 hours a year (4.2 FTE), more than 2 FTE from one metric",
    ),
    (
        "team-capacity",
        metric(before="8", after="7.9", frequency="2500 per month").replace("unit: minutes", "unit: hours"),
        "16:16: warning: metrics[0].frequency",
        "8 hours x 30,000 a year is 240,000 hours a year, more than a team of 10 works (17,200 hours)",
    ),
    (
        "no-source",
        metric("basis: estimated"),
        "17:12: warning: metrics[0].basis",
        "an estimated metric has no `source`",
    ),
    (
        "future-quarter",
        BASE_STORY.replace("quarter: 2026-Q3", "quarter: 2027-Q1"),
        "3:10: warning: quarter",
        "the story is delivered in 2027-Q1, which has not started yet (today is 2026-11-25)",
    ),
    (
        "future-date",
        BASE_STORY.replace("quarter: 2026-Q3", "quarter: 2026-Q4\ndate: 2026-12-03"),
        "4:7: warning: date",
        "the story is delivered but goes live on 2026-12-03, after today (2026-11-25)",
    ),
    (
        "quarter-folder",
        BASE_STORY.replace("quarter: 2026-Q3", "quarter: 2026-Q2"),
        "3:10: warning: quarter",
        "the story is in 2026-Q2 but sits in the folder 2026-Q3/",
    ),
]

CONFIG = "organization: Test Org\nhourly_rate: 95\nhours_per_fte: 1720\n"


def test_every_declared_code_has_a_case() -> None:
    assert {c.code for c in CHECKS} == {case[0] for case in CASES} | {"duplicate-title", "placeholder"}


@pytest.mark.parametrize(("code", "text", "where", "detail"), CASES, ids=[c[0] for c in CASES])
def test_each_warning_fires_at_its_place_and_accept_silences_it(
    make_workspace: Callable[..., object], runner: CliRunner, code: str, text: str, where: str, detail: str
) -> None:
    # large-saving: 45 minutes x 2,400 events is 1,800 hours, above 2 FTE of 430 hours each
    config = CONFIG.replace("1720", "430") if code == "large-saving" else CONFIG
    ws = make_workspace(config)
    folder = {"future-quarter": "2027-Q1", "future-date": "2026-Q4"}.get(code, "2026-Q3")
    ws.story("subject", text, folder)  # type: ignore[attr-defined]
    result = runner.invoke(app, ["validate", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    scope = next(c.on for c in CHECKS if c.code == code)
    assert lines[0].startswith(f"stories/{folder}/subject.yaml:{where}: {detail}"), lines[0]
    assert lines[0].endswith(f"or accept it: `accept: [{code}]` on the {scope}")
    assert result.stdout == "1 story valid, 1 warning\n"

    # Accepted on the story: silent. On the metric (where the code is a metric's): silent too.
    ws.story("subject", text + f"accept: [{code}]\n", folder)  # type: ignore[attr-defined]
    accepted = runner.invoke(app, ["validate", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
    assert (accepted.exit_code, accepted.stderr, accepted.stdout) == (0, "", "1 story valid\n")
    if scope == "metric":
        on_metric = text.replace("    frequency:", f"    accept: [{code}]\n    frequency:", 1)
        ws.story("subject", on_metric, folder)  # type: ignore[attr-defined]
        accepted = runner.invoke(app, ["validate", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
        assert (accepted.exit_code, accepted.stderr) == (0, ""), accepted.stderr


def test_duplicate_titles_warn_on_both_files(make_workspace: Callable[..., object], runner: CliRunner) -> None:
    ws = make_workspace(CONFIG)
    ws.story("first")  # type: ignore[attr-defined]
    ws.story("second", BASE_STORY.replace("title: Automated SAN", "title:   automated san"))  # type: ignore[attr-defined]
    result = runner.invoke(app, ["validate", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
    assert result.stderr.splitlines() == [
        "stories/2026-Q3/first.yaml:1:8: warning: title: stories/2026-Q3/second.yaml has the same title; "
        "give each story its own title, or merge the two stories, or accept it: `accept: [duplicate-title]` on the story",
        "stories/2026-Q3/second.yaml:1:10: warning: title: stories/2026-Q3/first.yaml has the same title; "
        "give each story its own title, or merge the two stories, or accept it: `accept: [duplicate-title]` on the story",
    ]
    ws.story("second", BASE_STORY + "accept: [duplicate-title]\n")  # type: ignore[attr-defined]
    result = runner.invoke(app, ["validate", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["stories/2026-Q3/first.yaml"]


def test_accept_takes_only_real_codes(make_workspace: Callable[..., object], runner: CliRunner) -> None:
    ws = make_workspace(CONFIG)
    ws.story("typo", BASE_STORY + "accept: [large-factr]\n")  # type: ignore[attr-defined]
    ws.story("scope", metric("accept: [duplicate-title]"))  # type: ignore[attr-defined]
    result = runner.invoke(app, ["validate", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "stories/2026-Q3/scope.yaml:17:14: metrics[0].accept[0]: `duplicate-title` is not a known metric warning "
        "code; use one of: `large-factor`, `no-change`, `large-saving`, `team-capacity`, `no-source`",
        "stories/2026-Q3/typo.yaml:17:10: accept[0]: `large-factr` is not a known warning code; did you mean `large-factor`?",
        "2 problems in 2 files",
    ]


def test_every_prompt_that_new_writes_is_a_placeholder_warning(
    make_workspace: Callable[..., object], runner: CliRunner
) -> None:
    ws = make_workspace(CONFIG)
    root = str(ws.root)  # type: ignore[attr-defined]
    made = runner.invoke(app, ["new", "Backup checks", "--quarter", "2026-Q3", "-w", root], env=TODAY)
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["validate", "-w", root], env=TODAY)
    assert (result.exit_code, result.stdout) == (0, "1 story valid, 5 warnings\n")
    fix = "write the story's own text in its place"
    assert result.stderr.splitlines() == [
        f'stories/2026-Q3/backup-checks.yaml:4:10: warning: summary: "TODO: one sentence on what is better now." '
        f"is placeholder text; {fix}",
        f'stories/2026-Q3/backup-checks.yaml:6:7: warning: team: "Your team" is placeholder text; {fix}',
        f'stories/2026-Q3/backup-checks.yaml:15:10: warning: problem: "TODO: what hurt before, and how often? '
        f'(Markdown)" is placeholder text; {fix}',
        f'stories/2026-Q3/backup-checks.yaml:17:11: warning: solution: "TODO: what did the team do?" is '
        f"placeholder text; {fix}",
        f'stories/2026-Q3/backup-checks.yaml:19:10: warning: outcome: "TODO: what is better now, for whom?" is '
        f"placeholder text; {fix}",
    ]
    built = runner.invoke(app, ["build", "--format", "html", "--quarter", "2026-Q3", "-w", root], env=TODAY)
    assert built.exit_code == 0, built.output
    assert result.stderr.splitlines()[0] in built.stderr.splitlines()  # build says it too
    strict = runner.invoke(app, ["validate", "--strict", "-w", root], env=TODAY)
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[0] == (
        'stories/2026-Q3/backup-checks.yaml:4:10: summary: "TODO: one sentence on what is better now." '
        f"is placeholder text; {fix} [placeholder]"
    )


def test_a_placeholder_cannot_be_accepted(make_workspace: Callable[..., object], runner: CliRunner) -> None:
    ws = make_workspace(CONFIG)
    ws.story("accepting", BASE_STORY + "accept: [placeholder]\n")  # type: ignore[attr-defined]
    result = runner.invoke(app, ["validate", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "stories/2026-Q3/accepting.yaml:17:10: accept[0]: `placeholder` is not a known warning code; use one of:"
    )


def test_prompts_of_earlier_versions_and_todo_text_are_placeholders_too(
    make_workspace: Callable[..., object], runner: CliRunner
) -> None:
    ws = make_workspace(CONFIG)
    text = BASE_STORY.replace(
        "summary: Zoning requests now run through a reviewed playbook.", "summary: One sentence on what is better now."
    )
    text = text.replace("  Requests are closed the same day.", "  todo:  say what is better")
    text += "    source: Where the numbers come from\n"
    ws.story("old", text)  # type: ignore[attr-defined]
    result = runner.invoke(app, ["validate", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
    assert [line.split(": warning: ")[1].split(" is placeholder")[0] for line in result.stderr.splitlines()] == [
        'summary: "One sentence on what is better now."',
        'outcome: "todo: say what is better"',
        'metrics[0].source: "Where the numbers come from"',
    ]


@pytest.fixture
def warned(make_workspace: Callable[..., object]) -> Path:
    """A workspace with one valid story that has one warning (a factor of 100)."""
    ws = make_workspace(CONFIG)
    ws.story("fast", metric(after="0.5"))  # type: ignore[attr-defined]
    return ws.root  # type: ignore[attr-defined,no-any-return]


def test_strict_makes_warnings_problems(warned: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "--strict", "-w", str(warned)], env=TODAY)
    assert result.exit_code == 1
    first, count = result.stderr.splitlines()
    assert first.startswith("stories/2026-Q3/fast.yaml:15:12: metrics[0].after: the factor is 100x")
    assert first.endswith("[large-factor]") and count == "1 problem in 1 file"
    build = runner.invoke(app, ["build", "--strict", "--format", "html", "-w", str(warned)], env=TODAY)
    assert build.exit_code == 1 and "[large-factor]" in build.stderr
    assert not (warned / "output" / "2026-Q3").exists()


def test_build_shows_warnings_and_builds(warned: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["build", "--format", "html", "-w", str(warned)], env=TODAY)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("stories/2026-Q3/fast.yaml:15:12: warning: metrics[0].after: the factor is 100x")
    assert result.stdout.startswith("wrote ") and (warned / "output" / "2026-Q3").is_dir()
    quiet = runner.invoke(app, ["build", "--quiet", "--format", "html", "-w", str(warned)], env=TODAY)
    assert quiet.exit_code == 0 and quiet.stdout == "" and "warning:" in quiet.stderr


def test_json_format_carries_warnings_with_codes(warned: Path, runner: CliRunner) -> None:
    for strict, code in ((False, 0), (True, 1)):
        args = ["validate", "--format", "json", "-w", str(warned), *(["--strict"] if strict else [])]
        result = runner.invoke(app, args, env=TODAY)
        assert result.exit_code == code
        data = json.loads(result.stdout)
        assert (data["valid"], data["strict"], data["problems"]) == (not strict, strict, [])
        (warning,) = data["warnings"]
        assert {k: warning[k] for k in ("path", "line", "column", "field", "code")} == {
            "path": "stories/2026-Q3/fast.yaml",
            "line": 15,
            "column": 12,
            "field": "metrics[0].after",
            "code": "large-factor",
        }


def test_github_format_prints_workflow_commands(
    make_workspace: Callable[..., object], runner: CliRunner, tmp_path: Path
) -> None:
    ws = make_workspace(CONFIG, name="repo/reports")  # a workspace in a sub-folder of the repository
    ws.story("fast", metric(after="0.5"))  # type: ignore[attr-defined]
    ws.story("broken", BASE_STORY.replace("summary:", "sumary:"))  # type: ignore[attr-defined]
    old = os.getcwd()
    os.chdir(tmp_path / "repo")
    try:
        result = runner.invoke(app, ["validate", "--format", "github"], env=TODAY)
        strict = runner.invoke(app, ["validate", "--format", "github", "--strict", "-w", "reports"], env=TODAY)
    finally:
        os.chdir(old)
    assert result.exit_code == 1 and "no storyteller.yaml found" in result.stderr  # not in the workspace
    assert strict.exit_code == 1
    lines = strict.stdout.splitlines()
    assert lines[0] == (
        "::error file=reports/stories/2026-Q3/broken.yaml,line=2,col=1,title=storyteller::"
        "sumary: `sumary` is not a story field; did you mean `summary`?"
    )
    assert lines[1].startswith(
        "::error file=reports/stories/2026-Q3/fast.yaml,line=15,col=12,title=storyteller large-factor::"
        "metrics[0].after: the factor is 100x"
    )
    assert lines[2:] == ["2 problems in 2 files"]
    plain = runner.invoke(app, ["validate", "--format", "github", "-w", str(ws.root)], env=TODAY)  # type: ignore[attr-defined]
    assert any(line.startswith("::warning file=") for line in plain.stdout.splitlines())


def test_github_annotation_escapes_what_would_end_the_command() -> None:
    from storyteller.annotate import command

    assert command("warning", "a,b:c.yaml", 1, 2, "t:x", "50%\nnext") == (
        "::warning file=a%2Cb%3Ac.yaml,line=1,col=2,title=t%3Ax::50%25%0Anext"
    )
