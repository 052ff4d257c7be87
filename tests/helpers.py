"""Plain helpers the test modules share: story texts, workspaces on disk and storyteller runs.

Fixtures live in conftest.py; everything else a second test module needs lives here, so no
test module imports another one.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from click.testing import Result
from typer.testing import CliRunner

from storyteller import __version__
from storyteller.cli import app
from storyteller.figures.periods import Quarter
from storyteller.format.fields import ListOf, Text
from storyteller.format.record import Field, Record
from storyteller.format.story import STORY as STORY_RECORD
from storyteller.format.story import Metric, Story
from storyteller.format.values import Each, Rate

from . import harmless

REPO = Path(__file__).resolve().parent.parent
EPOCH = "1790000000"  # SOURCE_DATE_EPOCH of the test builds: 2026-09-21 14:13:20 UTC, the "Prepared" date
CONFIG = "organization: Test Org\n"
RATED_CONFIG = "organization: Test Org\nhourly_rate: 95\n"  # money figures too
STORY = "stories/2026-Q3/x.yaml"  # where write_workspace puts BASE, as problem lines name it
MIB = 1024 * 1024

# A valid story for builds: a duration metric with a frequency, so every figure is there.
BASE_STORY = """\
title: Automated SAN switch zoning
summary: Zoning requests now run through a reviewed playbook.
quarter: 2026-Q3
team: Storage Operations
category: automation
effort_hours: 120
problem: |
  Every zoning request meant typing aliases by hand.
outcome: |
  Requests are closed the same day.
metrics:
  - name: Processing time per zoning request
    unit: minutes
    before: 50
    after: 20
    frequency: 40 per month
"""

# A valid story for problem reports; every test changes one thing. Line numbers matter:
#  1 title  2 summary  3 quarter  4 team  5 category  6-7 problem  8-9 outcome
# 10 metrics  11 - name  12 unit  13 before  14 after
BASE = """\
title: Automated SAN switch zoning
summary: Zoning requests now run through a reviewed playbook.
quarter: 2026-Q3
team: Storage Operations
category: automation
problem: |
  Every zoning request meant typing by hand.
outcome: |
  Requests are closed the same day.
metrics:
  - name: Processing time per zoning request
    unit: minutes
    before: 50
    after: 20
"""


# ---------------------------------------------------------------------------------------
# Story texts, varied


def vary(old: str, new: str, text: str = BASE) -> str:
    """``text`` with the one occurrence of ``old`` replaced (fails loudly if it is not there once)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def with_line(after: str, line: str, text: str = BASE) -> str:
    """``text`` with ``line`` inserted after the line that ends with ``after``."""
    return vary(after + "\n", after + "\n" + line + "\n", text)


def padded(text: str, size: int) -> bytes:
    """``text`` followed by a comment that brings the file to exactly ``size`` bytes."""
    data = text.encode()
    return data + b"#" + b"x" * (size - len(data) - 2) + b"\n"


def billion_laughs() -> str:
    lines = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------
# Workspaces


def write_workspace(
    root: Path,
    stories: dict[str, str | bytes] | None = None,
    config: str | bytes = CONFIG,
    templates: dict[str, str] | None = None,
) -> Path:
    """A workspace at ``root``: storyteller.yaml, stories/<relative path> for each story
    (BASE as 2026-Q3/x.yaml by default) and templates/<name> for each template override."""
    root.mkdir(parents=True, exist_ok=True)
    raw_config = config.encode("utf-8") if isinstance(config, str) else config
    (root / "storyteller.yaml").write_bytes(raw_config)
    (root / "stories").mkdir(exist_ok=True)
    for relative, text in ({"2026-Q3/x.yaml": BASE} if stories is None else stories).items():
        path = root / "stories" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    for name, text in (templates or {}).items():
        path = root / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def copy_example(root: Path) -> Path:
    """A copy of the example workspace (config and stories) at ``root``, for tests that
    build it in another folder or change it."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "storyteller.yaml", root)
    shutil.copytree(REPO / "stories", root / "stories")
    return root


class Workspace:
    """A workspace on disk that a test fills with stories (conftest's ``make_workspace``)."""

    def __init__(self, root: Path, config: str) -> None:
        self.root = write_workspace(root, {}, textwrap.dedent(config))

    def story(self, name: str, text: str = BASE_STORY, folder: str = "2026-Q3") -> Path:
        path = self.root / "stories" / folder / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path


# ---------------------------------------------------------------------------------------
# storyteller runs


def invoke(root: Path, *args: str, command: str = "validate") -> Result:
    """Run one command on the workspace in this process; never a traceback, never an internal error."""
    result = CliRunner().invoke(app, [command, "--workspace", str(root), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code != 3, result.output  # 3 is storyteller's "internal error"
    return result


def summary(lines: list[str]) -> str:
    """The last line of a failing validate: how many problems in how many files."""
    count = len(lines)
    files = len({line.split(":", 1)[0] for line in lines})
    return f"{count} problem{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}"


def problems(root: Path, *args: str, command: str = "validate") -> list[str]:
    """The problem lines of a failing run (standard error), after checking the summary line."""
    result = invoke(root, *args, command=command)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    *found, last = result.stderr.splitlines()
    assert last == summary(found)
    return found


def story_problems(tmp_path: Path, text: str | bytes, config: str | bytes = CONFIG) -> list[str]:
    """The problem lines of a workspace holding ``text`` as its one story."""
    return problems(write_workspace(tmp_path, {"2026-Q3/x.yaml": text}, config))


def build(workspace: Path, *args: str, epoch: str = EPOCH) -> Result:
    """`storyteller build` of ``workspace`` in this process, dated by ``epoch``; it must succeed."""
    result = CliRunner().invoke(app, ["build", "--workspace", str(workspace), *args], env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 0, result.output
    return result


def build_in_subprocess(
    cwd: Path, *args: str, epoch: str | None = EPOCH, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m storyteller build` in a fresh process started in ``cwd``: SOURCE_DATE_EPOCH is
    ``epoch`` (unset when None), the time zone and language only what ``env`` says; it must succeed."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ", "LANG", "LC_ALL")}
    dated = {} if epoch is None else {"SOURCE_DATE_EPOCH": epoch}
    result = subprocess.run(
        [sys.executable, "-m", "storyteller", "build", *args],
        cwd=cwd,
        env={**clean, **dated, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


# ---------------------------------------------------------------------------------------
# Stories from the model: every field with its path (`metrics[0].unit`), a full example story
# and one with a payload in every text field (the hostile corpus, containment, fuzzing)


def walk(record: Record, prefix: str = "") -> Iterator[tuple[str, Field]]:
    """Every field of ``record`` and of the records and lists under it, with its path."""
    for spec in record.fields:
        path = f"{prefix}.{spec.name}" if prefix else spec.name
        yield path, spec
        kind = spec.type
        if isinstance(kind, ListOf):
            item_path = f"{path}[0]"
            if isinstance(kind.item, Record):
                yield from walk(kind.item, item_path)
            else:
                yield item_path, Field("item", kind.item, "", None)
        elif isinstance(kind, Record):
            yield from walk(kind, path)


def example(record: Record) -> dict[str, Any]:
    """A value for every field of ``record``, from the model's own examples."""
    values: dict[str, Any] = {}
    for spec in record.fields:
        kind = spec.type
        if isinstance(kind, ListOf) and isinstance(kind.item, Record):
            values[spec.name] = [example(kind.item)]
        elif isinstance(kind, Record):
            values[spec.name] = example(kind)
        else:
            values[spec.name] = copy.deepcopy(spec.example)  # cases change it
    return values


def full_story() -> dict[str, Any]:
    """Every field of a story and a metric filled in; valid (tested below)."""
    story = example(STORY_RECORD)
    for metric in story["metrics"]:
        metric.pop("per")  # `frequency` and `per` exclude each other; the example metric has a frequency
        metric.pop("each")  # what one occurrence of a count costs; the example metric is a duration
    return story


def dump(values: dict[str, Any]) -> str:
    return yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=100_000)


def set_path(values: Any, path: str, value: Any) -> None:
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for part in parts[:-1]:
        values = values[int(part[1:-1])] if part.startswith("[") else values[part]
    last = parts[-1]
    if last.startswith("["):
        values[int(last[1:-1])] = value
    else:
        values[last] = value


def example_image() -> bytes:
    return harmless.png(2, 2, rows=b"\x00\x00\x00" * 2)


def with_images(root: Path, story: dict[str, Any]) -> None:
    """The image files a story's `images` name, as real PNGs beside the story."""
    for image in story.get("images", ()):
        if isinstance(image, dict) and isinstance(image.get("path"), str):
            target = root / "stories" / "2026-Q3" / image["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(example_image())


def story_values(values: dict[str, Any], config: str = CONFIG) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        write_workspace(root, {"2026-Q3/x.yaml": dump(values)}, config)
        with_images(root, values)

    return make


CONFIG_TEXT = ("organization", "title")  # the config's free text, given the payloads too


def text_fields(payload: str) -> list[str]:
    """The story fields (paths) that take ``payload``: free text of the model that allows it."""
    found = []
    for path, spec in walk(STORY_RECORD):
        kind = spec.type
        if not isinstance(kind, Text) or len(payload) > kind.max_length:
            continue
        if kind.pattern and not re.fullmatch(kind.pattern, payload):
            continue
        found.append(path)
    return found


def in_every_text_field(payload: str) -> Callable[[Path], None]:
    """A full story with ``payload`` in every text field, and in the config's text and labels."""
    story = full_story()
    for path in text_fields(payload):
        set_path(story, path, payload)
    for metric in story["metrics"]:
        if metric["unit"] == payload:  # a unit that is not a duration: no frequency or hands_on, a direction
            metric.pop("frequency")
            metric.pop("hands_on")
            metric["better"] = "lower"
    config = dump(
        {
            **{key: payload for key in CONFIG_TEXT},
            "categories": {"automation": payload},
        }
    )
    return story_values(story, config)


# ---------------------------------------------------------------------------------------
# HTML reports, compared (the golden test, template overrides)

DATA_URI = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<data>[A-Za-z0-9+/]*={0,2})")
FONT_PLACEHOLDER = "(font subset)"


def _data_uri(match: re.Match[str]) -> str:
    mime = match["mime"]
    if mime.startswith("font/"):
        return f"data:{mime};{FONT_PLACEHOLDER}"
    digest = hashlib.sha256(base64.b64decode(match["data"])).hexdigest()[:12]
    return f"data:{mime};sha256={digest}"


def normalise(html: str) -> str:
    """The HTML with data URIs hashed (fonts replaced), the version hidden, one line per tag run."""
    html = DATA_URI.sub(_data_uri, html)
    html = html.replace(f"storyteller {__version__}", "storyteller VERSION")
    html = re.sub(r">\s+<", ">\n<", html)
    return "".join(line.rstrip() + "\n" for line in html.splitlines())


# Stories and metrics made in code, for the figures' tests

Q3 = Quarter(2026, 3)


def metric(
    unit: str = "minutes",
    before: float = 50,
    after: float = 20,
    *,
    better: str = "lower",
    frequency: Rate | None = None,
    per: str | None = None,
    basis: str = "measured",
    hands_on: bool | None = None,
    each: Each | None = None,
) -> Metric:
    return Metric(
        name="m",
        unit=unit,
        before=before,
        after=after,
        better=better,
        frequency=frequency,
        per=per,
        hands_on=hands_on,
        each=each,
        basis=basis,
        source=None,
        accept=(),
        line=1,
    )


def story(
    *metrics: Metric,
    effort: float | None = None,
    status: str = "delivered",
    quarter: Quarter = Q3,
    sid: str = "s",
) -> Story:
    return Story(
        id=sid,
        file=f"stories/{sid}.yaml",
        title="t",
        summary="s",
        quarter=quarter,
        date=None,
        team="T",
        owners=(),
        partners=(),
        category="automation",
        status=status,
        impact=(),
        tags=(),
        effort_hours=effort,
        problem="p",
        solution=None,
        outcome="o",
        metrics=tuple(metrics),
        quote=None,
        links=(),
        images=(),
        accept=(),
    )


def until(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    """Whether ``condition`` came true within ``seconds`` (generous: a busy machine is slow),
    checked every 50 ms. Tests wait for a condition with this, never for a fixed time."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
