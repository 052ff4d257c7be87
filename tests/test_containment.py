"""Containment, proved: a build of hostile stories opens nothing outside the places it may
read, creates no socket, and no canary file placed outside the workspace reaches any output.

Two workspaces are built, HTML and PDF, in a real subprocess:
- *accepted*: stories that render, with every trick that could make a renderer fetch a file
  (Markdown links and images to file: URLs, raw <img>, <link>, <iframe> and CSS url());
  built again with enough other stories that its PDF is laid out in parts (pdf/parts.py), by
  worker processes that strace follows too, and validated with enough stories that they
  are read by forked copies (workers.py);
- *refused*: stories that point at the canaries in every way a path can (../, absolute
  paths, symbolic links to files and folders, a YAML include tag, file: URLs, the config).

Canaries with a random token sit in a sibling folder and in the system's temporary folder.
Python-level opens and network calls are seen by an audit hook (tests/audited.py, installed
before storyteller is imported); native code (Pango, fontconfig, vl-convert) by strace,
where strace is installed and allowed to trace.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storyteller.format import load
from storyteller.pdf import parts as paged
from storyteller.workers import cores

from . import harmless
from .helpers import CONFIG, EPOCH, full_story, in_every_text_field, text_fields, vary, with_line, write_workspace

pytestmark = pytest.mark.slow  # hostile workspaces built as HTML and PDF in subprocesses

TOKEN = "canary-" + secrets.token_hex(12)


@dataclass
class Setup:
    base: Path
    canaries: list[Path]  # files that must never be opened
    accepted: Path
    refused: Path
    config: Path  # a workspace whose config names a canary as the logo
    in_parts: Path  # accepted, with enough other stories that its PDF is laid out in parts
    many: Path  # accepted, with enough other stories that they are read on every core


def encodings(token: str) -> list[bytes]:
    """The token as bytes, and in base64 at each of the three alignments (a data: URI)."""
    raw = token.encode()
    found = [raw]
    for pad in range(3):
        encoded = base64.b64encode(b"x" * pad + raw)
        found.append(encoded[4 if pad else 0 : -4])
    return found


def markdown_block(text: str) -> str:
    return "\n".join("  " + line if line else "" for line in text.splitlines())


def accepted_workspace(root: Path, canaries: list[Path]) -> None:
    """Stories that render, each trying to make the renderer read a canary."""
    tricks = []
    for path in canaries:
        uri = path.as_uri()
        tricks += [
            f"[link]({uri}) <{uri}> ![image]({uri}) [ref][{path.stem}]",
            f'<img src="{uri}"> <link rel="stylesheet" href="{uri}"> <iframe src="{uri}"></iframe>',
            f"<style>@import url({uri}); body {{ background: url({uri}) }}</style>",
            f'<object data="{uri}"></object> <embed src="{uri}"> <svg><image href="{uri}"/></svg>',
            f"[{path.stem}]: {uri}",
            f"[relative](../../../{path.name}) ![relative](../../{path.name})",
        ]
    problem = "Before:\n\n" + "\n\n".join(tricks) + "\n"
    stories = {
        "2026-Q3/tricks.yaml": vary(
            "problem: |\n  Every zoning request meant typing by hand.", "problem: |\n" + markdown_block(problem)
        ),
        "2026-Q3/links.yaml": with_line(
            "category: automation",
            "links:\n"
            + "".join(f'  - title: "{p.as_uri()}"\n    url: "https://example.com/{p.name}"\n' for p in canaries),
        ),
    }
    write_workspace(root, stories, CONFIG)
    in_every_text_field("<img src=x onerror=alert(1)>")(root / "_payload")
    (root / "stories" / "2026-Q3" / "payload.yaml").write_bytes(
        (root / "_payload" / "stories" / "2026-Q3" / "x.yaml").read_bytes()
    )
    (root / "stories" / "2026-Q3" / "images").mkdir(exist_ok=True)
    for image in (root / "_payload" / "stories" / "2026-Q3" / "images").iterdir():
        (root / "stories" / "2026-Q3" / "images" / image.name).write_bytes(image.read_bytes())
    shutil.rmtree(root / "_payload")
    (root / "storyteller.yaml").write_text(CONFIG, encoding="utf-8")  # the payload's config has its own labels


def refused_workspace(root: Path, canaries: list[Path], outside: Path) -> None:
    """Stories (and a config) pointing at the canaries in every way a path can."""
    stories: dict[str, str | bytes] = {}
    for number, path in enumerate(canaries):
        relative = os.path.relpath(path, root / "stories" / "2026-Q3")
        for way, target in [
            ("relative", relative),
            ("absolute", str(path)),
            ("file-url", path.as_uri()),
            ("through-link", f"images/link{number}.png"),
            ("dot-dot-inside", f"images/../../../{relative}"),
        ]:
            stories[f"2026-Q3/{way}-{number}.yaml"] = with_line(
                "category: automation", f'images:\n  - path: "{target}"\n    alt: canary'
            )
        stories[f"2026-Q3/tag-{number}.yaml"] = vary("team: Storage Operations", f"team: !include {path}")
        stories[f"2026-Q3/url-{number}.yaml"] = with_line(
            "category: automation", f'links:\n  - title: canary\n    url: "{path.as_uri()}"'
        )
    write_workspace(root, stories, CONFIG)
    images = root / "stories" / "2026-Q3" / "images"
    images.mkdir()
    for number, path in enumerate(canaries):
        (images / f"link{number}.png").symlink_to(path)
        (root / "stories" / "2026-Q3" / f"linked-{number}.yaml").symlink_to(path.with_suffix(".yaml"))
    (root / "stories" / "outside").symlink_to(outside, target_is_directory=True)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    base = tmp_path_factory.mktemp("containment")
    outside = base / "outside"  # a sibling of the workspaces
    system_temp = Path(tempfile.mkdtemp(prefix="storyteller-canary-"))  # directly in /tmp
    canaries = []
    for folder in (outside, system_temp):
        folder.mkdir(exist_ok=True)
        png = folder / "canary.png"
        png.write_bytes(harmless.png(1, 1, rows=b"\x00\x00") + TOKEN.encode())
        (folder / "canary.yaml").write_text(vary("team: Storage Operations", f"team: {TOKEN}"), encoding="utf-8")
        (folder / "canary.txt").write_text(TOKEN, encoding="utf-8")
        canaries += [png, folder / "canary.yaml", folder / "canary.txt"]
    accepted = base / "accepted"
    accepted_workspace(accepted, [c for c in canaries if c.suffix != ".yaml"])
    in_parts = base / "accepted-parts"
    many = base / "accepted-many"
    for root, count in ((in_parts, paged.PARTS_FROM), (many, load.SHARED_FROM)):
        shutil.copytree(accepted, root, symlinks=True, dirs_exist_ok=True)
        for number in range(count):
            (root / "stories" / "2026-Q3" / f"other-{number}.yaml").write_text(
                vary("title: Automated SAN switch zoning", f"title: Another improvement {number}"), encoding="utf-8"
            )
    refused = base / "refused"
    refused_workspace(refused, [c for c in canaries if c.suffix == ".png"], outside)
    config = base / "config"
    write_workspace(config, None, CONFIG + f"brand:\n  logo: {os.path.relpath(canaries[0], config)}\n")
    yield Setup(base, canaries, accepted, refused, config, in_parts, many)
    shutil.rmtree(system_temp)


def jobs(setup: Setup) -> list[dict[str, Any]]:
    # The many stories first: the jobs share one process, and once a build has converted a chart
    # there, vl-convert's runtime threads keep it from forking (workers.can_fork), as they would
    # keep any process; `validate` of a large workspace in a fresh process forks its readers.
    runs = [("accepted-many", "validate", setup.many)]
    runs += [("accepted", "build", setup.accepted), ("refused", "build", setup.refused)]
    runs += [("accepted-parts", "build", setup.in_parts)]
    runs += [("refused-validate", "validate", setup.refused), ("config", "build", setup.config)]
    return [
        {"name": name, "argv": [command, "--workspace", str(root)], "cwd": str(root)} for name, command, root in runs
    ]


def test_the_workspaces_hold_what_they_should(setup: Setup) -> None:
    text = (setup.accepted / "stories" / "2026-Q3" / "tricks.yaml").read_text(encoding="utf-8")
    for canary in setup.canaries:
        if canary.suffix != ".yaml":
            assert canary.as_uri() in text
    payload = (setup.accepted / "stories" / "2026-Q3" / "payload.yaml").read_text(encoding="utf-8")
    assert payload.count("onerror") >= len(text_fields("<img src=x onerror=alert(1)>"))
    assert set(full_story()) <= {line.split(":", 1)[0] for line in payload.splitlines() if not line.startswith(" ")}
    assert len(list((setup.refused / "stories").rglob("*.yaml"))) == 8 * 2  # 8 ways for each of 2 canaries


@pytest.fixture(scope="module")
def audited(setup: Setup) -> dict[str, dict[str, Any]]:
    work = setup.base / "audit"
    work.mkdir()
    return harmless.run_audited(jobs(setup), work)


def test_hostile_stories_render_and_refused_ones_fail(audited: dict[str, dict[str, Any]], setup: Setup) -> None:
    accepted, refused = audited["accepted"], audited["refused"]
    assert accepted["exit"] == 0, accepted["stderr"]
    assert refused["exit"] == 1 and audited["refused-validate"]["exit"] == 1
    assert audited["config"]["exit"] == 1 and "brand.logo: " in audited["config"]["stderr"]
    lines = refused["stderr"].splitlines()
    assert (
        len(lines) == 8 * 2 + 1 + 1
        and all(  # each story, the linked folder, the summary
            re.match(r"[^:]+:\d+:\d+: ", line) for line in lines[:-1]
        )
    ), refused["stderr"]
    for root in (setup.accepted, setup.in_parts):
        problems, html_text, pdf_text = harmless.check_outputs(root)
        assert problems == []
        assert "onerror=alert(1)" in html_text and "onerror=alert(1)" in pdf_text
    assert audited["accepted-parts"]["exit"] == 0, audited["accepted-parts"]["stderr"]
    assert audited["accepted-many"]["exit"] == 0, audited["accepted-many"]["stderr"]
    if cores() >= 2:  # the copies' own opens are seen by strace (below), not by this process's hook
        assert harmless.classify(audited["accepted-many"]["events"], setup.many).forks >= 1


@pytest.mark.parametrize(
    "run", ["accepted", "accepted-parts", "accepted-many", "refused", "refused-validate", "config"]
)
def test_nothing_outside_is_opened_and_no_socket_is_created(
    audited: dict[str, dict[str, Any]], setup: Setup, run: str
) -> None:
    result = audited[run]
    roots = {"accepted": setup.accepted, "accepted-parts": setup.in_parts, "accepted-many": setup.many}
    root = {**roots, "config": setup.config}.get(run, setup.refused)
    verdict = harmless.classify(result["events"], root)
    assert verdict.outside_reads == []
    assert verdict.outside_writes == []
    assert verdict.network == []
    assert harmless.unexpected_processes(verdict) == []
    canaries = {str(c) for c in setup.canaries}
    assert [e for e in result["events"] if os.path.realpath(e[1]) in canaries] == []


def test_no_canary_appears_in_any_output(audited: dict[str, dict[str, Any]], setup: Setup) -> None:
    for result in audited.values():
        assert TOKEN not in result["stdout"] + result["stderr"]
    built = [p for root in (setup.accepted, setup.in_parts) for p in (root / "output").rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in built) and any(p.suffix == ".html" for p in built)
    others = [p for root in (setup.refused, setup.config) for p in (root / "output").rglob("*") if p.is_file()]
    for path in built + others:
        data = path.read_bytes()
        assert not any(form in data for form in encodings(TOKEN)), path
    for pdf in [*(setup.accepted / "output").rglob("*.pdf"), *(setup.in_parts / "output").rglob("*.pdf")]:
        assert TOKEN not in harmless.check_pdf(pdf)[1]


# ---------------------------------------------------------------------------------------
# The same builds under strace: what native code opens, and whether any process makes a socket

# Where the main process's native code may read, besides the workspace, the package and Python:
# - the dynamic loader and the shared libraries WeasyPrint loads (Pango, HarfBuzz, fontconfig);
# - fontconfig's configuration and cache, which Pango consults to find fonts;
# - the system's fonts: Pango's fallback for characters Inter lacks, and vl-convert's font list
#   (fonts are never story content, and no story can name a font file);
#   vl-convert reads every font file under these folders when it starts; /usr/share/fonts/cmap
#   links to Poppler's CMap folders, so its scan enters them;
# - glibc's locale data, the time-zone database (Babel), OpenSSL's configuration (read when
#   Python's ssl module is imported by urllib, which WeasyPrint imports), /proc/filesystems
#   (read by libmount/glib at start-up), the process's own /proc/self and the number of CPUs
#   and its cgroup CPU quota (vl-convert's thread pool), and /dev/null;
# - /dev/shm, where glibc makes the POSIX semaphores of Python's multiprocessing (sem.mp-*, by
#   way of a temporary file) for the queues of a worker pool (storyteller/workers.py): made by
#   the build, opened by its workers; no story names a file there; and
#   /proc/sys/vm/overcommit_memory, which glibc's malloc reads when it gives back the memory of
#   a thread's own heap (the pool's threads in the process that started it).
NATIVE_PLACES = [
    "/dev/shm",
    "/proc/sys/vm/overcommit_memory",
    "/etc/ld.so.cache",
    "/lib",
    "/lib64",
    "/usr/lib",
    "/usr/lib64",
    "/usr/local/lib",
    "/etc/fonts",
    "/usr/share/fontconfig",
    "/var/cache/fontconfig",
    str(Path.home() / ".cache" / "fontconfig"),
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    str(Path.home() / ".fonts"),
    str(Path.home() / ".local" / "share" / "fonts"),
    "/usr/share/poppler/cMap",
    "/usr/share/locale",
    "/etc/locale.alias",
    "/usr/share/zoneinfo",
    "/etc/localtime",
    "/usr/lib/ssl",
    "/etc/ssl/openssl.cnf",
    "/proc/filesystems",
    "/proc/self",
    "/sys/devices/system/cpu",
    "/sys/fs/cgroup",
    "/dev/null",
    "/dev/urandom",
]
_OPEN = re.compile(r'^(\d+) +(?:open|openat|openat2)\((?:AT_FDCWD|\d+)?,? ?"([^"]*)"[^=]*= (-?\d+)')
_SOCKET = re.compile(r"^(\d+) +(socket|connect|sendto|bind)\(")
_EXEC = re.compile(r'^(\d+) +execve\("([^"]*)"')
_MKDIR = re.compile(r'^(\d+) +mkdir(?:at)?\((?:AT_FDCWD, )?"([^"]*)".*= 0$')
_UNFINISHED = re.compile(r"^(\d+) +(.*) <unfinished \.\.\.>$")
_RESUMED = re.compile(r"^(\d+) +<\.\.\. \w+ resumed>(.*)$")


def _whole_calls(log: str) -> str:
    """strace's log with each call on one line. When another thread of the process makes a
    call meanwhile, strace writes `PID mkdir("/tmp/x", 0700 <unfinished ...>` and later
    `PID <... mkdir resumed>) = 0`; read alone, neither half is a whole call (the first has no
    result, the second no path), so a split open would go unchecked."""
    pending: dict[str, str] = {}
    lines = []
    for line in log.splitlines():
        if unfinished := _UNFINISHED.match(line):
            pending[unfinished.group(1)] = unfinished.group(2)
        elif (resumed := _RESUMED.match(line)) and resumed.group(1) in pending:
            lines.append(f"{resumed.group(1)} {pending.pop(resumed.group(1))}{resumed.group(2)}")
        else:
            lines.append(line)
    lines.extend(f"{pid} {call}" for pid, call in pending.items())  # killed before it returned
    return "\n".join(lines)


def _strace() -> str | None:
    found = shutil.which("strace")
    if found is None:
        return None
    probe = subprocess.run([found, "-f", "-o", os.devnull, "true"], capture_output=True, check=False)
    return found if probe.returncode == 0 else None


@pytest.fixture(scope="module")
def traced(setup: Setup) -> tuple[str, dict[str, dict[str, Any]]]:
    strace = _strace()
    if strace is None:
        pytest.skip("strace is not installed or may not trace here; the audit-hook tests above still run")
    work = setup.base / "strace"
    work.mkdir()
    for name in ("accepted", "refused", "config", "in_parts"):
        shutil.rmtree(getattr(setup, name) / "output", ignore_errors=True)
    log = work / "trace.log"
    jobs_file, results_file = work / "jobs.json", work / "results.json"
    jobs_file.write_text(json.dumps(jobs(setup)), encoding="utf-8")
    calls = "trace=open,openat,openat2,socket,connect,sendto,bind,execve,mkdir,mkdirat"
    runner = [sys.executable, "-P", str(harmless.RUNNER), str(jobs_file), str(results_file)]
    done = subprocess.run(
        [strace, "-f", "-qq", "-s", "4096", "-e", calls, "-o", str(log), *runner],
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    whole = _whole_calls(log.read_text(encoding="utf-8", errors="replace"))
    return whole, json.loads(results_file.read_text(encoding="utf-8"))


def test_a_call_strace_split_between_threads_is_read_whole() -> None:
    log = (
        '7 mkdir("/tmp/storyteller-pdf-7-x", 0700 <unfinished ...>\n'
        '8 openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC <unfinished ...>\n'
        "7 <... mkdir resumed>) = 0\n"
        "8 <... openat resumed>) = 3\n"
    )
    whole = _whole_calls(log).splitlines()
    assert [m.group(2) for m in map(_MKDIR.match, whole) if m] == ["/tmp/storyteller-pdf-7-x"]
    assert [(m.group(2), m.group(3)) for m in map(_OPEN.match, whole) if m] == [("/etc/passwd", "3")]


@pytest.mark.strace
def test_under_strace_no_process_makes_a_socket(traced: tuple[str, dict[str, dict[str, Any]]]) -> None:
    log, results = traced
    assert results["accepted"]["exit"] == 0 and results["refused"]["exit"] == 1
    assert results["accepted-parts"]["exit"] == 0
    assert [line for line in log.splitlines() if _SOCKET.match(line)] == []


@pytest.mark.strace
def test_under_strace_no_canary_is_opened(traced: tuple[str, dict[str, dict[str, Any]]], setup: Setup) -> None:
    canaries = {str(c) for c in setup.canaries}
    opened = [m.group(2) for m in map(_OPEN.match, traced[0].splitlines()) if m]
    assert opened, "strace recorded no open at all"
    assert [p for p in opened if os.path.realpath(p) in canaries or p in canaries] == []


@pytest.mark.strace
def test_under_strace_storyteller_reads_only_allowed_places(
    traced: tuple[str, dict[str, dict[str, Any]]], setup: Setup
) -> None:
    """Every file storyteller's processes opened (all their threads, and the worker processes
    that lay out a PDF in parts, which run this Python), leaving out the programs that
    ctypes.util.find_library runs (a thread never calls execve; those programs do)."""
    log = traced[0].splitlines()
    python = os.path.realpath(sys.executable)
    execs = [m for m in map(_EXEC.match, log[1:]) if m]
    programs = {m.group(1) for m in execs if os.path.realpath(m.group(2)) != python}
    workers = {m.group(1) for m in execs if os.path.realpath(m.group(2)) == python}
    assert len(workers) >= 2, "no worker process was traced: the PDF in parts was not made"
    stories = str(setup.many / "stories") + "/"
    readers = {m.group(1) for m in map(_OPEN.match, log) if m and m.group(2).startswith(stories)}
    assert len(readers) >= min(cores(), 2), "the many stories were not read by a forked copy"
    allowed = [str(setup.base), str(harmless.RUNNER), *harmless.PACKAGE_PLACES, *harmless._python_places()]
    temp = os.path.realpath(tempfile.gettempdir())
    made = [m.group(2) for m in map(_MKDIR.match, log) if m and m.group(2).startswith(temp + "/")]
    outside = []
    for line in log:
        match = _OPEN.match(line)
        if not match or match.group(1) in programs or int(match.group(3)) < 0:
            continue
        path = match.group(2)
        if not path.startswith("/") and ".." not in path.split("/"):
            continue  # openat(dirfd, name): under a folder whose own open was checked (rmtree's walk)
        if path == temp and "O_DIRECTORY" in line:
            continue  # the names in the temporary folder: what killed builds left (workers.sweep_scratch)
        if path.startswith(temp + "/") and ("O_CREAT" in line or "O_TMPFILE" in line or harmless._under(path, made)):
            continue  # what this process made for itself (its scratch folders, WeasyPrint's font copies)
        if not harmless._under(os.path.realpath(path), allowed) and not harmless._under(path, NATIVE_PLACES):
            outside.append(path)
    assert sorted(set(outside)) == [], "\n".join(sorted(set(outside)))
