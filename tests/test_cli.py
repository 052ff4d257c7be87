"""The command line end to end: real workspaces in tmp_path, exact output and exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyteller import __version__
from storyteller.cli import app

from .helpers import BASE_STORY, EPOCH, REPO

SPEC_STORY = (
    BASE_STORY
    + """\
  - name: Zoning mistakes reaching production
    unit: count
    per: quarter
    before: 3
    after: 0
    better: lower
"""
)


def run(runner: CliRunner, *args: str, cwd: Path | None = None) -> object:
    if cwd is None:
        return runner.invoke(app, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, list(args))
    finally:
        os.chdir(old)


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"storyteller {__version__}\n"


def test_export_json_has_the_spec_contract(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("san-zoning", SPEC_STORY)
    result = runner.invoke(app, ["export", "--format", "json", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["workspace"]["organization"] == "Test Org"
    assert data["workspace"]["currency"] == "USD" and data["workspace"]["hourly_rate"] == 95
    story = data["stories"][0]
    assert {k: story[k] for k in ("id", "file", "quarter", "status", "team", "category")} == {
        "id": "san-zoning",
        "file": "stories/2026-Q3/san-zoning.yaml",
        "quarter": "2026-Q3",
        "status": "delivered",
        "team": "Storage Operations",
        "category": "automation",
    }
    assert story["yearly_hours_saved"] == 240.0
    assert story["estimated_hours_saved"] == 0.0
    assert story["yearly_money_saved"] == 22800.0
    assert story["other_currency"] == {}
    assert story["fte"] == 0.1395
    assert story["payback_weeks"] == 26.0
    first, second = story["metrics"]
    assert first == first | {
        "name": "Processing time per zoning request",
        "unit": "minutes",
        "before": 50,
        "after": 20,
        "better": "lower",
        "change": -30.0,
        "change_percent": -60.0,
        "factor": 2.5,
        "eliminated": False,
        "regression": False,
        "yearly_hours_saved": 240.0,
        "basis": "measured",
    }
    assert second["factor"] is None and second["eliminated"] is True and second["yearly_hours_saved"] is None
    assert data["totals"]["2026-Q3"] == data["totals"]["2026-Q3"] | {
        "delivered": 1,
        "in_progress": 0,
        "yearly_hours_saved": 240.0,
        "estimated_hours_saved": 0.0,
        "yearly_money_saved": 22800.0,
        "other_currency": {},
        "fte": 0.1395,
    }
    assert set(data["totals"]) == {"2026-Q3", "2026"}


def test_export_selects_quarter_year_and_latest(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("a", BASE_STORY)
    ws.story("b", BASE_STORY.replace("2026-Q3", "2026-Q1"), folder="2026-Q1")
    ws.story("c", BASE_STORY.replace("2026-Q3", "2025-Q4"), folder="2025-Q4")

    def ids(*args: str) -> list[str]:
        result = runner.invoke(app, ["export", *args, "--workspace", str(ws.root)])
        assert result.exit_code == 0, result.output
        return [s["id"] for s in json.loads(result.stdout)["stories"]]

    assert ids() == ["c", "b", "a"]
    assert ids("--quarter", "2026-Q1") == ["b"]
    assert ids("--quarter", "latest") == ["a"]
    assert ids("--year", "2026") == ["b", "a"]
    assert ids("--quarter", "2024-Q1") == []


def test_export_csv_one_row_per_metric(make_workspace, runner: CliRunner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("san-zoning", SPEC_STORY)
    ws.story(
        "wip", BASE_STORY.replace(BASE_STORY[BASE_STORY.index("metrics:") :], "status: in-progress\nmetrics: []\n")
    )
    target = tmp_path / "out" / "figures.csv"
    result = runner.invoke(app, ["export", "--format", "csv", "--output", str(target), "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["id"], r["metric_name"]) for r in rows] == [
        ("san-zoning", "Processing time per zoning request"),
        ("san-zoning", "Zoning mistakes reaching production"),
        ("wip", ""),
    ]
    assert rows[0]["metric_factor"] == "2.5" and rows[1]["metric_factor"] == ""
    assert rows[1]["metric_eliminated"] == "true"
    assert rows[0]["yearly_hours_saved"] == "240.0"


def test_validate_ok_and_problems(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("good")
    result = runner.invoke(app, ["validate", "--workspace", str(ws.root)])
    assert (result.exit_code, result.stdout) == (0, "1 story valid\n")
    ws.story("bad", BASE_STORY.replace("summary:", "sumary:"), folder="2026-Q2")
    result = runner.invoke(app, ["validate", "--workspace", str(ws.root)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "stories/2026-Q2/bad.yaml:2:1: sumary: `sumary` is not a story field; did you mean `summary`?",
        "1 problem in 1 file",
    ]
    # Only the named file: the good one alone passes.
    result = runner.invoke(app, ["validate", str(ws.root / "stories" / "2026-Q3"), "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output


def test_workspace_is_found_from_a_subfolder(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("good")
    result = run(runner, "validate", cwd=ws.root / "stories" / "2026-Q3")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]


def test_no_workspace_is_a_clear_error(tmp_path: Path, runner: CliRunner) -> None:
    result = run(runner, "validate", cwd=tmp_path)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "no storyteller.yaml found" in result.stderr and "storyteller init" in result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_wrong_usage_exits_2(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("good")
    assert runner.invoke(app, ["export", "--format", "xml", "-w", str(ws.root)]).exit_code == 2
    assert runner.invoke(app, ["nonsense"]).exit_code == 2
    both = runner.invoke(app, ["export", "--quarter", "2026-Q3", "--year", "2026", "-w", str(ws.root)])
    assert both.exit_code == 2 and "either --quarter or --year" in both.stderr
    bad = runner.invoke(app, ["list", "--quarter", "Q3-2026", "-w", str(ws.root)])
    assert bad.exit_code == 2 and "write it like 2026-Q3" in bad.stderr


def test_init_creates_a_valid_workspace_and_never_overwrites(tmp_path: Path, runner: CliRunner) -> None:
    target = tmp_path / "new-ws"
    env = {"SOURCE_DATE_EPOCH": EPOCH}  # 2026-09-21: quarter 2026-Q3
    result = runner.invoke(app, ["init", str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert (target / ".gitignore").read_text().strip().endswith("output/")
    assert (target / "stories" / "2026-Q3" / "example-server-builds.yaml").is_file()
    assert (target / "output" / "story.schema.json").is_file()
    config = (target / "storyteller.yaml").read_text()
    for key in (
        "organization",
        "title",
        "stories",
        "output",
        "currency",
        "hourly_rate",
        "hours_per_fte",
        "locale",
        "fiscal_year_start",
        "categories",
        "outcomes",
        "brand",
        "primary",
        "logo",
    ):
        assert f"\n{key}:" in config or f"  {key}:" in config, key
    check = runner.invoke(app, ["validate", "-w", str(target)])
    assert (check.exit_code, check.stdout) == (0, "1 story valid\n")
    before = (target / "storyteller.yaml").read_text()
    again = runner.invoke(app, ["init", str(target)], env=env)
    assert again.exit_code == 1 and "never overwrites" in again.stderr
    assert (target / "storyteller.yaml").read_text() == before


def test_new_writes_a_valid_skeleton_named_from_the_title(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    result = runner.invoke(
        app,
        [
            "new",
            "Zoning: NO more typing!",
            "--quarter",
            "2026-Q4",
            "--team",
            "On",
            "--category",
            "process",
            "-w",
            str(ws.root),
        ],
    )
    assert result.exit_code == 0, result.output
    path = ws.root / "stories" / "2026-Q4" / "zoning-no-more-typing.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../output/story.schema.json\n")
    assert (ws.root / "output" / "story.schema.json").is_file()
    exported = runner.invoke(app, ["export", "-w", str(ws.root)])
    story = json.loads(exported.stdout)["stories"][0]
    assert (story["title"], story["team"], story["category"], story["status"]) == (
        "Zoning: NO more typing!",
        "On",
        "process",
        "in-progress",
    )
    again = runner.invoke(app, ["new", "Zoning: no more typing", "--quarter", "2026-Q1", "-w", str(ws.root)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert runner.invoke(app, ["new", "x", "--category", "nope", "-w", str(ws.root)]).exit_code == 2


def test_list_shows_stories_and_totals(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("san-zoning", SPEC_STORY)
    result = runner.invoke(app, ["list", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "san-zoning" in result.stdout and "Storage Operations" in result.stdout
    assert "1 delivered, 0 in progress" in result.stdout and "240" in result.stdout


def test_schema_writes_a_file(make_workspace, runner: CliRunner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace("categories:\n  ops: Operations\n")
    target = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "--output", str(target), "-w", str(ws.root)])
    assert result.exit_code == 0
    assert json.loads(target.read_text())["properties"]["category"]["enum"] == ["ops"]


def _python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_python_dash_m_works_and_light_commands_skip_heavy_imports(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['storyteller', 'validate', '--workspace', sys.argv[1]]\n"
        "from storyteller.cli import run\n"
        "try:\n    run()\n"
        "except SystemExit as e:\n    code = e.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'altair', 'vl_convert', 'pydantic'))\n"
        "print('HEAVY', heavy, code)\n"
    )
    result = _python("-c", probe, str(REPO), cwd=tmp_path)
    assert "20 stories valid" in result.stdout or "stories valid" in result.stdout, result.stderr
    assert "HEAVY [] 0" in result.stdout
    version = _python("-m", "storyteller", "--version", cwd=tmp_path)
    assert version.stdout == f"storyteller {__version__}\n"


def test_the_installed_command_works_from_any_folder(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "storyteller"
    if not script.exists():
        pytest.skip("storyteller is not installed in this environment (run `make test`)")
    result = subprocess.run([str(script), "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.stdout == f"storyteller {__version__}\n"
    result = subprocess.run(
        [str(script), "list", "--workspace", str(REPO), "--quarter", "2026-Q3"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "san-zoning-automation" in result.stdout


@pytest.mark.slow  # pip builds a wheel in a subprocess
def test_the_wheel_ships_the_templates_and_the_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("storyteller-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "storyteller/templates/__init__.py" in names
    assert "storyteller/py.typed" in names
    assert {"storyteller/fonts/Inter-Regular.ttf", "storyteller/fonts/OFL.txt"} <= set(names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "storyteller = storyteller.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_validate_with_a_relative_path_is_not_a_duplicate_of_itself(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("good")
    result = run(runner, "validate", "stories", cwd=ws.root)
    assert (result.exit_code, result.stdout) == (0, "1 story valid\n"), result.output  # type: ignore[attr-defined]
    result = run(runner, "validate", "stories/2026-Q3/good.yaml", "--format", "json", cwd=ws.root)
    assert json.loads(result.stdout) == {
        "valid": True,
        "files": 1,
        "stories": 1,
        "strict": False,
        "problems": [],
        "warnings": [],
    }  # type: ignore[attr-defined]


def test_a_symlink_loop_is_a_problem_not_a_crash(make_workspace, runner: CliRunner) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace()
    ws.story("good")
    (ws.root / "stories" / "loop.yaml").symlink_to("loop.yaml")
    result = runner.invoke(app, ["validate", "-w", str(ws.root)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "stories/loop.yaml:1:1: is a symbolic link that points to itself; replace it with the file"
    )


def test_init_keeps_an_existing_gitignore_and_adds_output(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc\n")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".gitignore").read_text().startswith("*.pyc\n")
    assert "output/" in (tmp_path / ".gitignore").read_text().split()


BUG = """
import sys
import storyteller.format.load

def load_workspace(*args, **kwargs):
    story_text = "CONFIDENTIAL-STORY-TEXT"  # a local variable that a traceback must never show
    raise ValueError("boom")

storyteller.format.load.load_workspace = load_workspace
sys.argv = ["storyteller", *sys.argv[1:]]
from storyteller.__main__ import main
main()
"""


def test_a_bug_is_one_line_and_debug_shows_no_local_variables(tmp_path: Path) -> None:
    plain = _python("-c", BUG, "validate", "--workspace", str(REPO), cwd=tmp_path)
    assert plain.returncode == 3
    assert plain.stderr == "storyteller: internal error: ValueError: boom; run with --debug for details\n"
    debug = _python("-c", BUG, "--debug", "validate", "--workspace", str(REPO), cwd=tmp_path)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "ValueError: boom" in debug.stderr
    assert "CONFIDENTIAL-STORY-TEXT" not in debug.stderr + debug.stdout


def test_the_help_sample_in_docs_cli_is_the_real_help() -> None:
    """docs/cli.md shows `storyteller --help` as it is, every command included."""

    sample = re.search(r"```console\n\$ storyteller --help\n(.*?)```", (REPO / "docs" / "cli.md").read_text(), re.S)
    assert sample, "docs/cli.md has no `storyteller --help` sample"
    env = {**os.environ, "COLUMNS": "80"}  # the width the sample was taken at
    result = subprocess.run([sys.executable, "-m", "storyteller", "--help"], capture_output=True, text=True, env=env)
    assert result.returncode == 0
    assert sample.group(1) == result.stdout.replace("python -m storyteller", "storyteller")
