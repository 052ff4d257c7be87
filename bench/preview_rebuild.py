"""How long the live preview takes to rebuild after one story of a 100-story workspace changes.

Runs the rebuild machinery of `storyteller serve` in-process (storyteller.preview.preview.Preview,
what the file watcher calls), without the HTTP server or the watcher. It builds once to
warm up (imports, chart cache), then edits one story's metric several times, a different
value each time so its charts change too, and times each rebuild. Prints JSON:

    {"stories": 100, "rebuild_seconds": <median>, "edits": 7, "samples": [...], "first_build_seconds": ...}

    python bench/preview_rebuild.py                 # a generated workspace in a temporary folder
    python bench/preview_rebuild.py PATH            # an existing workspace; its first story is edited
    python bench/preview_rebuild.py --stories 300 --edits 9
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from storyteller.format.load import discover
from storyteller.preview.preview import Preview

CATEGORIES = ("automation", "proactive-problem-management", "collaboration", "process")
TEAMS = ("Storage Operations", "Network Engineering", "Service Desk", "Cloud Platform", "Linux Operations")
TODAY = dt.date(2026, 11, 25)


def story(index: int) -> str:
    """A story of the kind leads write: three metrics, a few paragraphs of Markdown."""
    subject = f"request type {index}"
    before = 20 + index % 70
    return f"""\
title: Faster {subject}
summary: The {subject} now runs through a reviewed playbook, with fewer steps and fewer mistakes.
quarter: 2026-Q3
team: {TEAMS[index % len(TEAMS)]}
owners: [Priya Raman]
category: {CATEGORIES[index % len(CATEGORIES)]}
impact: [time-to-market, reliability]
effort_hours: {10 + index % 200}
problem: |
  Every {subject} used to take **{before} minutes** of hands-on work, and requests often
  waited in the queue until someone with the right access was on shift. Mistakes were rare
  but expensive, and each one meant an evening of clean-up for the on-call engineer.
solution: |
  We wrote an *Ansible* playbook for the {subject}, reviewed by a second engineer, and a
  request form that fills in its variables:

  - the form checks the input before anything is touched,
  - a `--check` run shows the planned change,
  - the change is logged in the ticket.
outcome: |
  A {subject} takes a few minutes of review, and edge cases still reach a person.
metrics:
  - name: Hands-on time per {subject}
    unit: minutes
    before: {before}
    after: {before // 4}
    frequency: {5 + index % 40} per month
    source: Ticket history, two quarters before and after
  - name: Failed {subject} attempts
    unit: count
    per: quarter
    before: {3 + index % 9}
    after: {index % 3}
    better: lower
  - name: Share of {subject} requests done the same day
    unit: percent
    before: {40 + index % 30}
    after: {80 + index % 20}
    better: higher
"""


def generate(root: Path, count: int) -> None:
    (root / "stories" / "2026-Q3").mkdir(parents=True)
    (root / "storyteller.yaml").write_text("organization: Bench Org\nhourly_rate: 95\n", encoding="utf-8")
    for index in range(count):
        (root / "stories" / "2026-Q3" / f"story-{index:04d}.yaml").write_text(story(index), encoding="utf-8")


def measure(root: Path, edits: int) -> dict[str, object]:
    files = discover(root / "stories")
    preview = Preview(root.resolve(), today=lambda: TODAY)
    started = time.perf_counter()
    first = preview.rebuild()
    first_seconds = time.perf_counter() - started
    if not first.ok:
        raise SystemExit("the workspace has problems:\n" + "\n".join(first.problems))
    target = files[0]
    original = target.read_text(encoding="utf-8")
    samples = []
    try:
        for edit in range(edits):
            marker = f"Edited summary number {edit}"
            lines = original.splitlines(keepends=True)
            text = "".join(f"summary: {marker}.\n" if line.startswith("summary:") else line for line in lines)
            text = re.sub(r"(?m)^    after: .*$", f"    after: {edit + 1}", text, count=1)  # new value, new chart
            target.write_text(text, encoding="utf-8")
            started = time.perf_counter()
            state = preview.rebuild()
            samples.append(time.perf_counter() - started)
            if not state.ok or marker not in (state.report or ""):
                raise SystemExit(f"edit {edit} did not show up: {state.problems}")
    finally:
        target.write_text(original, encoding="utf-8")
    return {
        "stories": len(files),
        "rebuild_seconds": round(statistics.median(samples), 4),
        "edits": edits,
        "samples": [round(s, 4) for s in samples],
        "first_build_seconds": round(first_seconds, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", nargs="?", type=Path, help="an existing workspace (default: generate one)")
    parser.add_argument("--stories", type=int, default=100, help="stories to generate (default 100)")
    parser.add_argument("--edits", type=int, default=7, help="edits to time, at least 5 (default 7)")
    args = parser.parse_args()
    if args.edits < 5:
        parser.error("--edits must be at least 5")
    if args.workspace is not None:
        result = measure(args.workspace, args.edits)
    else:
        with tempfile.TemporaryDirectory(prefix="storyteller-bench-") as folder:
            generate(Path(folder), args.stories)
            result = measure(Path(folder), args.edits)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
