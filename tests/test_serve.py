"""`storyteller serve` for real: a subprocess on a free port, fetched over HTTP while its
stories change. Every wait polls with a generous deadline; nothing depends on speed."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storyteller.preview.preview import Preview

from .helpers import BASE_STORY, until

DEADLINE = 120.0  # seconds; a loaded machine is slow, a broken preview never gets there


class Server:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process, self.port = process, port

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=DEADLINE)
        connection.request("GET", path, headers={"Host": host or f"127.0.0.1:{self.port}"})
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def status(self) -> dict[str, Any]:
        return json.loads(self.get("/status")[2])  # type: ignore[no-any-return]

    def wait_for(self, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        seen: dict[str, Any] = {}

        def reached() -> bool:
            seen.clear()
            seen.update(self.status())
            return condition(seen)

        if not until(reached, DEADLINE):
            raise AssertionError(f"the preview never got there; last state: {seen}")
        return seen


@pytest.fixture
def served(make_workspace: Callable[..., Any]) -> Iterator[tuple[Server, Path]]:
    ws = make_workspace()
    story = ws.story("san-zoning")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795564800", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "storyteller", "serve", "--port", "0", "-w", str(ws.root)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True).start()
    try:
        first = lines.get(timeout=DEADLINE)
        match = re.fullmatch(r"serving http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)\n", first)
        assert match, first
        yield Server(process, int(match[1])), story
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        finally:
            process.kill()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


@pytest.mark.slow
def test_the_preview_rebuilds_reloads_and_survives_broken_stories(served: tuple[Server, Path]) -> None:
    server, story = served
    status, headers, page = server.get("/")
    assert status == 200 and "Automated SAN switch zoning" in page
    # Exactly one script, allowed by its nonce in both the header and the page's own policy.
    (nonce,) = re.findall(r'<script nonce="([^"]+)">', page)
    assert f"script-src 'nonce-{nonce}'" in headers["content-security-policy"]
    assert f"script-src 'nonce-{nonce}'" in page and "connect-src 'self'" in page
    assert headers["cache-control"] == "no-store"

    # The reload signal: an event stream that says the version now, and again after a change.
    events = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE)
    events.request("GET", "/events", headers={"Host": f"127.0.0.1:{server.port}"})
    stream = events.getresponse()
    assert stream.getheader("Content-Type") == "text/event-stream"

    def next_event() -> str:
        lines: list[str] = []
        while not lines:  # a block of only comments is a keep-alive
            while (line := stream.readline().decode()) not in ("\n", ""):
                if not line.startswith(":"):
                    lines.append(line)
        return "".join(lines)

    assert next_event() == "event: reload\ndata: 1\n"
    story.write_text(BASE_STORY.replace("Automated SAN switch zoning", "Zoning by playbook"), encoding="utf-8")
    assert next_event() == "event: reload\ndata: 2\n"
    events.close()
    page = server.get("/")[2]
    assert "Zoning by playbook" in page and "var shown = 2" in page

    # A broken story: its problem on top, the last good report below, the server alive.
    story.write_text(BASE_STORY.replace("summary:", "sumary:"), encoding="utf-8")
    state = server.wait_for(lambda s: not s["ok"])
    assert state["problems"] == [
        "stories/2026-Q3/san-zoning.yaml:2:1: sumary: `sumary` is not a story field; did you mean `summary`?"
    ]
    page = server.get("/")[2]
    assert 'role="alert"' in page and "1 problem; the last good report is shown below" in page
    assert "stories/2026-Q3/san-zoning.yaml:2:1: sumary: `sumary` is not a story field" in page
    assert "Zoning by playbook" in page

    # A template that fails is shown the same way; removing it brings the report back.
    templates = story.parents[2] / "templates"
    templates.mkdir()
    story.write_text(BASE_STORY, encoding="utf-8")
    (templates / "report.html").write_text(
        '{% extends "default:report.html" %}{% block cover %}{{ nope.x }}{% endblock %}'
    )
    state = server.wait_for(lambda s: any("report template error" in p for p in s["problems"]))
    assert "templates/report.html:1" in state["problems"][0]
    (templates / "report.html").unlink()
    state = server.wait_for(lambda s: s["ok"])
    page = server.get("/")[2]
    assert 'role="alert"' not in page and "Automated SAN switch zoning" in page

    # Plausibility warnings are listed, not blocking.
    story.write_text(BASE_STORY.replace("after: 20", "after: 0.5"), encoding="utf-8")
    state = server.wait_for(lambda s: bool(s["warnings"]))
    assert "[large-factor]" in state["warnings"][0] or "large-factor" in state["warnings"][0]
    assert 'id="storyteller-warnings"' in server.get("/")[2]

    # Only requests addressed to this server are answered (no DNS rebinding).
    assert server.get("/", host="attacker.example")[0] == 403
    assert server.get("/nothing-here")[0] == 404
    assert server.get("/fonts/Inter-Regular.ttf")[0] == 200
    assert server.get("/fonts/..%2Fcli.py")[0] == 404


def test_the_built_report_keeps_its_no_script_policy(make_workspace: Callable[..., Any]) -> None:
    ws = make_workspace()
    ws.story("san-zoning")
    preview = Preview(ws.root.resolve())
    state = preview.rebuild()
    assert state.ok and state.report is not None
    assert "<script" not in state.report and "default-src 'none'" in state.report
    served = preview.page("abc")
    assert served.count("<script") == 1 and "script-src 'nonce-abc'" in served


@pytest.mark.slow
def test_a_busy_port_is_a_clear_error(make_workspace: Callable[..., Any]) -> None:
    import socket

    ws = make_workspace()
    ws.story("san-zoning")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "storyteller", "serve", "--port", str(port), "-w", str(ws.root)],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1795564800"},
        )
    assert result.returncode == 1
    assert f"storyteller: cannot listen on 127.0.0.1:{port}: Address already in use; choose another with --port" in (
        result.stderr
    )
