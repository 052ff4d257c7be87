"""Runs storyteller commands in-process under an audit hook that records what they open.

    python tests/audited.py JOBS.json RESULTS.json

JOBS.json is a list of runs, ``{"name": ..., "argv": [...], "cwd": ...}``. Every run
calls the CLI in this process, so Python starts (and WeasyPrint is imported) once; for
each run the results hold its exit status, its standard output and error (a traceback
included, as Python would print it) and the audit events it raised: every file it
opened or listed and every socket, DNS or HTTP call (sys.addaudithook, PEP 578).

The hook is installed before storyteller is imported, so nothing storyteller or its
libraries do from Python escapes it. Code in C or Rust that calls the system directly
(Pango, fontconfig, vl-convert) raises no audit events; tests/test_containment.py
covers that with strace.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

# Events that read, list or create files, and those that reach the network or start programs.
FILE_EVENTS = ("open", "os.listdir", "os.scandir", "glob.glob", "shutil.copyfile", "os.mkdir")
OTHER_PREFIXES = ("socket.", "urllib.", "http.client.", "ftplib.", "smtplib.", "webbrowser.", "subprocess.", "os.exec")
OTHER_EVENTS = ("os.system", "os.posix_spawn", "os.fork", "os.startfile")

_events: list[tuple[str, str, int | str | None]] = []
_recording = False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _recording:
        return
    if event in FILE_EVENTS:
        target = args[0] if args else None
        if isinstance(target, int):  # open(fd), os.scandir(fd): the file was opened, and seen, before
            return
        if isinstance(target, bytes):
            target = os.fsdecode(target)
        shown = os.path.abspath(os.fspath(target)) if isinstance(target, (str, os.PathLike)) else repr(target)
        flags = args[2] if event == "open" and len(args) > 2 and isinstance(args[2], int) else None
        _events.append((event, shown, flags))
    elif event.startswith(OTHER_PREFIXES) or event in OTHER_EVENTS:
        _events.append((event, repr(args)[:300], None))


sys.addaudithook(_hook)


def run(argv: list[str], cwd: str) -> dict[str, Any]:
    global _recording
    from storyteller.cli import app  # imported under the hook (the first run pays for it)

    out, err = io.StringIO(), io.StringIO()
    _events.clear()
    previous = os.getcwd()
    os.chdir(cwd)
    _recording = True
    code: int | str | None = 0
    started = time.perf_counter()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                app(args=argv, prog_name="storyteller")
            except SystemExit as exit_:
                code = exit_.code
            except BaseException:  # what Python would print if storyteller let it escape
                traceback.print_exc()
                code = "uncaught"
    finally:
        _recording = False
        os.chdir(previous)
    return {
        "exit": code if code is not None else 0,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "events": sorted(set(_events), key=repr),
        "seconds": round(time.perf_counter() - started, 3),  # for the record, never asserted
    }


def main() -> None:
    jobs_file, results_file = sys.argv[1], sys.argv[2]
    with open(jobs_file, encoding="utf-8") as handle:
        jobs = json.load(handle)
    results = {job["name"]: run(job["argv"], job["cwd"]) for job in jobs}
    with open(results_file, "w", encoding="utf-8") as handle:
        json.dump(results, handle)


if __name__ == "__main__":
    main()
