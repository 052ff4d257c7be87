"""What "rendered harmlessly" means, checked on the built files, and the audited runner's verdicts.

HTML is parsed (html.parser, as a browser tokenises it: tags and attributes, not substrings)
and must hold no script, no event-handler attribute, no element that loads or runs
something (iframe, object, form, base, ...) and no URL with a dangerous scheme. The PDF
must hold no JavaScript or launch action and no link to anything but http, https or
mailto; its text (pdftotext) must contain what the story said, as text.

The second half classifies the audit events of tests/audited.py: which opens were reads
outside the places a build may read, and which events were network attempts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import tempfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

REPO = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "audited.py"

# Elements that run code, load other documents or send data; none may come from a story.
FORBIDDEN_ELEMENTS = frozenset(
    [
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "base",
        "link",
        "svg",
        "math",
        "audio",
        "video",
        "source",
        "track",
        "portal",
        "noscript",
        "template",
    ]
)
URL_ATTRIBUTES = frozenset(
    [
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "poster",
        "data",
        "background",
        "cite",
        "longdesc",
        "srcset",
        "ping",
        "manifest",
    ]
)
SAFE_LINK_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def scheme(url: str) -> str:
    """The scheme a browser would see: it drops ASCII whitespace and controls inside the URL."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url)
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else ""


LOADING_ATTRIBUTES = frozenset(("src", "srcset", "poster", "background", "data"))


def _url_problems(tag: str, name: str, value: str) -> list[str]:
    """A URL in the report: what loads (src) must be inline data, what links must be http(s),
    mailto or an anchor of the report itself."""
    found = scheme(value)
    if name in LOADING_ATTRIBUTES:
        if not re.match(r"data:image/(png|jpeg|svg\+xml);base64,", value):
            return [f"<{tag} {name}> loads {value[:80]!r}, not inline image data"]
        return []
    if found in SAFE_LINK_SCHEMES or (not found and value.startswith("#")):
        return []
    if value == "" and name == "href":  # Markdown's [text](): a link to the report itself
        return []
    return [f"<{tag} {name}={value[:80]!r}>: not an http(s), mailto or in-report link"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.styles = 0
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag == "style":
            self.styles += 1
        if tag == "meta" and any(n == "http-equiv" and (v or "").lower() == "refresh" for n, v in attrs):
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                self.problems += _url_problems(tag, name, value)
        if tag not in ("meta", "img", "br", "hr", "col", "wbr"):
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "style" not in self._in and "title" not in self._in:
            self.text.append(data)


@dataclass
class HtmlVerdict:
    problems: list[str]
    text: str  # what a reader sees, entities decoded, whitespace collapsed
    styles: int


def check_html(html: str) -> HtmlVerdict:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    text = re.sub(r"\s+", " ", "".join(collector.text))
    return HtmlVerdict(collector.problems, text, collector.styles)


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def check_pdf(path: Path) -> tuple[list[str], str]:
    """Problems (script or launch actions, links to other schemes) and the text, via pdftotext."""
    problems = []
    data = path.read_bytes()
    for marker in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/SubmitForm", b"/ImportData", b"/GoToR"):
        if marker in data:
            problems.append(f"the PDF holds {marker.decode()}")
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages, 1):
        for annotation in _resolve(page.get("/Annots")) or []:
            annotation = _resolve(annotation)
            action = _resolve(annotation.get("/A")) if isinstance(annotation, DictionaryObject) else None
            if isinstance(action, DictionaryObject):
                kind = str(action.get("/S"))
                if kind == "/URI":
                    uri = str(action.get("/URI"))
                    if scheme(uri) not in SAFE_LINK_SCHEMES:
                        problems.append(f"page {number}: link to {uri[:80]!r}")
                elif kind not in ("/GoTo",):
                    problems.append(f"page {number}: {kind} action")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        raise AssertionError("pdftotext (Poppler) is not installed; run `make test`, which installs it")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return problems, text.decode("utf-8")


def squeeze(text: str) -> str:
    """Text without whitespace or soft hyphens, to find a phrase the PDF wrapped onto two lines."""
    return re.sub(r"[\s\u00ad]+", "", text)


def check_outputs(root: Path) -> tuple[list[str], str, str]:
    """Every report built under the workspace's output/: problems, HTML text, PDF text."""
    problems: list[str] = []
    html_text, pdf_text = [], []
    htmls = sorted((root / "output").rglob("*.html"))
    pdfs = sorted((root / "output").rglob("*.pdf"))
    if not htmls or not pdfs:
        problems.append(f"no HTML or no PDF was built: {htmls + pdfs}")
    for path in htmls:
        verdict = check_html(path.read_text(encoding="utf-8"))
        problems += [f"{path.name}: {p}" for p in verdict.problems]
        if verdict.styles != 1:
            problems.append(f"{path.name}: {verdict.styles} <style> elements, expected the template's one")
        html_text.append(verdict.text)
    for path in pdfs:
        found, text = check_pdf(path)
        problems += [f"{path.name}: {p}" for p in found]
        pdf_text.append(text)
    return problems, " ".join(html_text), " ".join(pdf_text)


# ---------------------------------------------------------------------------------------
# Images made byte by byte, so a test controls exactly what the file claims


def png(width: int, height: int, rows: bytes | None = None, depth: int = 8, colour: int = 0) -> bytes:
    """A PNG; ``rows`` is the filtered scanline data (default: all zero, compressed as a stream)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    if rows is None:
        per_row = 1 + (width * depth + 7) // 8
        packer = zlib.compressobj(9)
        block = bytes(per_row * max(1, 4_000_000 // per_row))
        rows_per_block = len(block) // per_row
        parts, left = [], height
        while left > 0:
            take = min(left, rows_per_block)
            parts.append(packer.compress(block[: take * per_row]))
            left -= take
        compressed = b"".join(parts) + packer.flush()
    else:
        compressed = zlib.compress(rows)
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed) + chunk(b"IEND", b"")


# ---------------------------------------------------------------------------------------
# The audited runner and what its events mean


def run_audited(jobs: list[dict[str, Any]], work: Path, timeout: float = 900) -> dict[str, dict[str, Any]]:
    """Run ``jobs`` (name, argv, cwd) in one Python process under tests/audited.py's audit hook."""
    jobs_file, results_file = work / "jobs.json", work / "results.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    # -P: the runner's own folder is not put on sys.path, so imports come from the installation.
    done = subprocess.run(
        [sys.executable, "-P", str(RUNNER), str(jobs_file), str(results_file)],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "SOURCE_DATE_EPOCH": "1790000000"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, dict[str, Any]] = json.loads(results_file.read_text(encoding="utf-8"))
    return results


def _python_places() -> list[str]:
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    places.update(p for p in sysconfig.get_paths().values())
    return sorted({os.path.realpath(p) for p in places})


# What a build may read besides the workspace, and why:
# - the storyteller package and its templates (the package's own files);
# - the Python installation and its site-packages (modules imported lazily: WeasyPrint, Babel data);
# - /usr/share/zoneinfo and /etc/localtime: the OS time-zone database, which Babel reads when
#   babel.dates is imported (babel.localtime); it holds no story content;
# - /dev/null: ctypes.util.find_library, which WeasyPrint's import runs, sends output there;
# - files this process created itself in the temporary folder (WeasyPrint's font copies,
#   find_library's scratch files): created here means nothing outside put them there.
PACKAGE_PLACES = [str(REPO / "storyteller"), str(REPO / "templates")]
SYSTEM_PLACES = ["/usr/share/zoneinfo", "/etc/localtime", "/dev/null"]
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | getattr(os, "O_TMPFILE", 0)


def _under(path: str, places: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in places)


@dataclass
class Verdict:
    outside_reads: list[str] = field(default_factory=list)
    outside_writes: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    forks: int = 0  # copies of this process (storyteller/workers.py), no other program


def classify(events: list[list[Any]], workspace: Path, created: set[str] | None = None) -> Verdict:
    """Sort a run's audit events into reads and writes outside the allowed places, and network.

    ``created`` collects what the process made in the temporary folder; pass the same set for
    the runs of one process, in order (WeasyPrint makes its font folder once). The events of
    a run come sorted, not in the order they happened, so what the run made is found first."""
    allowed = [os.path.realpath(workspace), *PACKAGE_PLACES, *_python_places(), *SYSTEM_PLACES]
    temp = os.path.realpath(tempfile.gettempdir())
    created = set() if created is None else created
    verdict = Verdict()
    files = ("open", "os.listdir", "os.scandir", "glob.glob", "shutil.copyfile", "os.mkdir")
    for name, target, flags in events:
        if name in files:
            path = os.path.realpath(target) if target.startswith("/") else target
            writes = name == "os.mkdir" or (isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writes and _under(path, [temp]):
                created.add(path)
    for name, target, flags in events:
        if name in files:
            path = os.path.realpath(target) if target.startswith("/") else target
            writes = name == "os.mkdir" or (isinstance(flags, int) and flags & _WRITE_FLAGS)
            if _under(path, allowed) or path in created or any(path.startswith(c + "/") for c in created):
                continue
            if name == "os.scandir" and path == temp:
                continue  # the names in the temporary folder: what killed builds left (workers.sweep_scratch)
            if name == "os.listdir" and re.fullmatch(r"/proc/\d+/task", path):
                continue  # /proc/self/task: the process counts its own threads before a fork (workers.can_fork)
            (verdict.outside_writes if writes else verdict.outside_reads).append(f"{name} {path}")
        elif name == "subprocess.Popen" or name.startswith("os.exec") or name == "os.posix_spawn":
            verdict.processes.append(target)
        elif name == "os.fork":
            verdict.forks += 1  # what a copy opens, strace sees (tests/test_containment.py)
        elif name == "urllib.Request" and target.startswith("('data:"):
            continue  # a data: URL is decoded in memory (WeasyPrint's fetcher), not fetched
        else:
            verdict.network.append(f"{name} {target}")
    return verdict


# ctypes.util.find_library, run when WeasyPrint is imported, asks these programs where the
# Pango, HarfBuzz and fontconfig libraries are. Their arguments are library names in
# WeasyPrint's code, never anything from a story.
FIND_LIBRARY_PROGRAMS = ("/sbin/ldconfig", "ldconfig", "/usr/bin/gcc", "gcc", "cc", "/usr/bin/cc", "ld", "objdump")


def unexpected_processes(verdict: Verdict) -> list[str]:
    return [p for p in verdict.processes if not any(p.startswith(f"('{prog}'") for prog in FIND_LIBRARY_PROGRAMS)]


# Set by tests/test_hostile.py when the corpus has run; printed at the end of the pytest run.
FIGURES: dict[str, int] = {}


def summary_line(numbers: dict[str, int]) -> str:
    return "hostile corpus: " + ", ".join(f"{value} {name}" for name, value in numbers.items())
