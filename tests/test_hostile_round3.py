"""Hostile input, round 3 (issue 17): the clock, temporary folders, terminal text.

Each test failed before its fix.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import REPO, Workspace, until


def _storyteller(*args: str, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyteller", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("epoch", ["abc", "-5", "1e9", "99999999999999999999", "١٧٩٠٠٠٠٠٠٠"])
def test_a_source_date_epoch_that_is_no_time_is_an_error(epoch: str) -> None:
    result = _storyteller("validate", SOURCE_DATE_EPOCH=epoch)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"storyteller: SOURCE_DATE_EPOCH is `{epoch}`; it must be the seconds since 1970")
    assert "Traceback" not in result.stderr


def test_the_last_accepted_source_date_epoch_builds() -> None:
    result = _storyteller("validate", SOURCE_DATE_EPOCH="4102444799")
    assert result.returncode == 0, result.stderr


def test_list_prints_emoji_codes_as_text(make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace()
    ws.story("zoning", _story_with_team("Ops :smile: team"))
    result = _storyteller("list", cwd=ws.root)
    assert result.returncode == 0, result.stderr
    assert ":smile:" in result.stdout
    assert "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}" not in result.stdout


def _story_with_team(team: str) -> str:
    from .helpers import BASE_STORY

    return BASE_STORY.replace("team: Storage Operations", f'team: "{team}"')


def test_a_killed_builds_temporary_folder_is_removed_by_the_next_build(
    make_workspace: Callable[..., Workspace],
) -> None:
    """A SIGKILL leaves no `finally`: the next build removes the folder of a process that is
    gone, when it is older than any build runs; a live process's folder stays."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = tempfile.mkdtemp(prefix=f"storyteller-pdf-{int(dead.stdout)}-")
    Path(gone, "weasyprint-x").mkdir()
    alive = tempfile.mkdtemp(prefix=f"storyteller-workers-{os.getpid()}-")
    young = tempfile.mkdtemp(prefix=f"storyteller-pdf-{int(dead.stdout)}-")
    old = time.time() - 7200
    for folder in (gone, alive):
        os.utime(folder, (old, old))
    try:
        ws = make_workspace()
        ws.story("zoning")
        result = _storyteller("build", "--format", "pdf", cwd=ws.root, SOURCE_DATE_EPOCH="1790000000")
        assert result.returncode == 0, result.stderr
        assert not os.path.exists(gone)
        assert os.path.isdir(alive)  # this test's own process is alive
        assert os.path.isdir(young)  # too young to be a killed build's for sure
    finally:
        for folder in (gone, alive, young):
            subprocess.run(["rm", "-rf", folder], check=False)


@pytest.mark.parametrize(
    "name",
    [
        b"caf\xe9.yaml",
        b"a\x1b[31mred\x07.yaml",
        "cost-\u202eevil.yaml".encode(),
        "zero\u200bwidth.yaml".encode(),
    ],
    ids=["latin-1", "escape-bell", "bidi", "zero-width"],
)
def test_a_story_file_name_no_terminal_can_show_safely_is_a_problem(
    make_workspace: Callable[..., Workspace], name: bytes
) -> None:
    """A file name that is not UTF-8 crashed build and export -o and made export print invalid
    UTF-8; one with ESC, BEL or a bidi control reached the terminal through
    `validate --format github` and the CSV export."""
    ws = make_workspace()
    story = ws.story("zoning")
    os.rename(bytes(story), bytes(story.parent) + b"/" + name)
    for args in (
        ("validate",),
        ("validate", "--format", "github"),
        ("validate", "--format", "json"),
        ("export", "--format", "csv"),
        ("export", "--output", str(ws.root / "figures.json")),
        ("build", "--format", "html"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "storyteller", *args], cwd=ws.root, capture_output=True, timeout=300
        )
        out = result.stdout + result.stderr
        assert result.returncode == 1, (args, out)
        text = out.decode("utf-8")  # valid UTF-8: raises otherwise
        assert "Traceback" not in text and "internal error" not in text
        assert not any(c in text for c in "\x1b\x07\u202e\u200b"), (args, text)
        assert "rename the file with plain characters" in text, (args, text)


def _inotify_watches() -> int:
    """The inotify watches this process holds (each is a `inotify wd:` line in fdinfo)."""
    count = 0
    for fd in os.listdir("/proc/self/fdinfo"):
        try:
            with open(f"/proc/self/fdinfo/{fd}", encoding="ascii") as info:
                count += sum(line.startswith("inotify wd:") for line in info)
        except OSError:
            continue
    return count


def test_the_preview_never_watches_a_linked_folder(make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    """validate does not follow a linked folder; the preview watched everything below it
    (15,733 inotify watches for a link to /usr)."""
    from storyteller.preview.preview import Preview
    from storyteller.preview.serve import watching

    outside = tmp_path / "outside"
    for i in range(60):
        (outside / f"d{i}").mkdir(parents=True)
    ws = make_workspace()
    ws.story("zoning")
    (ws.root / "stories" / "2026-Q3" / "linked").symlink_to(outside, target_is_directory=True)
    preview = Preview(ws.root.resolve())
    before = _inotify_watches()
    with watching(preview, lambda _changed: None):
        held = _inotify_watches() - before
    assert 0 < held < 10, held  # the workspace, stories/ and stories/2026-Q3


def test_the_preview_lets_idle_connections_go_and_caps_them(
    make_workspace: Callable[..., Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each connection got a thread of its own, forever, even one that never sent a byte.
    Now connections past MAX_CONNECTIONS are closed at once and an idle one after
    IDLE_SECONDS (1 s here): every socket below is closed by the server, and recv says so."""
    import socket
    import threading

    from storyteller.preview import serve
    from storyteller.preview.preview import Preview

    monkeypatch.setattr(serve._Handler, "timeout", 1.0)
    ws = make_workspace()
    ws.story("zoning")
    server = serve.start_server(Preview(ws.root.resolve()), 0)
    port = server.server_address[1]
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(serve.MAX_CONNECTIONS + 20)]
    try:
        for sock in idle:
            sock.settimeout(60)  # generous: the server closes each long before
            assert sock.recv(1) == b""

        def handlers() -> list[str]:  # socketserver names them "Thread-N (process_request_thread)"
            return [t.name for t in threading.enumerate() if "process_request_thread" in t.name]

        until(lambda: not handlers())  # every handler ends once its socket is closed
        assert handlers() == []
    finally:
        for sock in idle:
            sock.close()
        serve.stop_server(server)
