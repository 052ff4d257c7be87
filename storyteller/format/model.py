"""The story format and the workspace config, declared once.

Every field of a story, a metric and `storyteller.yaml` is declared here with its type,
rule, description and example. The validator (load.py, config.py), the JSON Schema
(`storyteller schema`) and the field reference in docs/story-format.md are derived from
these declarations; tests fail when the docs fall behind.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyteller.figures import units
from storyteller.figures.periods import QUARTER_PATTERN, Quarter
from storyteller.format.fields import (
    INVALID,
    Choice,
    Context,
    Date,
    Field,
    ListOf,
    MapOf,
    Number,
    Record,
    Text,
    Type,
    location,
    suggest,
)
from storyteller.format.source import Map, Node, Seq

SCHEMA_URL = "https://storyteller.example/schema/story-1.json"

DEFAULT_CATEGORIES = {
    "automation": "Automation",
    "proactive-problem-management": "Proactive problem management",
    "collaboration": "Cross-functional collaboration",
    "process": "Process innovation",
}
DEFAULT_OUTCOMES = {
    "time-to-market": "Time to market",
    "reliability": "Reliability",
    "resilience": "Resilience",
    "cost": "Cost",
    "security": "Security",
    "experience": "Experience",
}
DEFAULT_ORGANIZATION = "Your organization"
STATUSES = ("delivered", "in-progress")
BASES = ("measured", "estimated")
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000  # a 6000 x 4000 photo; decoding one takes about 100 MB
MAX_MARKDOWN_DEPTH = 16  # nesting levels of lists, quotes, emphasis and links together
MAX_EVENTS = 1_000_000  # per period, for `frequency`

# ---------------------------------------------------------------------------------------
# Types that need more than a pattern


@dataclass(frozen=True)
class Rate:
    """`40 per month`: how often something happens."""

    count: float
    period: str

    @property
    def per_year(self) -> float:
        return self.count * units.PERIODS_PER_YEAR[self.period]

    def __str__(self) -> str:
        return f"{self.count:g} per {self.period}"


_PERIODS = tuple(units.PERIODS_PER_YEAR)

# What may open a nesting level at the start of a line: quote and list markers.
_LINE_MARKERS = re.compile(r"[ \t]*(?:>[ \t]*|(?:[-+*]|[0-9]{1,9}[.)])(?=[ \t]|$)[ \t]*)*")
_MARKER = re.compile(r">|[-+*](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$)")


def _nesting_bound(text: str) -> int:
    """An upper bound of what markdown.depth(text) finds, cheap enough for every story.

    A block nests only through markers at the start of a line (each opens at most two
    levels: a list and its item) or through containers opened on earlier lines, which the
    line's indentation must reach (at least one column per level). Inline nesting needs an
    opening character per level: `*`, `_`, `[` or `<`, counted per paragraph."""
    block = 0
    for line in text.split("\n"):
        prefix = _LINE_MARKERS.match(line)
        assert prefix is not None  # the pattern matches the empty string
        head = prefix.group()
        indent = len(head.expandtabs(4)) - len(head.expandtabs(4).lstrip(" "))
        block = max(block, indent + 2 * len(_MARKER.findall(head)))
    inline = max(sum(part.count(c) for c in "*_[<") for part in text.split("\n\n"))
    return block + inline + 2


@dataclass(frozen=True)
class Markdown(Text):
    """Story text in Markdown, nested no deeper than MAX_MARKDOWN_DEPTH, so no story can
    make the renderer or the PDF layout descend hundreds of levels."""

    one_line: bool = False

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = super().convert(node, where, ctx)
        if text is INVALID or _nesting_bound(text) <= MAX_MARKDOWN_DEPTH:
            return text
        from storyteller.report.markdown import depth

        found = depth(text)
        if found > MAX_MARKDOWN_DEPTH:
            return ctx.problem(
                node,
                where,
                f"its Markdown nests {found} levels deep (lists in lists, quotes in quotes, emphasis in "
                f"links); the limit is {MAX_MARKDOWN_DEPTH}, flatten it",
            )
        return text


@dataclass(frozen=True)
class Frequency(Type):
    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(60).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:per|/|a|an|each)\s*([a-z]+?)s?", text.strip())
        if not match or match[2] not in _PERIODS:
            return ctx.problem(
                node,
                where,
                f'"{text}" is not a frequency; write it as `N per day|week|month|quarter|year`, e.g. `40 per month`',
            )
        count = float(match[1])
        if count <= 0:
            return ctx.problem(node, where, "must happen more than 0 times; remove `frequency` if it never happens")
        if count > MAX_EVENTS:
            return ctx.problem(node, where, f"{match[1]} times a {match[2]} is more than the limit of {MAX_EVENTS:,}")
        return Rate(count, match[2])

    def describe(self) -> str:
        return "`N per day|week|month|quarter|year`, N > 0"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        # The same forms the validator accepts: "40 per month", "40/month", "3 a day", "2 per weeks".
        return {"type": "string", "pattern": f"^[0-9]+(\\.[0-9]+)?\\s*(per|/|a|an|each)\\s*({'|'.join(_PERIODS)})s?$"}


@dataclass(frozen=True)
class Url(Type):
    schemes: tuple[str, ...] = ("https", "http", "mailto")

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(2000).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        scheme = text.split(":", 1)[0].lower() if ":" in text else ""
        if scheme not in self.schemes:
            shown = f"`{scheme}:` URLs are" if scheme else "a URL without a scheme is"
            return ctx.problem(node, where, f"{shown} not allowed; use an https, http or mailto link")
        if scheme in ("http", "https") and not re.match(r"(?i)https?://[^/\s?#]+", text):
            return ctx.problem(node, where, f'"{text}" has no host; write a full URL like https://example.com/page')
        if re.search(r"\s", text):
            return ctx.problem(node, where, "contains spaces; encode them as %20")
        return text

    def describe(self) -> str:
        return "URL: `https`, `http` or `mailto` only"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "maxLength": 2000, "pattern": "^(?i:https?://[^/\\s?#]+\\S*|mailto:\\S+)$"}


_MAGIC = {"PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",)}


def _raster_problem(target: Path, kind: str) -> str | None:
    """What is wrong with a PNG or JPEG beyond its first bytes: too many pixels (a
    decompression bomb: a small file that decodes to gigabytes) or damaged data. Pillow
    reads only the header for the size; `verify` checks a PNG's chunks without decoding."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(target, formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return _too_many_pixels(width, height)
                image.verify()
    except Image.DecompressionBombError:  # Pillow refuses to open past 179 million pixels
        with open(target, "rb") as handle:
            head = handle.read(24)
        width, height = struct.unpack(">II", head[16:24]) if kind == "PNG" else (0, 0)  # from IHDR
        return _too_many_pixels(width, height)
    except (OSError, SyntaxError, ValueError, EOFError):  # Pillow's ways of saying "damaged"
        return f"is not a readable {kind} file (its data is damaged); export it again"
    return None


def _too_many_pixels(width: int, height: int) -> str:
    size = f"is {width:,} x {height:,} pixels" if width else "has far too many pixels"
    return f"{size}; the limit is {MAX_IMAGE_PIXELS:,} pixels, scale it down"


@dataclass(frozen=True)
class FilePath(Type):
    """A path to an image inside the workspace, relative to the file that names it.

    Checked without trusting the author: it must resolve (symlinks followed) inside the
    workspace, be a regular file (not a FIFO or device, which could block or be endless),
    stay under a size limit and start with the bytes of an allowed format.
    """

    kinds: tuple[str, ...] = ("PNG", "JPEG")

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(500).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        allowed = " or ".join(self.kinds)
        if re.match(r"(?i)[a-z][a-z0-9+.-]*://", text) or text.lower().startswith("data:"):
            return ctx.problem(
                node,
                where,
                f"remote images are not allowed; save the {allowed} file in the workspace and give its path",
            )
        if os.path.isabs(text) or text.startswith("~"):
            return ctx.problem(node, where, "must be a path relative to this file, inside the workspace")
        assert ctx.base_dir is not None and ctx.workspace is not None
        try:
            target = (ctx.base_dir / text).resolve()
        except RuntimeError:  # pathlib's report of a symlink loop
            return ctx.problem(node, where, f"{text} is a symbolic link that points to itself")
        root = ctx.workspace.resolve()
        if not target.is_relative_to(root):
            return ctx.problem(node, where, f"{text} points outside the workspace; keep images inside it")
        try:
            info = os.stat(target)
        except OSError:
            return ctx.problem(node, where, f"{text} does not exist; check the path (relative to this file)")
        if not stat.S_ISREG(info.st_mode):
            return ctx.problem(node, where, f"{text} is not a regular file")
        if info.st_size > MAX_IMAGE_BYTES:
            return ctx.problem(node, where, f"{text} is {info.st_size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}")
        with open(target, "rb") as handle:
            head = handle.read(8)
        kind = self.sniff(head, target)
        if kind not in self.kinds:
            return ctx.problem(node, where, f"{text} is not a {allowed} file")
        damage = _raster_problem(target, kind) if kind in _MAGIC else None
        if damage:
            return ctx.problem(node, where, f"{text} {damage}")
        return target

    @staticmethod
    def sniff(head: bytes, target: Path) -> str | None:
        for kind, magics in _MAGIC.items():
            if head.startswith(magics):
                return kind
        if target.suffix.lower() == ".svg" and head.lstrip().startswith((b"<svg", b"<?xml", b"<!--")):
            return "SVG"
        return None

    def describe(self) -> str:
        return f"path relative to this file, inside the workspace: {', '.join(self.kinds)}"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "^(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|~)"}


@dataclass(frozen=True)
class LocaleName(Type):
    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(
            20, pattern=r"[a-z]{2,3}(_[A-Za-z0-9]{2,4})*", pattern_hint="is not a locale like en_US or de_DE"
        ).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        from babel.localedata import locale_identifiers

        known = locale_identifiers()
        if text not in known:
            return ctx.problem(node, where, f"`{text}` is not a locale Babel knows{suggest(text, sorted(known))}")
        return text

    def describe(self) -> str:
        return "locale like `en_US`, `de_DE`, `fr_FR`"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[a-z]{2,3}(_[A-Za-z0-9]{2,4})*$"}


@dataclass(frozen=True)
class CurrencyCode(Type):
    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(
            3, pattern="[A-Z]{3}", pattern_hint="is not a currency code; write three capitals like USD"
        ).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        if text not in units.currency_codes():
            return ctx.problem(
                node, where, f"`{text}` is not an ISO 4217 currency code{suggest(text, sorted(units.currency_codes()))}"
            )
        return text

    def describe(self) -> str:
        return "ISO 4217 currency code such as `USD`, `EUR`"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "enum": sorted(units.currency_codes())}


# ---------------------------------------------------------------------------------------
# The story format


def _number_rules(values: dict[str, Any], node: Map, ctx: Context, where: str) -> None:
    unit = values.get("unit")
    if not isinstance(unit, str):
        return
    kind = units.family(unit)
    for key in ("before", "after"):
        value = values.get(key)
        if not isinstance(value, (int, float)):
            continue
        at = location(values, node, key)
        path = f"{where}.{key}"
        if kind is units.Family.PERCENT and not 0 <= value <= 100:
            values[key] = ctx.problem(at, path, f"is a percentage, so it must be within 0..100, found {value:g}")
        elif kind in (units.Family.DURATION, units.Family.COUNT, units.Family.CURRENCY) and value < 0:
            values[key] = ctx.problem(at, path, f"a {kind.value} cannot be negative, found {value:g}")
    if "better" not in node.entries and units.default_better(unit) is None:
        values["better"] = ctx.problem(
            node,
            f"{where}.better",
            f"is required for the unit `{unit}`; add `better: lower` or `better: higher`",
        )
    if "frequency" in node.entries and kind not in (units.Family.DURATION, units.Family.CURRENCY):
        values["frequency"] = ctx.problem(
            location(values, node, "frequency"),
            f"{where}.frequency",
            f"only durations and currency amounts have a frequency, not `{unit}`; use `per` for a count measured over a period",
        )
    if "frequency" in node.entries and "per" in node.entries:
        values["per"] = ctx.problem(
            location(values, node, "per"),
            f"{where}.per",
            "give either `frequency` (how often it happens) or `per` (the period it is measured over), not both",
        )
    if "per" in node.entries and kind is units.Family.PERCENT:
        values["per"] = ctx.problem(
            location(values, node, "per"), f"{where}.per", "a percentage has no period; remove `per`"
        )


_DEFAULTED_UNITS = sorted(units.DURATION_ALIASES) + sorted(units.PERCENT_UNITS)


def _metric_schema_rules() -> tuple[dict[str, Any], ...]:
    durations = sorted(units.DURATION_ALIASES)
    currencies = sorted(units.currency_codes())
    non_negative = {"properties": {"before": {"minimum": 0}, "after": {"minimum": 0}}}
    return (
        {"if": {"properties": {"unit": {"enum": _DEFAULTED_UNITS + currencies}}}, "else": {"required": ["better"]}},
        {
            "if": {"properties": {"unit": {"enum": sorted(units.PERCENT_UNITS)}}},
            "then": {"properties": {"before": {"minimum": 0, "maximum": 100}, "after": {"minimum": 0, "maximum": 100}}},
        },
        {"if": {"properties": {"unit": {"enum": [*durations, "count", *currencies]}}}, "then": non_negative},
        {"if": {"required": ["frequency"]}, "then": {"properties": {"unit": {"enum": durations + currencies}}}},
        {"not": {"required": ["frequency", "per"]}},
        {"if": {"required": ["per"]}, "then": {"properties": {"unit": {"not": {"enum": sorted(units.PERCENT_UNITS)}}}}},
    )


@dataclass(frozen=True)
class Check:
    """A plausibility check: its code, where it looks, and what to do when it fires."""

    code: str
    on: str  # "metric" or "story": where it is found, and so where `accept` may name it
    finds: str  # the condition, for the docs
    advice: str  # what to check or fix, for the docs and the warning


CHECKS = (
    Check(
        "large-factor",
        "metric",
        "The factor (before / after, or after / before when higher is better) is above 50.",
        "check that `before` and `after` are in the same unit and measure the same thing",
    ),
    Check(
        "no-change",
        "metric",
        "`after` equals `before`: the metric shows no change.",
        "fill in the value after the change, or remove the metric",
    ),
    Check(
        "large-saving",
        "metric",
        "One metric saves more than 2 FTE (2 x `hours_per_fte` hours) a year.",
        "check that `frequency` counts the events the duration is measured for, and that it is hands-on work time",
    ),
    Check(
        "team-capacity",
        "metric",
        "A duration with `frequency` adds up to more hours a year (before or after the change) than "
        "`team_size` full-time people work (`team_size` x `hours_per_fte`).",
        "check `frequency` and the unit, or raise `team_size` in storyteller.yaml if your teams are larger",
    ),
    Check(
        "no-source",
        "metric",
        "A metric with `basis: estimated` has no `source`.",
        "say where the estimate comes from in `source`",
    ),
    Check(
        "future-quarter",
        "story",
        "A delivered story's quarter has not started yet.",
        "correct `quarter` (or `date`), or set `status: in-progress`",
    ),
    Check(
        "future-date",
        "story",
        "A delivered story's go-live `date` is after today.",
        "correct `date`, or set `status: in-progress` until it goes live",
    ),
    Check(
        "quarter-folder",
        "story",
        "The story sits in a folder named after another quarter (`stories/2026-Q2/` for a 2026-Q3 story).",
        "correct `quarter` (or `date`), or move the file to the folder of its quarter",
    ),
    Check(
        "duplicate-title",
        "story",
        "Another story has the same title (ignoring case and spaces).",
        "give each story its own title, or merge the two stories",
    ),
)
STORY_CODES = tuple(c.code for c in CHECKS)
METRIC_CODES = tuple(c.code for c in CHECKS if c.on == "metric")

METRIC = Record(
    "metric",
    (
        Field(
            "name",
            Text(100),
            "What was measured, as a reader would say it.",
            "Processing time per zoning request",
            required=True,
        ),
        Field(
            "unit",
            Text(
                30,
                pattern=r"[^\s]+|[^\s]+ [^\s]+",
                pattern_hint="is not a unit; use one or two short words",
                form="a unit (see Units below), at most 30 characters",
            ),
            "A duration (`seconds`, `minutes`, `hours`, `days`, `weeks`, or `s`, `min`, `h`, `d`, `w`), `percent`, "
            "`count`, a currency code (`USD`, `EUR`, ...) or any other short word (`tickets`, `GB`, `servers`).",
            "minutes",
            required=True,
        ),
        Field(
            "before",
            Number(),
            "The value before the change. Durations, counts and money are >= 0; percent is within 0..100.",
            50,
            required=True,
        ),
        Field("after", Number(), "The value after the change, in the same unit.", 20, required=True),
        Field(
            "better",
            Choice(("lower", "higher"), noun="direction"),
            "Which way is an improvement. Default `lower` for durations and currency amounts, `higher` for percent; "
            "required for every other unit.",
            "lower",
        ),
        Field(
            "frequency",
            Frequency(),
            "How often the measured thing happens; only for durations and currency amounts. For a duration, give it "
            "only for hands-on work time: it turns a per-event saving into yearly hours saved.",
            "40 per month",
        ),
        Field(
            "per",
            Choice(_PERIODS, noun="period"),
            "The period a count or amount is measured over (`3` mistakes `per: quarter`).",
            "quarter",
        ),
        Field(
            "basis",
            Choice(BASES, noun="basis"),
            "`measured` or `estimated`; totals keep the two apart.",
            "measured",
            default="measured",
        ),
        Field("source", Text(300), "Where the numbers come from.", "Change records, median of 2026-Q2 vs 2026-Q3"),
        Field(
            "accept",
            ListOf(Choice(METRIC_CODES, noun="metric warning code", form="a metric's warning code"), 20),
            "Plausibility-warning codes the authors checked and accept for this metric (see Plausibility warnings).",
            ["large-factor"],
        ),
    ),
    rules=(_number_rules,),
    schema_rules=_metric_schema_rules,
)

QUOTE = Record(
    "quote",
    (
        Field("text", Text(500), "What was said.", "We stopped dreading Fridays.", required=True),
        Field("by", Text(120), "Who said it.", "Storage on-call engineer"),
    ),
)

LINK = Record(
    "link",
    (
        Field("title", Text(200), "The link text.", "Playbook repository", required=True),
        Field(
            "url",
            Url(),
            "Where it points: `https`, `http` or `mailto` only.",
            "https://git.example.com/storage/zoning",
            required=True,
        ),
    ),
)

IMAGE = Record(
    "image",
    (
        Field(
            "path",
            FilePath(),
            "PNG or JPEG file, relative to the story file, inside the workspace.",
            "images/zoning-dashboard.png",
            required=True,
        ),
        Field(
            "alt",
            Text(300),
            "What the image shows, for readers who cannot see it.",
            "Dashboard of zoning request times falling from 50 to 20 minutes",
            required=True,
        ),
        Field("caption", Text(300), "A caption printed under the image.", "Request time, last six months"),
    ),
)

NAME = Text(100)


def _story_rules(values: dict[str, Any], node: Map, ctx: Context, where: str) -> None:
    quarter, date = values.get("quarter"), values.get("date")
    if "quarter" not in values and "date" not in values:  # absent, or present but empty
        if "quarter" in node.entries:
            ctx.problem(
                node.entries["quarter"], "quarter", "is empty; write it as 2026-Q3 (or give the go-live `date`)"
            )
        else:
            ctx.problem(node, "quarter", "is missing; add `quarter: 2026-Q3` (or the go-live `date`)")
        values["quarter"] = INVALID
    elif isinstance(date, dt.date) and isinstance(quarter, str):
        derived = Quarter.of_date(date, ctx.fiscal_year_start)
        if str(derived) != quarter:
            values["date"] = ctx.problem(
                node.entries["date"],
                "date",
                f"{date.isoformat()} falls in {derived}, but `quarter` says {quarter}; correct one of them",
            )
    status = values.get("status", "delivered")
    metrics = node.entries.get("metrics")
    empty = values.get("metrics", []) == []  # absent, empty (`metrics:`) or `[]`
    if status == "delivered" and empty:
        ctx.problem(
            metrics or node,
            "metrics",
            "a delivered story needs at least one metric (before and after); or set `status: in-progress`",
        )


STORY = Record(
    "story",
    (
        Field("title", Text(120), "The improvement, in a few words.", "Automated SAN switch zoning", required=True),
        Field(
            "summary",
            Text(300),
            "The one-line headline an executive reads.",
            "Zoning requests now run through a reviewed playbook instead of hand-typed switch commands.",
            required=True,
        ),
        Field(
            "quarter",
            Text(
                7,
                pattern=QUARTER_PATTERN.pattern[1:-1],
                pattern_hint="is not a quarter; write it as YYYY-Qn, e.g. 2026-Q3",
                form="`YYYY-Qn`, n in 1..4",
            ),
            "Fiscal quarter `YYYY-Qn` in which it was delivered; may be left out when `date` is given.",
            "2026-Q3",
            required_note="yes, unless `date` is given",
        ),
        Field(
            "date",
            Date(),
            "Go-live date; gives the quarter when `quarter` is missing, and must agree with it when both are given.",
            "2026-08-14",
        ),
        Field("team", NAME, "The team that owns the story.", "Storage Operations", required=True),
        Field("owners", ListOf(NAME, 20), "People who did the work.", ["Priya Raman"]),
        Field(
            "partners",
            ListOf(NAME, 20),
            "Other teams that took part; this is how cross-functional collaboration is counted.",
            ["Security Engineering", "Application Hosting"],
        ),
        Field(
            "category",
            Choice(source="categories", noun="category"),
            "The kind of innovation: a key of the workspace's `categories` (default: `automation`, "
            "`proactive-problem-management`, `collaboration`, `process`).",
            "automation",
            required=True,
        ),
        Field(
            "status",
            Choice(STATUSES, noun="status"),
            "`delivered`, or `in-progress` to keep it out of delivered totals.",
            "delivered",
            default="delivered",
        ),
        Field(
            "impact",
            ListOf(Choice(source="outcomes", noun="outcome"), 6),
            "Business outcomes it serves: keys of the workspace's `outcomes` (default: `time-to-market`, `reliability`, "
            "`resilience`, `cost`, `security`, `experience`).",
            ["time-to-market", "reliability"],
        ),
        Field("tags", ListOf(Text(40), 20), "Short words for searching and grouping.", ["san", "ansible"]),
        Field("effort_hours", Number(exclusive_minimum=0), "Hours it took to build; gives payback time.", 120),
        Field(
            "problem",
            Markdown(20_000),
            "What hurt before (Markdown).",
            "Every zoning request meant typing aliases and zones by hand on two fabrics.",
            required=True,
        ),
        Field(
            "solution",
            Markdown(20_000),
            "What was done (Markdown).",
            "We wrote an **Ansible** playbook that reads the request and applies it to both fabrics.",
        ),
        Field(
            "outcome",
            Markdown(20_000),
            "What is better now (Markdown).",
            "Requests are closed the same day.",
            required=True,
        ),
        Field(
            "metrics",
            ListOf(METRIC, 12),
            "Before/after measurements; at least one for a delivered story, at most 12.",
            [
                {
                    "name": "Processing time per zoning request",
                    "unit": "minutes",
                    "before": 50,
                    "after": 20,
                    "frequency": "40 per month",
                }
            ],
            required_note="yes for `delivered`, may be empty for `in-progress`",
        ),
        Field(
            "quote",
            QUOTE,
            "A sentence from someone the change helped.",
            {"text": "We stopped dreading Fridays.", "by": "Storage on-call engineer"},
        ),
        Field(
            "links",
            ListOf(LINK, 20),
            "Further reading.",
            [{"title": "Playbook repository", "url": "https://git.example.com/storage/zoning"}],
        ),
        Field(
            "accept",
            ListOf(Choice(STORY_CODES, noun="warning code", form="warning code"), 20),
            "Plausibility-warning codes the authors checked and accept for the whole story and its metrics "
            "(see Plausibility warnings).",
            ["duplicate-title"],
        ),
        Field(
            "images",
            ListOf(IMAGE, 10),
            "Screenshots or photos.",
            [{"path": "images/zoning-dashboard.png", "alt": "Zoning request times falling from 50 to 20 minutes"}],
        ),
    ),
    rules=(_story_rules,),
    schema_rules=lambda: (
        {"anyOf": [{"required": ["quarter"]}, {"required": ["date"]}]},
        {
            "if": {"properties": {"status": {"const": "in-progress"}}, "required": ["status"]},
            "else": {"required": ["metrics"], "properties": {"metrics": {"minItems": 1}}},
        },
    ),
)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    before: float
    after: float
    better: str
    frequency: Rate | None
    per: str | None
    basis: str
    source: str | None
    accept: tuple[str, ...]
    line: int
    # Where each of the metric's fields stands in the file (line, column), for warnings.
    places: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Image:
    path: Path
    alt: str
    caption: str | None


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Quote:
    text: str
    by: str | None


@dataclass(frozen=True)
class Story:
    id: str
    file: str  # relative to the workspace, POSIX separators
    title: str
    summary: str
    quarter: Quarter
    date: dt.date | None
    team: str
    owners: tuple[str, ...]
    partners: tuple[str, ...]
    category: str
    status: str
    impact: tuple[str, ...]
    tags: tuple[str, ...]
    effort_hours: float | None
    problem: str
    solution: str | None
    outcome: str
    metrics: tuple[Metric, ...]
    quote: Quote | None
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    accept: tuple[str, ...]
    # Where each top-level field stands in the file (line, column), for warnings.
    places: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def delivered(self) -> bool:
        return self.status == "delivered"


def story_from_values(story_id: str, file: str, values: dict[str, Any], node: Map, fiscal_year_start: int) -> Story:
    """Build a Story from converted values that had no problems."""
    quarter = values.get("quarter")
    date = values.get("date")
    metric_nodes = node.entries.get("metrics")
    metrics = []
    for index, raw in enumerate(values.get("metrics") or []):
        unit = raw["unit"]
        item = metric_nodes.items[index] if isinstance(metric_nodes, Seq) else None
        metrics.append(
            Metric(
                name=raw["name"],
                unit=unit,
                before=raw["before"],
                after=raw["after"],
                better=raw.get("better") or units.default_better(unit) or "lower",
                frequency=raw.get("frequency"),
                per=raw.get("per"),
                basis=raw.get("basis", "measured"),
                source=raw.get("source"),
                accept=tuple(raw.get("accept", ())),
                line=item.line if item is not None else 0,
                places=places(item) if isinstance(item, Map) else {},
            )
        )
    quote = values.get("quote")
    if quarter is not None:
        placed = Quarter.parse(quarter)
    else:
        assert isinstance(date, dt.date)  # _story_rules require one of the two
        placed = Quarter.of_date(date, fiscal_year_start)
    return Story(
        id=story_id,
        file=file,
        title=values["title"],
        summary=values["summary"],
        quarter=placed,
        date=date,
        team=values["team"],
        owners=tuple(values.get("owners", ())),
        partners=tuple(values.get("partners", ())),
        category=values["category"],
        status=values.get("status", "delivered"),
        impact=tuple(values.get("impact", ())),
        tags=tuple(values.get("tags", ())),
        effort_hours=values.get("effort_hours"),
        problem=values["problem"],
        solution=values.get("solution"),
        outcome=values["outcome"],
        metrics=tuple(metrics),
        quote=Quote(quote["text"], quote.get("by")) if quote else None,
        links=tuple(Link(link["title"], link["url"]) for link in values.get("links", ())),
        images=tuple(Image(i["path"], i["alt"], i.get("caption")) for i in values.get("images", ())),
        accept=tuple(values.get("accept", ())),
        places=places(node),
    )


def places(node: Map) -> dict[str, tuple[int, int]]:
    """Where each key's value stands in the file: (line, column)."""
    return {key: (value.line, value.column) for key, value in node.entries.items()}


# ---------------------------------------------------------------------------------------
# The workspace config

LABEL = Text(80)
CATEGORY_KEY = r"[a-z0-9]+(-[a-z0-9]+)*"

BRAND = Record(
    "brand",
    (
        Field(
            "primary",
            Text(
                7,
                pattern="#[0-9a-fA-F]{6}",
                pattern_hint="is not a colour; write it as #rrggbb",
                form="colour `#rrggbb`",
                empty_hint='a bare # starts a YAML comment, so quote the colour: primary: "#1f4e79"',
            ),
            "Main colour of the report, `#rrggbb`.",
            "#1f4e79",
            default="#1f4e79",
        ),
        Field(
            "logo",
            FilePath(("PNG", "JPEG", "SVG")),
            "Logo for the cover: a PNG, JPEG or SVG file inside the workspace, relative to storyteller.yaml.",
            "brand/logo.svg",
        ),
    ),
)

CONFIG = Record(
    "setting",
    (
        Field(
            "organization",
            Text(120),
            "Shown on the cover and in the PDF metadata.",
            "Northwind Logistics",
            default=DEFAULT_ORGANIZATION,
        ),
        Field(
            "title",
            Text(120),
            "The report's title.",
            "Infrastructure Operations Innovation Report",
            default="Infrastructure Operations Innovation Report",
        ),
        Field("stories", Text(200), "Folder of stories, relative to storyteller.yaml.", "stories", default="stories"),
        Field(
            "output",
            Text(200),
            "Folder for built reports and exports, relative to storyteller.yaml.",
            "output",
            default="output",
        ),
        Field(
            "currency",
            CurrencyCode(),
            "Currency of money figures; other currencies are reported apart, never converted.",
            "USD",
            default="USD",
        ),
        Field(
            "hourly_rate",
            Number(exclusive_minimum=0),
            "Loaded cost of one hour of work, in `currency`; without it no money is derived from hours.",
            95,
        ),
        Field(
            "hours_per_fte",
            Number(exclusive_minimum=0, maximum=8784),
            "Working hours of one full-time person in a year.",
            1720,
            default=1720,
        ),
        Field("locale", LocaleName(), "Number, currency and date formatting.", "en_US", default="en_US"),
        Field(
            "fiscal_year_start",
            Number(minimum=1, maximum=12, integer=True),
            "Month (1-12) in which quarter 1 starts. A fiscal year is named by the calendar year in which it ends.",
            1,
            default=1,
        ),
        Field(
            "categories",
            MapOf(LABEL, CATEGORY_KEY, "is not a key; use lower-case words joined by hyphens"),
            "The kinds of innovation a story can have: key -> label, in report order.",
            DEFAULT_CATEGORIES,
            default=DEFAULT_CATEGORIES,
        ),
        Field(
            "outcomes",
            MapOf(LABEL, CATEGORY_KEY, "is not a key; use lower-case words joined by hyphens"),
            "Business outcomes a story's `impact` can name: key -> label.",
            DEFAULT_OUTCOMES,
            default=DEFAULT_OUTCOMES,
        ),
        Field("brand", BRAND, "The report's look: `primary` colour and `logo`.", {"primary": "#1f4e79"}),
        Field("paper", Choice(("A4", "Letter"), noun="paper size"), "Page size of the PDF.", "A4", default="A4"),
        Field(
            "small_win_hours",
            Number(minimum=0),
            "A delivered story that saves fewer hours a year than this (and eliminated nothing) is listed "
            "with the small wins instead of in its category.",
            40,
            default=40,
        ),
        Field(
            "team_size",
            Number(exclusive_minimum=0, maximum=10_000),
            "People in a large team: a metric whose work adds up to more hours a year than this many full-time "
            "people work gets the `team-capacity` warning.",
            10,
            default=10,
        ),
    ),
)


@dataclass(frozen=True)
class Config:
    root: Path
    organization: str = DEFAULT_ORGANIZATION
    title: str = "Infrastructure Operations Innovation Report"
    stories: str = "stories"
    output: str = "output"
    currency: str = "USD"
    hourly_rate: float | None = None
    hours_per_fte: float = 1720
    locale: str = "en_US"
    fiscal_year_start: int = 1
    categories: tuple[tuple[str, str], ...] = tuple(DEFAULT_CATEGORIES.items())
    outcomes: tuple[tuple[str, str], ...] = tuple(DEFAULT_OUTCOMES.items())
    paper: str = "A4"
    small_win_hours: float = 40
    team_size: float = 10
    brand_primary: str = "#1f4e79"
    brand_logo: Path | None = None
    # Where each top-level key stands in storyteller.yaml, for problems found later.
    locations: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def stories_dir(self) -> Path:
        return self.root / self.stories

    @property
    def output_dir(self) -> Path:
        return self.root / self.output

    @property
    def choices(self) -> dict[str, Sequence[str]]:
        return {"categories": [k for k, _ in self.categories], "outcomes": [k for k, _ in self.outcomes]}

    def category_label(self, key: str) -> str:
        return dict(self.categories).get(key, key)


def config_from_values(root: Path, values: dict[str, Any]) -> Config:
    brand = values.get("brand") or {}
    plain = {k: v for k, v in values.items() if k not in ("brand", "categories", "outcomes")}
    extra: dict[str, Any] = {}
    if "categories" in values:
        extra["categories"] = tuple(values["categories"].items())
    if "outcomes" in values:
        extra["outcomes"] = tuple(values["outcomes"].items())
    if brand.get("primary"):
        extra["brand_primary"] = brand["primary"].lower()
    if brand.get("logo"):
        extra["brand_logo"] = brand["logo"]
    return Config(root=root, **plain, **extra)


def story_json_schema(choices: dict[str, Sequence[str]]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a story file, for editors and other tools."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL,
        "title": "storyteller story",
        "description": "One improvement an operations team delivered: the problem, what was done, "
        "the outcome and before/after metrics (story format version 1).",
        **STORY.json(choices),
    }
