"""The benchmark (bench/) works: its generated workspaces are valid and varied, and a tiny
run writes a complete results page. Nothing here is timed: speed belongs in `make bench`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from storyteller.format.config import load_config
from storyteller.format.load import load_workspace

from .helpers import REPO

sys.path.insert(0, str(REPO / "bench"))

import run  # bench/ is a folder of scripts, not a package
from workspace import generate

pytestmark = pytest.mark.benchmark


def test_generated_workspaces_are_valid_varied_and_one_annual_report(tmp_path: Path) -> None:
    loaded = load_workspace(load_config(generate(tmp_path / "ws", 60)))
    assert loaded.problems == []
    stories = loaded.stories
    assert len(stories) == 60
    assert all(len(s.metrics) == 3 for s in stories)
    assert {str(s.quarter) for s in stories} == {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}  # one fiscal year
    assert len({s.category for s in stories}) == 4 and len({s.team for s in stories}) >= 8
    assert {s.status for s in stories} == {"delivered", "in-progress"}
    assert {m.basis for s in stories for m in s.metrics} == {"measured", "estimated"}
    assert len({m.unit for s in stories for m in s.metrics}) >= 5
    words = [len(f"{s.problem} {s.solution or ''} {s.outcome}".split()) for s in stories]
    assert 120 <= sum(words) / len(words) <= 180  # about 150 words of narrative
    again = (generate(tmp_path / "again", 60) / "stories").rglob("*.yaml")
    assert {p.name: p.read_text() for p in again} == {
        p.name: p.read_text() for p in (tmp_path / "ws" / "stories").rglob("*.yaml")
    }  # deterministic


def test_a_tiny_benchmark_run_writes_every_measurement(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "3", "--runs", "1", "--output", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert "Load average" in page and "CPU:" in page
    for row in (
        "`storyteller --help`",
        "`validate`",
        "`build --format html`, cold",
        "`build --format html`, warm chart cache",
        "`build --format html` after editing one story",
        "`build --format pdf`, cold",
        "`build --format pdf`, warm chart cache",
        "floor: our PDF source, WeasyPrint alone",
        "naive peer (no cache)",
        "`build --format pptx` (the deck), warm",
    ):
        line = next(line for line in page.splitlines() if line.startswith(f"| {row} |"))
        assert re.search(r"\| \d+\.\d+ s \(CPU \d+\.\d+ s\), [\d,]+ MB \|$", line), line
    assert "PDF cold / floor, at most 1.25" in page and "naive / PDF cold, at least 1.4" in page
    floor_parts = next(line for line in page.splitlines() if line.startswith("| floor in parts"))
    assert "laid out whole" in floor_parts  # 3 stories are not laid out in parts


def test_the_floor_in_parts_lays_out_the_parts_the_build_hands_its_workers(tmp_path: Path) -> None:
    workspace = generate(tmp_path / "ws", 44)
    build = [sys.executable, "-m", "storyteller", "build", "--year", "2026", "--format", "pdf"]
    assert subprocess.run(build, cwd=workspace, capture_output=True).returncode == 0  # the chart cache
    parts = tmp_path / "parts"
    made = subprocess.run(
        [sys.executable, str(REPO / "bench" / "pdf_source.py"), str(workspace), "2026", "--parts", str(parts)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    names = sorted(p.name for p in parts.iterdir())
    assert int(made.stdout) == len(names) and len([n for n in names if n.startswith("sheets-")]) == 2  # heads, numbers
    assert all("storyteller-anchor:" not in (parts / n).read_text() for n in names if n.startswith("sheets-"))
    floor = [sys.executable, str(REPO / "bench" / "floor_parts.py"), str(parts), str(workspace)]
    done = subprocess.run(floor, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_compared_measurements_run_in_turns(tmp_path: Path) -> None:
    """One run of each, then the next round: a slow spell of the machine falls on all alike."""
    log = tmp_path / "order"
    write = "import sys; open(sys.argv[1], 'a').write(sys.argv[2])"
    measures = [(key, key, [sys.executable, "-c", write, str(log), key], None) for key in ("a", "b", "c")]
    results = run.in_turns(measures, tmp_path, 3)
    assert log.read_text() == "abc" * 3
    assert [len(results[key].runs) for key in "abc"] == [3, 3, 3]
    failing = [*measures[:1], ("x", "x", [sys.executable, "-c", "raise SystemExit(1)"], None), *measures[1:]]
    results = run.in_turns(failing, tmp_path, 2)
    assert results["x"].runs == [] and results["x"].note.startswith("failed:")
    assert log.read_text() == "abc" * 3 + "abc" * 2  # the others keep their runs
