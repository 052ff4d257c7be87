"""The HTML report as a reader's browser gets it: valid (W3C Nu HTML Checker), accessible
(axe-core in Debian's headless Chromium, at a desktop and a phone width), self-contained
(no request leaves the file, no script, no event attribute, no remote URL).

Checked on the example workspace and on a small hostile one whose story text tries markup,
scripts, template syntax and remote links. The checkers live in tests/tools/ (package.json,
check_html.mjs); `make test` installs them (its `tools` target) when they are missing.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from . import harmless
from .helpers import REPO, build, write_workspace

TOOLS = REPO / "tests" / "tools"
VNU = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHECK_HTML = TOOLS / "check_html.mjs"
CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (1280, 390)
REPORTS = ("example", "hostile")

pytestmark = pytest.mark.slow  # two reports built for outside checkers

HOSTILE_CONFIG = """\
organization: Evil <script>alert(1)</script> Corp
title: "{{ 7*7 }} report"
hourly_rate: 95
brand:
  logo: logo.svg  # and the default colour, where the example has its own
"""

# A logo that tries to load a remote image and run a script: as an <img> it may do neither.
HOSTILE_LOGO = """\
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="40">
  <script>alert(1)</script>
  <image href="https://example.com/logo-pixel.png" width="10" height="10"/>
  <rect width="120" height="40" fill="#0f4c5c" onload="alert(1)"/>
</svg>
"""

HOSTILE_STORY = """\
title: <script>alert(1)</script> {{ 7*7 }} zoning
summary: <img src=x onerror=alert(1)> faster zoning, {% raw %} and {{ config }}.
quarter: 2026-Q3
team: Ops" onmouseover="alert(1)
owners: ["<b>Eve</b>"]
category: automation
effort_hours: 120
problem: |
  <script>alert(1)</script> and <img src="https://example.com/pixel.png" onerror="alert(1)">.
  A [bad link](javascript:alert(1)), a [good link](https://example.com/x) and
  ![a remote image](https://example.com/remote.png). {{ 7*7 }}

  <style>@import url(https://example.com/x.css); body { background: url(https://example.com/bg.png) }</style>
solution: |
  # A heading inside a story

  - a list item with `code`
  - <iframe src="https://example.com/frame"></iframe>
  - <a href="https://example.com/y" onclick="alert(1)">an HTML link</a>
outcome: |
  Done. <svg onload=alert(1)></svg> <link rel="stylesheet" href="https://example.com/s.css">
metrics:
  - name: <b>Processing</b> time per request onfocus=alert(1)
    unit: minutes
    before: 50
    after: 20
    frequency: 40 per month
    source: <script>alert(1)</script>
quote:
  text: </p><script>alert(1)</script>
  by: x onerror=alert(1)
links:
  - title: <script>alert(1)</script> a link
    url: https://example.com/x?a=1&b="onmouseover=alert(1)
images:
  - path: images/pic.png
    alt: A small test picture" onerror="alert(1)
    caption: <script>alert(1)</script> caption
"""

SMALL_STORY = """\
title: Shorter shift handover
summary: A template for the shift handover.
quarter: 2026-Q3
team: Service Desk
category: process
effort_hours: 4
problem: Handover notes were free text.
outcome: Handover takes five minutes less.
metrics:
  - name: Handover time
    unit: minutes
    before: 15
    after: 10
    frequency: 1 per week
"""

IN_PROGRESS_STORY = """\
title: Self-service DNS <em>records</em>
summary: Not there yet.
quarter: 2026-Q3
team: Network Operations
category: collaboration
status: in-progress
effort_hours: 30
problem: DNS records are changed by hand.
outcome: Not yet.
"""


def _hostile_workspace(root: Path) -> Path:
    stories = {"hostile": HOSTILE_STORY, "small": SMALL_STORY, "in-progress": IN_PROGRESS_STORY}
    write_workspace(
        root, {f"2026-Q3/{name}.yaml": textwrap.dedent(text) for name, text in stories.items()}, HOSTILE_CONFIG
    )
    (root / "logo.svg").write_text(HOSTILE_LOGO, encoding="utf-8")
    pixels = b"".join(b"\x00" + bytes((15, 76, 92)) * 8 for _ in range(8))  # a solid 8 x 8 RGB picture
    (root / "stories" / "2026-Q3" / "images").mkdir()
    (root / "stories" / "2026-Q3" / "images" / "pic.png").write_bytes(harmless.png(8, 8, pixels, colour=2))
    return root


def _build(workspace: Path, out: Path) -> Path:
    build(workspace, "--format", "html", "--output", str(out))
    (html,) = (out / "2026-Q3").glob("*.html")
    return html


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example workspace's report and the hostile one's, each built once (HTML only)."""
    hostile = _hostile_workspace(tmp_path_factory.mktemp("hostile-workspace"))
    return {
        "example": _build(REPO, tmp_path_factory.mktemp("example-html")),
        "hostile": _build(hostile, tmp_path_factory.mktemp("hostile-html")),
    }


def _require_tools() -> tuple[str, str]:
    """java and node; fails (never skips) when a checker is missing."""
    java, node = shutil.which("java"), shutil.which("node")
    missing = [
        name
        for name, present in (
            ("java", java),
            ("node", node),
            ("tests/tools/node_modules/vnu-jar", VNU.is_file()),
            ("tests/tools/node_modules/playwright-core", (TOOLS / "node_modules" / "playwright-core").is_dir()),
            ("tests/tools/node_modules/axe-core", (TOOLS / "node_modules" / "axe-core").is_dir()),
            (str(CHROMIUM), CHROMIUM.is_file()),
        )
        if not present
    ]
    if missing:
        pytest.fail(f"HTML checkers missing ({', '.join(missing)}): run `make test`, which installs them")
    assert java is not None and node is not None
    return java, node


@functools.cache
def _nu_messages(files: tuple[Path, ...]) -> tuple[dict[str, Any], ...]:
    """The Nu checker's errors for these files, from one run (one Java start for all)."""
    java, _ = _require_tools()
    done = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    try:
        messages: list[dict[str, Any]] = json.loads(done.stderr or done.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu checker did not answer in JSON (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return tuple(messages)


@pytest.mark.validator
@pytest.mark.parametrize("name", REPORTS)
def test_nu_html_checker_finds_no_error(reports: dict[str, Path], name: str) -> None:
    _require_tools()
    file = reports[name]
    errors = [
        m
        for m in _nu_messages(tuple(reports.values()))
        if m.get("type") in ("error", "non-document-error")
        and Path(m.get("url", "file:").removeprefix("file:")) in (file, Path())
    ]
    shown = "\n".join(f"line {m.get('lastLine', '?')}: {m['message']} | {m.get('extract', '')!r}" for m in errors)
    assert not errors, f"{len(errors)} Nu HTML Checker error(s) in the {name} report:\n{shown}"


@pytest.mark.browser
@pytest.mark.parametrize("name", REPORTS)
def test_axe_finds_no_violation_and_the_page_makes_no_request(reports: dict[str, Path], name: str) -> None:
    _, node = _require_tools()
    args = [node, str(CHECK_HTML), str(reports[name])]
    for width in WIDTHS:
        args += ["--width", str(width)]
    done = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=TOOLS)
    assert done.returncode == 0, f"check_html.mjs failed:\n{done.stderr}"
    result = json.loads(done.stdout)
    assert result["widths"] == list(WIDTHS)
    assert result["requests"] == [], f"the {name} report made requests: {result['requests']}"
    problems = "\n".join(result["reader_problems"])
    assert not problems, f"the {name} report, with its CSP enforced, does not show whole:\n{problems}"
    shown = "\n".join(
        f"[{v['width']}px] {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']}: {n['summary']}" for n in v["nodes"])
        for v in result["violations"]
    )
    assert not result["violations"], f"axe violations in the {name} report:\n{shown}"


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every <style> element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


LOADING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "action", "formaction", "ping"}
LOADING_TAGS = {"script", "iframe", "frame", "object", "embed", "link", "base", "audio", "video", "source", "track"}


@pytest.mark.parametrize("name", REPORTS)
def test_the_html_has_no_script_no_event_attribute_and_no_remote_url(reports: dict[str, Path], name: str) -> None:
    html = reports[name].read_text(encoding="utf-8")
    parsed = _Tags()
    parsed.feed(html)
    parsed.close()
    css = "\n".join(parsed.styles)
    problems = ["<script in the file"] if "<script" in html.lower() else []
    for tag, attrs in parsed.tags:
        if tag in LOADING_TAGS:
            problems.append(f"<{tag}> element")
        for attribute, value in attrs:
            if attribute.startswith("on"):
                problems.append(f"<{tag} {attribute}=...> event attribute")
            if attribute in LOADING_ATTRIBUTES and not (value or "").startswith("data:"):
                problems.append(f"<{tag} {attribute}={(value or '')[:80]!r}>: not a data: URL")
            if attribute == "style":
                css += "\n" + (value or "")
            if tag == "meta" and attribute == "http-equiv" and (value or "").lower() == "refresh":
                problems.append("<meta http-equiv=refresh>")
    for match in re.finditer(r"url\(\s*['\"]?([^'\")\s]*)", css, flags=re.I):
        if not match.group(1).startswith(("data:", "#")):
            problems.append(f"url({match.group(1)[:80]}) in CSS: not a data: URL")
    problems += [f"@import in CSS: {m.group(0)[:80]}" for m in re.finditer(r"@import[^;]*", css, flags=re.I)]
    problems += [f"remote URL in CSS: {m.group(0)}" for m in re.finditer(r"https?://[^\s'\")]+", css, flags=re.I)]
    assert not problems, f"the {name} report is not self-contained:\n" + "\n".join(problems)
    csp = [
        dict(attrs).get("content") or ""
        for tag, attrs in parsed.tags
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(csp) == 1 and "default-src 'none'" in csp[0], csp


def test_hostile_story_text_stays_text(reports: dict[str, Path]) -> None:
    html = reports["hostile"].read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not run
    assert "{{ 7*7 }}" in html  # never evaluated as a template
    assert 'href="javascript:' not in html.lower()
    assert 'href="https://example.com/x"' in html  # a plain link to a web page stays a link
    assert 'href="https://example.com/x?a=1&amp;b=%22onmouseover=alert(1)"' in html  # percent-encoded, valid
