"""The caches in output/.cache are untrusted input (issue 17, item 1).

A committed link named `output`, or links (or other odd files) committed into
output/.cache with `git add -f`, must never put a file from elsewhere into a report:
such entries are cache misses, made again, and a link named `output` is refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.parsers.expat
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import Workspace

EPOCH = "1790000000"
CANARY = "CANARY-d41d8cd98f00b204"


def _build(ws: Path, form: str = "html") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run(
        [sys.executable, "-m", "storyteller", "build", "--format", form, "--workspace", str(ws)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def _report(ws: Path) -> bytes:
    (html,) = (ws / "output").glob("*/*.html")
    return html.read_bytes()


@pytest.fixture
def built(make_workspace: Callable[..., Workspace]) -> tuple[Path, bytes]:
    """A workspace built once, with its caches filled, and the report that build made."""
    ws = make_workspace()
    ws.story("zoning")
    result = _build(ws.root)
    assert result.returncode == 0, result.stderr
    return ws.root, _report(ws.root)


def _outside(tmp_path: Path, suffix: str) -> Path:
    """A file outside the workspace that a cache entry could be made to lead to."""
    secret = tmp_path / f"secret{suffix}"
    content = f'<svg xmlns="http://www.w3.org/2000/svg"><text>{CANARY}</text></svg>'
    secret.write_text(content if suffix == ".svg" else "wOF2" + CANARY, encoding="utf-8")
    return secret


@pytest.mark.parametrize("kind", ["charts", "fonts"])
def test_a_cache_entry_linked_outside_is_made_again_not_read(
    built: tuple[Path, bytes], tmp_path: Path, kind: str
) -> None:
    root, clean = built
    entries = sorted((root / "output" / ".cache" / kind).iterdir())
    assert entries, f"the first build filled no {kind} cache"
    secret = _outside(tmp_path, entries[0].suffix)
    for entry in entries:
        entry.unlink()
        entry.symlink_to(secret)

    result = _build(root)

    assert result.returncode == 0, result.stderr
    assert _report(root) == clean  # byte-identical: nothing of the secret went in
    assert not any(entry.is_symlink() for entry in entries)  # replaced by real entries
    assert CANARY in secret.read_text(encoding="utf-8")  # the target itself is untouched


def test_a_linked_cache_folder_is_not_read(built: tuple[Path, bytes], tmp_path: Path) -> None:
    root, clean = built
    cache = root / "output" / ".cache" / "charts"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for entry in cache.iterdir():
        (elsewhere / entry.name).write_text(_outside(tmp_path, ".svg").read_text(encoding="utf-8"), encoding="utf-8")
        entry.unlink()
    cache.rmdir()
    cache.symlink_to(elsewhere, target_is_directory=True)

    result = _build(root)

    assert result.returncode == 0, result.stderr
    assert _report(root) == clean


def test_a_fifo_or_a_hard_link_in_the_cache_is_a_miss(built: tuple[Path, bytes], tmp_path: Path) -> None:
    root, clean = built
    charts = sorted((root / "output" / ".cache" / "charts").iterdir())
    assert len(charts) >= 2
    charts[0].unlink()
    os.mkfifo(charts[0])  # opening it for reading would wait for a writer forever
    secret = _outside(tmp_path, ".svg")
    charts[1].unlink()
    os.link(secret, charts[1])

    result = _build(root)

    assert result.returncode == 0, result.stderr
    assert _report(root) == clean


def test_an_entry_that_is_not_of_its_kind_is_made_again(built: tuple[Path, bytes]) -> None:
    root, clean = built
    for entry in (root / "output" / ".cache").glob("*/*"):
        entry.write_bytes(b"GIF89a not an SVG nor a font")

    result = _build(root)

    assert result.returncode == 0, result.stderr
    assert _report(root) == clean


@pytest.mark.parametrize("form", ["html", "pdf"])
def test_an_svg_entry_cut_short_is_made_again(built: tuple[Path, bytes], form: str) -> None:
    """An entry that starts like an SVG but is not whole XML (a copy cut short, an edit) is
    a miss too: WeasyPrint would stop on it, and the HTML would carry its broken markup."""
    root, clean = built
    entries = sorted((root / "output" / ".cache" / "charts").glob("*.svg"))
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])

    result = _build(root, form)

    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr
    if form == "html":
        assert _report(root) == clean
    for entry in entries:
        xml.parsers.expat.ParserCreate().Parse(entry.read_bytes(), True)  # written again, whole


def test_an_output_folder_that_is_a_link_is_refused(make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    ws = make_workspace()
    ws.story("zoning")
    target = tmp_path / "somewhere"
    target.mkdir()
    (ws.root / "output").symlink_to(target, target_is_directory=True)

    result = _build(ws.root)

    assert result.returncode == 1, result.stderr
    assert "`output` is a symbolic link" in result.stderr
    assert "remove the link" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(target.iterdir()) == []  # nothing written where the link leads
