"""What storyteller writes goes only where it should (issue 17, items 3 and 4).

`--output` never replaces something that is not a regular file (a named pipe, a device,
a link to /proc/self/fd/1); `init` and `new` write all their files or none, so a full
disk leaves nothing behind that a second try would refuse; a failed write is
`cannot write PATH: <reason>` with exit 1, never an internal error.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import REPO, Workspace


def _storyteller(
    *args: str, cwd: Path | None = None, small_disk: bool = False, stdout: object = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # every write past 300 bytes fails (EFBIG), as a full disk fails with ENOSPC
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))

    return subprocess.run(
        [sys.executable, "-m", "storyteller", *args],
        cwd=cwd or REPO,
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        preexec_fn=limit if small_disk else None,
    )


def test_output_to_a_named_pipe_is_refused_and_the_pipe_stays(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = _storyteller("export", "--output", str(pipe))
    assert result.returncode == 1
    assert (
        result.stderr
        == f"storyteller: cannot write {pipe}: it is a named pipe; storyteller replaces only regular files: name a new file\n"
    )
    assert pipe.is_fifo()


@pytest.mark.parametrize("target", ["/proc/self/fd/1", "/dev/null"])
def test_output_to_a_link_is_refused_and_the_link_stays(tmp_path: Path, target: str) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(target)
    result = _storyteller("schema", "--output", str(link))
    assert result.returncode == 1
    assert "it is a symbolic link" in result.stderr
    assert link.is_symlink() and os.readlink(link) == target


def test_output_to_a_device_is_refused(tmp_path: Path) -> None:
    """A device node of the test's own (the same as /dev/full), so that a regression
    replaces nothing of the machine's."""
    device = tmp_path / "full"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root")
    result = _storyteller("export", "--output", str(device))
    assert result.returncode == 1
    assert (
        result.stderr
        == f"storyteller: cannot write {device}: it is a device; storyteller replaces only regular files: name a new file\n"
    )
    assert device.is_char_device()


def test_export_to_a_full_standard_output_is_a_message() -> None:
    with open("/dev/full", "w") as full:
        result = _storyteller("export", stdout=full)
    assert result.returncode == 1
    assert result.stderr == "storyteller: cannot write standard output: No space left on device\n"


def test_init_on_a_full_disk_leaves_nothing_and_a_second_try_works(tmp_path: Path) -> None:
    target = tmp_path / "ws"
    result = _storyteller("init", str(target), small_disk=True)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"storyteller: cannot write {target}/"), result.stderr
    assert "File too large" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p for p in target.rglob("*") if p.is_file()] == []  # no empty storyteller.yaml, no half story

    again = _storyteller("init", str(target))
    assert again.returncode == 0, again.stderr
    assert (target / "storyteller.yaml").stat().st_size > 300


def test_new_on_a_full_disk_leaves_no_empty_story(make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace()
    result = _storyteller(
        "new", "Patch windows in one run", "--quarter", "2026-Q3", "--team", "Ops", cwd=ws.root, small_disk=True
    )
    assert result.returncode == 1, result.stderr
    assert "cannot write" in result.stderr and "File too large" in result.stderr
    assert list((ws.root / "stories").rglob("*.yaml")) == []

    again = _storyteller("new", "Patch windows in one run", "--quarter", "2026-Q3", "--team", "Ops", cwd=ws.root)
    assert again.returncode == 0, again.stderr


def test_init_never_changes_a_file_outside_through_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ignore").write_text("secret-rules\n", encoding="utf-8")
    (outside / "settings.json").write_text('{"secret": "do not copy"}\n', encoding="utf-8")
    target = tmp_path / "ws"
    (target / ".vscode").mkdir(parents=True)
    (target / ".vscode" / "settings.json").symlink_to(outside / "settings.json")

    (target / ".gitignore").symlink_to(outside / "ignore")
    refused = _storyteller("init", str(target))
    assert refused.returncode == 1
    assert ".gitignore is a symbolic link" in refused.stderr
    assert (outside / "ignore").read_text(encoding="utf-8") == "secret-rules\n"
    assert not (target / "storyteller.yaml").exists()

    (target / ".gitignore").unlink()
    result = _storyteller("init", str(target))
    assert result.returncode == 0, result.stderr
    settings = target / ".vscode" / "settings.json"
    assert settings.is_symlink()  # left alone: neither read nor replaced
    assert (outside / "settings.json").read_text(encoding="utf-8") == '{"secret": "do not copy"}\n'
    assert "secret" not in "".join(
        p.read_text(encoding="utf-8") for p in target.rglob("*") if p.is_file() and not p.is_symlink()
    )
