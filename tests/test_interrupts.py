"""Builds that are interrupted, run out of disk or race each other, with real signals sent
to real `storyteller build` processes: the previous report survives whole, no temporary
file is left, and the exit is one line."""

from __future__ import annotations

import errno
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from storyteller import write

from .helpers import EPOCH, build_in_subprocess, copy_example

NAME = "northwind-logistics-2026-Q3"
COMMAND = [sys.executable, "-m", "storyteller", "build", "--quarter", "2026-Q3"]
EPOCH_OLD, EPOCH_NEW = EPOCH, "1790100000"

pytestmark = pytest.mark.slow  # whole builds in subprocesses, stopped by real signals


def _env(epoch: str) -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": epoch}


def _build(ws: Path, epoch: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return build_in_subprocess(ws, "--quarter", "2026-Q3", *extra, epoch=epoch)


def _reports(folder: Path) -> tuple[bytes, bytes]:
    return (folder / f"{NAME}.html").read_bytes(), (folder / f"{NAME}.pdf").read_bytes()


def _leftovers(output: Path) -> list[str]:
    return sorted(str(p.relative_to(output)) for p in output.rglob("*") if p.name.endswith(".tmp"))


@pytest.fixture(scope="module")
def old_and_new(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[bytes, bytes], tuple[bytes, bytes]]:
    """A workspace whose output/ holds the old report, a story edited since, and the
    reports that an uninterrupted build of the edited workspace writes."""
    ws = copy_example(tmp_path_factory.mktemp("interrupts") / "ws")
    _build(ws, EPOCH_OLD)
    old = _reports(ws / "output" / "2026-Q3")
    story = ws / "stories" / "2026-Q3" / "san-zoning-automation.yaml"
    story.write_text(story.read_text().replace("title: ", "title: Rebuilt ", 1))
    reference = ws.parent / "reference"
    _build(ws, EPOCH_NEW, "--output", str(reference))
    new = _reports(reference / "2026-Q3")
    assert old[0] != new[0] and old[1] != new[1]
    return ws, old, new


def _restore(ws: Path, old: tuple[bytes, bytes]) -> None:
    folder = ws / "output" / "2026-Q3"
    (folder / f"{NAME}.html").write_bytes(old[0])
    (folder / f"{NAME}.pdf").write_bytes(old[1])


SIGNALS = [(signal.SIGINT, 130, "storyteller: interrupted\n"), (signal.SIGTERM, 143, "storyteller: terminated\n")]


@pytest.mark.parametrize(("signum", "code", "line"), SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_a_signal_at_any_moment_keeps_a_whole_report(
    old_and_new: tuple[Path, tuple[bytes, bytes], tuple[bytes, bytes]], signum: int, code: int, line: str
) -> None:
    ws, old, new = old_and_new
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    started = time.monotonic()
    _restore(ws, old)
    _build(ws, EPOCH_NEW)  # how long a build takes here, with the chart cache warm
    duration = time.monotonic() - started
    outcomes = []
    for trial in range(5):
        _restore(ws, old)
        # From just after start-up to just past the end: imports, loading, charts, layout, writing.
        delay = rng.uniform(0.3, duration * 1.1)
        scratch = ws.parent / f"tmp-{signum}-{trial}"  # WeasyPrint's temporary fonts go here
        scratch.mkdir()
        env = {**_env(EPOCH_NEW), "TMPDIR": str(scratch)}
        process = subprocess.Popen(COMMAND, cwd=ws, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        process.send_signal(signum)
        _stdout, stderr = process.communicate(timeout=300)
        where = f"seed {seed}, trial {trial}, signal after {delay:.2f} s of a {duration:.2f} s build"
        html, pdf = _reports(ws / "output" / "2026-Q3")
        assert process.returncode in (0, code), f"{where}: exit {process.returncode}: {stderr.decode()}"
        if process.returncode == code:
            assert stderr.decode() == line, where
        else:  # finished before the signal arrived
            assert (html, pdf) == new, where
        assert html in (old[0], new[0]) and pdf in (old[1], new[1]), f"{where}: a report is neither old nor new"
        assert _leftovers(ws / "output") == [], where
        assert list(scratch.iterdir()) == [], f"{where}: temporary files left in TMPDIR"
        outcomes.append(process.returncode)
    assert code in outcomes, f"seed {seed}: no trial was interrupted ({outcomes})"


DISK_FULL = {
    "html": "storyteller: cannot write {html}: File too large; no report was replaced\n",
    # WeasyPrint copies the fonts (330 kB each) to temporary files before any page is laid out.
    "html,pdf": "storyteller: cannot make the PDF of 2026-Q3: File too large while writing temporary files in "
    "{tmp}; free some space there or set TMPDIR to another folder\n",
}


@pytest.mark.parametrize("formats", list(DISK_FULL))
def test_a_full_disk_keeps_the_old_report_and_says_so(
    old_and_new: tuple[Path, tuple[bytes, bytes], tuple[bytes, bytes]], formats: str
) -> None:
    """RLIMIT_FSIZE makes every write past 100 kB fail with EFBIG, as a full disk fails
    with ENOSPC: the HTML report (about 190 kB) cannot be written, nor WeasyPrint's fonts."""
    ws, old, _new = old_and_new
    _restore(ws, old)
    shutil.rmtree(ws / "output" / ".cache", ignore_errors=True)  # cache writes come first and must fail quietly

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    result = subprocess.run(
        [*COMMAND, "--format", formats],
        cwd=ws,
        env=_env(EPOCH_NEW),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_disk,
    )
    assert result.returncode == 1, result.stderr
    html = ws / "output" / "2026-Q3" / f"{NAME}.html"
    assert result.stderr == DISK_FULL[formats].format(html=html, tmp=tempfile.gettempdir())
    assert _reports(ws / "output" / "2026-Q3") == old
    assert _leftovers(ws / "output") == []


def test_two_builds_at_once_end_with_whole_reports(
    old_and_new: tuple[Path, tuple[bytes, bytes], tuple[bytes, bytes]],
) -> None:
    ws, old, new = old_and_new
    other_epoch = "1790200000"
    reference = ws.parent / "reference-other"
    _build(ws, other_epoch, "--output", str(reference))
    other = _reports(reference / "2026-Q3")
    _restore(ws, old)
    processes = [
        subprocess.Popen(COMMAND, cwd=ws, env=_env(epoch), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for epoch in (EPOCH_NEW, other_epoch)
    ]
    for process in processes:
        _stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()
    html, pdf = _reports(ws / "output" / "2026-Q3")
    assert html in (new[0], other[0]) and pdf in (new[1], other[1])
    assert _leftovers(ws / "output") == []


def test_all_or_nothing_when_the_second_file_cannot_be_written(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "a" / "report.html", tmp_path / "b" / "report.pdf"
    first.parent.mkdir()
    first.write_text("old html")
    calls = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(write.os, "fsync", fsync)
    with pytest.raises(OSError) as raised:
        write.write_all_atomic({first: "new html", second: b"new pdf"})
    assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, str(second))
    assert first.read_text() == "old html" and not second.exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["report.html"]


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    write.write_cache(blocked / "chart.svg", "<svg/>")  # no exception
    assert blocked.read_text() == "a file where the cache folder should be"
