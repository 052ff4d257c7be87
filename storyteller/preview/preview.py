"""The live preview's model: rebuild the HTML report in memory, keep the last good one.

`storyteller serve` (serve.py) calls ``Preview.rebuild()`` after every change and serves
``Preview.page()``. A rebuild reads only the story files that changed since the last one,
reuses the chart cache in output/.cache and renders HTML only; nothing is written to
output/ except cached charts. A rebuild that fails (a story with a problem, a broken
template, even a bug) never raises: its problems are shown above the last good report.

The served page is the built report plus a banner and a small live-reload script. The
built report's Content-Security-Policy allows no script at all; the served copy allows
exactly this one script (by nonce) and a connection back to the preview server.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyteller.errors import ProblemsFound, StorytellerError
from storyteller.figures.periods import Quarter
from storyteller.format.checks import Finding, plausibility
from storyteller.format.config import Config, load_config
from storyteller.format.load import Workspace, load_workspace
from storyteller.format.story import Story

FONT_ROUTE = "/fonts/"
DEFAULT_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'"
_CSP_META = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*/?>', re.I)


@dataclass(frozen=True)
class State:
    """What the preview shows: the last good report and what is wrong with the latest edit."""

    version: int = 0
    report: str | None = None  # HTML of the last good report, without the live-reload parts
    period: str = ""
    problems: tuple[str, ...] = ()  # path:line:column: field: message, of the latest rebuild
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0  # how long the latest rebuild took

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "ok": self.ok,
            "period": self.period,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 4),
        }


@dataclass
class _Cached:
    stamp: tuple[tuple[int, int, int], ...]  # (inode, size, mtime) of the file and of its images
    story: Story


@dataclass
class Preview:
    """Rebuilds one period's report of the workspace at ``root``; thread-safe."""

    root: Path
    quarter: Quarter | None = None  # None and no year: the latest quarter that has stories
    year: int | None = None
    today: Callable[[], dt.date] = dt.date.today
    state: State = field(default_factory=State)
    _stories: dict[Path, _Cached] = field(default_factory=dict)
    _config: Config | None = None
    _env: Any = None
    _templates: bool = False  # whether the workspace had a templates/ folder at the last rebuild
    _lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def config(self) -> Config | None:
        """The config of the latest rebuild that could read it."""
        return self._config

    def stories(self) -> list[Story]:
        """The valid stories of the latest rebuild."""
        return [cached.story for cached in list(self._stories.values())]

    def rebuild(self) -> State:
        """Rebuild now; returns (and publishes) the new state. Never raises for a problem."""
        with self._lock:
            started = time.perf_counter()
            period, report, problems, warnings = self.state.period, self.state.report, [], []
            try:
                period, report, found = self._render()
                warnings = [str(f) for f in found]
            except ProblemsFound as error:
                problems = [str(p) for p in error.problems]
            except StorytellerError as error:
                problems = [str(error)]
            except Exception as error:  # a bug must not stop the preview; it is shown like a problem
                problems = [f"internal error: {type(error).__name__}: {error}"]
            state = State(
                self.state.version + 1,
                report,
                period,
                tuple(problems),
                tuple(warnings),
                time.perf_counter() - started,
            )
        with self.changed:
            self.state = state
            self.changed.notify_all()
        return state

    def _render(self) -> tuple[str, str, list[Finding]]:
        from storyteller.build import BuildRequest, contexts
        from storyteller.report.render import environment, render_html

        config = load_config(self.root)
        if config != self._config:  # new settings: nothing read with the old ones is reused
            self._stories.clear()
            self._env = None
            self._config = config
        templates = config.root / "templates"
        if self._env is None or templates.is_dir() != self._templates:
            # One Environment for every rebuild: Jinja notices an edited template by its mtime.
            self._env = environment(templates)
            self._templates = templates.is_dir()
        workspace = self._load(config)
        if workspace.problems:
            raise ProblemsFound(workspace.problems)
        request = BuildRequest(quarter=self.quarter, year=self.year, formats=("html",), today=self.today())
        context = contexts(workspace, request)[0]
        report = render_html(self._env, context, "html", font_faces())
        return context.period.key, report, plausibility(workspace.stories, config, self.today())

    def _load(self, config: Config) -> Workspace:
        """load_workspace, reading again only the story files that changed since last time."""
        from storyteller.format import load

        def read(path: Path, config: Config) -> tuple[Story | None, list[Any]]:
            stamp = _stamp(path)
            cached = self._stories.get(path)
            if cached is not None and stamp is not None and cached.stamp == (stamp, *_image_stamps(cached.story)):
                return cached.story, []
            story, problems = load.read_story(path, config)
            if story is not None and stamp is not None:
                self._stories[path] = _Cached((stamp, *_image_stamps(story)), story)
            else:
                self._stories.pop(path, None)
            return story, problems

        return load_workspace(config, reader=read)

    def page(self, nonce: str, state: State | None = None) -> str:
        """The page to serve: the last good report with the problems above it, and the reload script."""
        state = state or self.state
        script = _RELOAD_SCRIPT.replace("VERSION", str(state.version))
        banner = _banner(state)
        if state.report is None:
            body = f'<body>{banner}<script nonce="{nonce}">{script}</script></body>'
            return _ERROR_PAGE.replace("BODY", body)
        report = _CSP_META.sub(lambda m: _meta(policy(m.group(1), nonce)), state.report, count=1)
        report = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banner, report, count=1)
        tail = f'<script nonce="{nonce}">{script}</script>\n'
        index = report.rfind("</body>")
        return report[:index] + tail + report[index:] if index >= 0 else report + tail

    def header_policy(self, nonce: str, state: State | None = None) -> str:
        """The Content-Security-Policy header of the served page: the report's own, plus the script."""
        state = state or self.state
        found = _CSP_META.search(state.report or "")
        return policy(found.group(1) if found else DEFAULT_POLICY, nonce)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _image_stamps(story: Story) -> tuple[tuple[int, int, int], ...]:
    """A story's images are checked when it is read, so a changed image means reading it again."""
    return tuple(_stamp(image.path) or (0, 0, 0) for image in story.images)


def policy(original: str, nonce: str) -> str:
    """``original`` with one script allowed by nonce, a connection to this server and its fonts."""
    directives: dict[str, list[str]] = {}
    for part in original.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    directives["script-src"] = [f"'nonce-{nonce}'"]
    directives["connect-src"] = ["'self'"]
    fonts = [w for w in directives.get("font-src", []) if w != "'none'"]
    directives["font-src"] = [*fonts, "'self'"] if "'self'" not in fonts else fonts
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


def _meta(content: str) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{html.escape(content, quote=False)}">'


def font_faces() -> str:
    """@font-face rules for the served page: the package's fonts, fetched from the preview
    server (no subsetting on every rebuild, unlike the self-contained built file)."""
    from storyteller.report.render import FONT_FACES

    return "\n".join(
        f"@font-face {{ font-family: Inter; font-weight: {weight}; font-style: {style}; "
        f'src: url("{FONT_ROUTE}{name}.ttf") format("truetype"); }}'
        for name, weight, style in FONT_FACES
    )


def font_file(route: str) -> Path | None:
    """The font file a request for ``/fonts/NAME.ttf`` names, if it is one of ours."""
    from storyteller.report.charts import FONTS
    from storyteller.report.render import FONT_FACES

    name = route.removeprefix(FONT_ROUTE).removesuffix(".ttf")
    return FONTS / f"{name}.ttf" if any(name == face for face, _, _ in FONT_FACES) else None


_BANNER_STYLE = (
    "position:sticky;top:0;z-index:10;margin:0;padding:0.8rem 1.2rem;font:14px/1.45 system-ui,sans-serif;"
    "background:#fff4f2;color:#5c1a0f;border-bottom:3px solid #b3261e"
)
_WARNING_STYLE = (
    "margin:0;padding:0.6rem 1.2rem;font:14px/1.45 system-ui,sans-serif;background:#fff8e1;color:#4a3b00;"
    "border-bottom:2px solid #b58900"
)


def _banner(state: State) -> str:
    parts = []
    if state.problems:
        kept = "the last good report is shown below" if state.report else "there is no good report to show yet"
        items = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in state.problems)
        count = f"{len(state.problems)} problem{'s' if len(state.problems) != 1 else ''}"
        parts.append(
            f'<aside id="storyteller-problems" role="alert" style="{_BANNER_STYLE}">'
            f"<strong>storyteller preview: {count}; {kept}.</strong>"
            f'<ul style="margin:0.4rem 0 0;padding-left:1.2rem">{items}</ul></aside>'
        )
    if state.warnings and not state.problems:
        items = "".join(f"<li><code>{html.escape(w)}</code></li>" for w in state.warnings)
        count = f"{len(state.warnings)} warning{'s' if len(state.warnings) != 1 else ''}"
        parts.append(
            f'<details id="storyteller-warnings" style="{_WARNING_STYLE}"><summary>storyteller preview: {count}'
            f'</summary><ul style="margin:0.4rem 0 0;padding-left:1.2rem">{items}</ul></details>'
        )
    return "".join(parts)


# Reloads the page when the server says it has rebuilt (Server-Sent Events); the version
# check also catches a rebuild that happened while the connection was being re-made.
# The scroll position survives the reload.
_RELOAD_SCRIPT = """
(function () {
  var shown = VERSION, key = "storyteller-preview-scroll";
  var y = sessionStorage.getItem(key);
  if (y !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, Number(y)); });
  }
  var events = new EventSource("/events");
  events.addEventListener("reload", function (event) {
    if (Number(event.data) !== shown) {
      sessionStorage.setItem(key, String(window.scrollY));
      events.close();
      location.reload();
    }
  });
})();
"""

_ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>storyteller preview: problems</title>
</head>
BODY
</html>
"""


def status_json(state: State) -> str:
    return json.dumps(state.as_dict(), indent=2) + "\n"
