"""Golden output: the HTML report of a small fixed workspace, compared line by line after normalising.

The workspace is tests/golden/workspace/ (four stories in 2026-Q1 and 2026-Q2); the expected
report is tests/golden/report-2026-Q2.html. When a change to the templates, the CSS or the
figures is intended, regenerate the golden file from the repository root and review its diff:

    .venv/bin/python -m tests.test_golden --update

Without ``--update`` the same command only compares, like the test. Normalising keeps the
file readable and stable: every base64 ``data:`` URI becomes ``data:<mime>;sha256=<12 hex>``
of its decoded bytes (so a changed chart still shows), except fonts, whose subsets depend on
the fontTools version and become a fixed placeholder; the storyteller version becomes
``VERSION``; whitespace between tags becomes one line break.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import hashlib
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from .helpers import FONT_PLACEHOLDER, build, normalise

GOLDEN = Path(__file__).resolve().parent / "golden"
WORKSPACE = GOLDEN / "workspace"
QUARTER = "2026-Q2"
EXPECTED = GOLDEN / f"report-{QUARTER}.html"
SHOWN = EXPECTED.relative_to(GOLDEN.parent.parent).as_posix()  # tests/golden/report-2026-Q2.html
UPDATE = ".venv/bin/python -m tests.test_golden --update"
DIFF_LINES = 60


def build_html(tmp: Path) -> str:
    """Build the golden workspace's latest quarter as HTML, in a copy under ``tmp``."""
    workspace = tmp / "golden-workspace"
    shutil.copytree(WORKSPACE, workspace, ignore=shutil.ignore_patterns("output"))
    build(workspace, "--format", "html")
    built = sorted((workspace / "output").rglob("*.html"))
    if [p.parent.name for p in built] != [QUARTER]:
        raise AssertionError(f"expected one report for {QUARTER}, got {[str(p) for p in built]}")
    return built[0].read_text(encoding="utf-8")


def difference(expected: str, actual: str) -> str:
    """The first lines of a unified diff and how to regenerate, or "" when equal."""
    if expected == actual:
        return ""
    diff = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{SHOWN} (expected)",
            tofile="built from tests/golden/workspace (actual)",
            n=2,
        )
    )
    shown = "".join(diff[:DIFF_LINES])
    more = f"... and {len(diff) - DIFF_LINES} more lines of diff\n" if len(diff) > DIFF_LINES else ""
    missing = "" if EXPECTED.exists() else f"{SHOWN} does not exist yet.\n"
    return (
        f"{missing}The built HTML differs from the golden file:\n{shown}{more}"
        f"If the change is intended, regenerate it from the repository root with `{UPDATE}` "
        "(or `make golden`) and review the diff before committing."
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> str:
    return normalise(build_html(tmp_path_factory.mktemp("golden")))


def test_html_matches_the_golden_file(built: str) -> None:
    expected = EXPECTED.read_text(encoding="utf-8") if EXPECTED.exists() else ""
    problem = difference(expected, built)
    if problem:
        pytest.fail(problem, pytrace=False)


def test_the_golden_workspace_covers_every_part_of_the_report(built: str) -> None:
    """If the workspace stops exercising a part of the template, the golden file stops guarding it."""
    assert 'id="story-vm-provisioning"' in built and 'class="metrics"' in built  # a full story, its table
    assert '<span class="freq">30 per month</span>' in built  # a duration metric with a frequency
    assert "badge-estimated" in built  # an estimated metric
    assert 'id="small-wins"' in built and 'id="story-dns-record-requests"' in built
    assert 'id="in-progress"' in built and 'id="story-log-archive-tiering"' in built
    assert "chart-category" in built and "chart-trend" in built and "chart-story" in built
    assert re.search(r"data:image/svg\+xml;sha256=[0-9a-f]{12}", built)
    assert f"data:font/woff2;{FONT_PLACEHOLDER}" in built and ";base64," not in built


def test_normalise() -> None:
    svg = base64.b64encode(b"<svg/>").decode()
    html = f'<p>\n   <img src="data:image/svg+xml;base64,{svg}">  </p>\n<style>url("data:font/woff2;base64,d09GMg==")</style>'
    digest = hashlib.sha256(b"<svg/>").hexdigest()[:12]
    assert normalise(html) == (
        f'<p>\n<img src="data:image/svg+xml;sha256={digest}">\n</p>\n'
        f'<style>url("data:font/woff2;{FONT_PLACEHOLDER}")</style>\n'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.test_golden",
        description=f"Compare the golden workspace's report with {EXPECTED.name}, or rewrite it with --update.",
    )
    parser.add_argument("--update", action="store_true", help="rewrite the golden file from a fresh build")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        actual = normalise(build_html(Path(tmp)))
    expected = EXPECTED.read_text(encoding="utf-8") if EXPECTED.exists() else ""
    if actual == expected:
        print(f"{SHOWN} is up to date")
        return 0
    if not args.update:
        print(difference(expected, actual), file=sys.stderr)
        return 1
    EXPECTED.write_text(actual, encoding="utf-8", newline="\n")
    print(f"wrote {SHOWN}; review the change with `git diff {SHOWN}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
