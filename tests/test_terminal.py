"""The terminal and the author's tooling: prompts only on a terminal (a real pty), colour
and NO_COLOR, the progress bar, editor settings, the pre-commit hook and the CI docs."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from storyteller.cli import app
from storyteller.terminal import Steps

from .helpers import BASE_STORY, REPO

TODAY = {"SOURCE_DATE_EPOCH": "1795564800"}  # 2026-11-25: fiscal quarter 2026-Q4
DEADLINE = 120.0


def in_terminal(args: list[str], answers: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run storyteller on a pseudo-terminal, answering each prompt as it appears."""
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "storyteller", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, "TERM": "xterm-256color", **env},
        close_fds=True,
    )
    os.close(secondary)
    output = b""
    pending = list(answers)
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        ready, _, _ = select.select([main], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if pending and output.rstrip().endswith(b":"):
                os.write(main, pending.pop(0).encode() + b"\r")
        elif process.poll() is not None:
            break
    process.wait(timeout=DEADLINE)
    os.close(main)
    return process.returncode, output.decode("utf-8", errors="replace")


def test_new_asks_for_what_is_missing_on_a_terminal(make_workspace: Callable[..., Any]) -> None:
    ws = make_workspace()
    code, output = in_terminal(
        ["new", "-w", str(ws.root)], ["Backup checks", "Storage Operations", "process", ""], TODAY
    )
    assert code == 0, output
    for prompt in (
        "Title:",
        "Team [Your team]:",
        "Category (automation, proactive-problem-management",
        "Quarter [2026-Q4]:",
    ):
        assert prompt in output, output
    text = (ws.root / "stories" / "2026-Q4" / "backup-checks.yaml").read_text()
    assert "title: Backup checks" in text and "team: Storage Operations" in text and "category: process" in text


def test_new_never_asks_without_a_terminal(make_workspace: Callable[..., Any]) -> None:
    ws = make_workspace()
    command = [sys.executable, "-m", "storyteller", "new", "-w", str(ws.root)]
    env = {**os.environ, **TODAY}
    missing = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode == 2 and "Title" not in missing.stdout
    assert missing.stderr == (
        'storyteller: give the story\'s TITLE: `storyteller new "Title"` (there is no terminal to ask on)\n'
    )
    given = subprocess.run(
        [*command, "Patch reports"], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60
    )
    assert given.returncode == 0 and given.stdout.startswith("created ")
    assert "team: Your team" in (ws.root / "stories" / "2026-Q4" / "patch-reports.yaml").read_text()


def test_colour_on_a_terminal_and_none_with_no_color(make_workspace: Callable[..., Any]) -> None:
    ws = make_workspace()
    ws.story("fast", BASE_STORY.replace("after: 20", "after: 0.5"))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    code, coloured = in_terminal(["validate", "-w", str(ws.root)], [], {**TODAY})
    assert code == 0 and "\x1b[33mwarning:" in coloured, coloured
    code, plain = in_terminal(["validate", "-w", str(ws.root)], [], {**TODAY, "NO_COLOR": "1"})
    assert code == 0 and "warning:" in plain and not re.search(r"\x1b\[[0-9;]*[34][0-9]m", plain), plain
    piped = subprocess.run(
        [sys.executable, "-m", "storyteller", "validate", "-w", str(ws.root)],
        capture_output=True,
        text=True,
        env={**env, **TODAY},
        timeout=60,
    )
    assert "\x1b" not in piped.stderr and "warning:" in piped.stderr


def test_the_progress_bar_shows_on_a_terminal_only_and_verbose_times_each_step() -> None:
    terminal = io.StringIO()
    with Steps(Console(file=terminal, force_terminal=True, width=80), delay=0) as steps:
        steps("charts", 0, 3)
        time.sleep(0.3)  # lets the bar's refresh thread draw (not a timing assertion)
        steps("html 2026-Q3", 1, 3)
        steps("done", 3, 3)
    assert "building: charts" in terminal.getvalue() or "building: html 2026-Q3" in terminal.getvalue()
    log = io.StringIO()
    with Steps(Console(file=log, force_terminal=False), verbose=True, delay=0) as steps:
        steps("charts", 0, 2)
        steps("pdf 2026-Q3", 1, 2)
        steps("done", 2, 2)
    lines = log.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["charts", "pdf 2026-Q3"]
    assert all(re.fullmatch(r"[^:]+: \d+\.\d\d s", line) for line in lines) and "\x1b" not in log.getvalue()
    quiet = io.StringIO()
    with Steps(Console(file=quiet, force_terminal=True), bar=False, delay=0) as steps:
        steps("charts", 0, 1)
    assert quiet.getvalue() == ""


def test_init_writes_editor_settings_and_keeps_existing_ones(tmp_path: Path) -> None:
    runner = CliRunner()
    fresh = tmp_path / "fresh"
    assert runner.invoke(app, ["init", str(fresh)]).exit_code == 0
    settings = json.loads((fresh / ".vscode" / "settings.json").read_text())
    assert settings == {"yaml.schemas": {"./output/story.schema.json": ["stories/**/*.yaml", "stories/**/*.yml"]}}
    assert (fresh / "output" / "story.schema.json").is_file()
    assert json.loads((fresh / ".vscode" / "extensions.json").read_text()) == {
        "recommendations": ["redhat.vscode-yaml"]
    }

    kept = tmp_path / "kept"
    (kept / ".vscode").mkdir(parents=True)
    (kept / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2}')
    assert runner.invoke(app, ["init", str(kept)]).exit_code == 0
    merged = json.loads((kept / ".vscode" / "settings.json").read_text())
    assert merged["editor.tabSize"] == 2 and "./output/story.schema.json" in merged["yaml.schemas"]

    commented = tmp_path / "commented"
    (commented / ".vscode").mkdir(parents=True)
    (commented / ".vscode" / "settings.json").write_text("// mine\n{}\n")
    result = runner.invoke(app, ["init", str(commented)])
    assert result.exit_code == 0 and "is not plain JSON, so it was left alone" in result.stderr
    assert (commented / ".vscode" / "settings.json").read_text() == "// mine\n{}\n"


def test_the_pre_commit_hook_runs_validate_on_the_workspace(make_workspace: Callable[..., Any]) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "storyteller-validate" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("stories/2026-Q3/san-zoning.yaml") and files.search("reports/storyteller.yaml")
    assert not files.search("README.md") and not files.search("stories/notes.txt")
    ws = make_workspace()
    ws.story("broken", BASE_STORY.replace("summary:", "sumary:"))
    result = subprocess.run(
        [*hook["entry"].replace("storyteller", f"{sys.executable} -m storyteller", 1).split(), "--strict"],
        cwd=ws.root,
        capture_output=True,
        text=True,
        env={**os.environ, **TODAY},
        timeout=60,
    )
    assert result.returncode == 1 and "sumary: `sumary` is not a story field" in result.stderr


@pytest.mark.slow
def test_the_ci_examples_validate_every_change_and_publish_the_pdf(make_workspace: Callable[..., Any]) -> None:
    text = (REPO / "docs" / "ci.md").read_text()
    github, gitlab, _pre_commit = (yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S))
    triggers = github[True]  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers and "pull_request" in triggers
    steps = github["jobs"]["report"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "storyteller validate --format github --strict" in runs and "storyteller build --all" in runs
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].endswith(".pdf")
    scripts = [line for job in gitlab.values() if isinstance(job, dict) for line in job.get("script", [])]
    assert "storyteller validate --strict" in scripts
    assert any(p.endswith(".pdf") for p in gitlab["build-reports"]["artifacts"]["paths"])
    # The commands of both examples work on a real workspace.
    ws = make_workspace()
    ws.story("san-zoning")
    commands = {line.strip() for line in [*runs.splitlines(), *scripts] if line.strip().startswith("storyteller ")}
    assert len(commands) == 3, commands
    for command in sorted(commands):
        result = subprocess.run(
            [sys.executable, "-m", *command.split()],
            cwd=ws.root,
            capture_output=True,
            text=True,
            env={**os.environ, **TODAY},
            timeout=600,
        )
        assert result.returncode == 0, (command, result.stderr)
    assert (ws.root / "output" / "2026-Q3" / "test-org-2026-Q3.pdf").is_file()
