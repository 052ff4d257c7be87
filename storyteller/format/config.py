"""The workspace config, declared once (every key of storyteller.yaml, with its default), and
finding the workspace and reading its storyteller.yaml.

`Config` is at once the declaration (record.py reads it back as the validator, the JSON
Schema and the docs' table of settings) and the typed config the rest of storyteller reads;
`Config(root=...)` is the config of a workspace whose storyteller.yaml sets nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyteller.errors import Problem, ProblemsFound, WorkspaceError
from storyteller.format.fields import INVALID, Choice, Context, Flag, MapOf, Number, Text
from storyteller.format.record import declare, declared, joined, located, places_of, record
from storyteller.format.source import Map, parse, read_limited
from storyteller.format.values import CurrencyCode, FilePath, LocaleName, file_head
from storyteller.paths import inside, real, real_file

CONFIG_NAME = "storyteller.yaml"

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
LABEL = Text(80)
CATEGORY_KEY = r"[a-z0-9]+(-[a-z0-9]+)*"
KEYS = MapOf(LABEL, CATEGORY_KEY, "is not a key; use lower-case words joined by hyphens")


@declared
class Brand:
    primary: str = declare(
        Text(
            7,
            pattern="#[0-9a-fA-F]{6}",
            pattern_hint="is not a colour; write it as #rrggbb",
            form="colour `#rrggbb`",
            empty_hint='a bare # starts a YAML comment, so quote the colour: primary: "#1f4e79"',
        ),
        "Main colour of the report, `#rrggbb`.",
        default="#1f4e79",
        convert=str.lower,
    )
    logo: Path | None = declare(
        FilePath(("PNG", "JPEG", "SVG")),
        "Logo for the cover: a PNG, JPEG or SVG file inside the workspace, relative to storyteller.yaml.",
        "brand/logo.svg",
        default=None,
    )


BRAND = record(Brand, "brand")

# The deck (`build --format pptx`): a corporate template and the layouts it uses, by role.
DECK_ROLES = ("title", "section", "content", "two-content")
MAX_TEMPLATE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class DeckTemplate(Text):
    """A PowerPoint template (.pptx or .potx) inside the workspace, relative to storyteller.yaml;
    checked as FilePath checks an image: inside the workspace, a regular file, under a size
    limit, and a zip file (what every .pptx/.potx is)."""

    def convert(self, node: Any, where: str, ctx: Context) -> Any:
        text = super().convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        assert ctx.workspace is not None
        target = ctx.workspace / text
        if os.path.isabs(text) or not inside(target, ctx.workspace):
            return ctx.problem(node, where, f"{text} is outside the workspace; keep the template inside it")
        if Path(text).suffix.lower() not in (".pptx", ".potx"):
            return ctx.problem(node, where, f"{text} is not a .pptx or .potx file; save the template as one")
        head = file_head(target, text, MAX_TEMPLATE_BYTES, CONFIG_NAME)
        if isinstance(head, str):
            return ctx.problem(node, where, head)
        if not head.startswith(b"PK\x03\x04"):
            return ctx.problem(node, where, f"{text} is not a PowerPoint file (not a zip archive); save it again")
        return Path(real(target))

    def describe(self) -> str:
        return "path of a .pptx or .potx file inside the workspace"


@declared
class Config:
    root: Path
    organization: str = declare(
        Text(120), "Shown on the cover and in the PDF metadata.", "Northwind Logistics", default=DEFAULT_ORGANIZATION
    )
    title: str = declare(
        Text(120),
        "The report's title.",
        default="Infrastructure Operations Innovation Report",
    )
    stories: str = declare(Text(200), "Folder of stories, relative to storyteller.yaml.", default="stories")
    output: str = declare(
        Text(200), "Folder for built reports and exports, relative to storyteller.yaml.", default="output"
    )
    currency: str = declare(
        CurrencyCode(),
        "Currency of money figures; other currencies are reported apart, never converted.",
        default="USD",
    )
    hourly_rate: float | None = declare(
        Number(exclusive_minimum=0, maximum=1_000_000),
        "Loaded cost of one hour of work, in `currency`; without it no money is derived from hours.",
        95,
        default=None,
    )
    hours_per_fte: float = declare(
        Number(minimum=1, maximum=8784),
        "Working hours of one full-time person in a year (at most the hours of a leap year).",
        default=1720,
    )
    workdays_per_year: int = declare(
        Number(minimum=1, maximum=366, integer=True),
        "Working days in a year: how many a year `N per workday` and `per: workday` count.",
        default=250,
    )
    hours_per_week: float = declare(
        Number(exclusive_minimum=0, maximum=168),
        "Working hours in a week, used when hours are described as weeks of work.",
        default=40,
    )
    locale: str = declare(LocaleName(), "Number, currency and date formatting.", default="en_US")
    fiscal_year_start: int = declare(
        Number(minimum=1, maximum=12, integer=True),
        "Month (1-12) in which quarter 1 starts. A fiscal year is named by the calendar year in which it ends.",
        default=1,
    )
    categories: tuple[tuple[str, str], ...] = declare(
        KEYS,
        "The kinds of innovation a story can have: key -> label, in report order.",
        default=DEFAULT_CATEGORIES,
    )
    outcomes: tuple[tuple[str, str], ...] = declare(
        KEYS,
        "Business outcomes a story's `impact` can name: key -> label.",
        default=DEFAULT_OUTCOMES,
    )
    brand: Brand = declare(
        BRAND, "The report's look: `primary` colour and `logo`.", {"primary": "#1f4e79"}, default_factory=Brand
    )
    paper: str = declare(Choice(("A4", "Letter"), noun="paper size"), "Page size of the PDF.", default="A4")
    small_win_hours: float = declare(
        Number(minimum=0, maximum=1_000_000),
        "A delivered story that saves fewer hours a year than this (and eliminated nothing) is listed "
        "with the small wins instead of in its category.",
        default=40,
    )
    small_win_value: float | None = declare(
        Number(minimum=0, maximum=1_000_000_000),
        "A delivered story is a small win only when its yearly money saved (time at the hourly rate plus "
        "cash) is also below this, in `currency`; without it, `small_win_hours` x `hourly_rate`.",
        5000,
        default=None,
    )
    team_size: float = declare(
        Number(exclusive_minimum=0, maximum=10_000),
        "People in a large team: a metric whose work adds up to more hours a year than this many full-time "
        "people work gets the `team-capacity` warning.",
        default=10,
    )
    deck_template: Path | None = declare(
        DeckTemplate(500),
        "PowerPoint template (`.pptx` or `.potx`, inside the workspace) of the deck that `build --format pptx` "
        "makes; without it, the built-in design. See docs/deck.md.",
        "brand/corporate.potx",
        default=None,
    )
    deck_layouts: tuple[tuple[str, str], ...] = declare(
        MapOf(Text(120), "|".join(DECK_ROLES), "is not a slide role; use title, section, content or two-content", 4),
        "The template's layout, by name, for each role of a slide (title, section, content, two-content); "
        "a role left out uses the layout of the built-in name (Title Slide, Section Header, Title and Content, "
        "Two Content).",
        {"title": "Cover", "content": "Title and Body"},
        default_factory=tuple,
    )
    attach_sources: bool = declare(
        Flag(),
        "Attach the story files and storyteller.yaml to every PDF, beside figures.json and figures.csv, so "
        "`storyteller verify` can recompute its figures; `false` attaches only figures.json, for organizations "
        "that must not share the raw stories.",
        False,
        default=True,
    )
    # Where each top-level key stands in storyteller.yaml, for problems found later.
    locations: dict[str, tuple[int, int]] = located(places_of, default_factory=dict, compare=False)

    @property
    def stories_dir(self) -> Path:
        return self.root / self.stories

    @property
    def output_dir(self) -> Path:
        return self.root / self.output

    @property
    def brand_primary(self) -> str:
        return self.brand.primary

    @property
    def brand_logo(self) -> Path | None:
        return self.brand.logo

    @property
    def choices(self) -> dict[str, Sequence[str]]:
        return {"categories": [k for k, _ in self.categories], "outcomes": [k for k, _ in self.outcomes]}

    def category_label(self, key: str) -> str:
        return dict(self.categories).get(key, key)


@dataclass(frozen=True)
class StoriesInside:
    """The stories folder is a folder inside the workspace, not the workspace itself."""

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str) -> None:
        stories, root = values.get("stories"), ctx.workspace
        if not isinstance(stories, str) or root is None:
            return
        if os.path.isabs(stories) or real(root / stories) == real(root) or not inside(root / stories, root):
            values["stories"] = ctx.problem(
                node.entries["stories"],
                joined(where, "stories"),
                f"`{stories}` is outside the workspace; stories live in a folder inside it, such as `stories`",
            )

    def schema(self) -> Sequence[dict[str, Any]]:
        return []  # where a path leads (`..`, links) cannot be said in JSON Schema: it depends on the disk


CONFIG = record(Config, "setting", StoriesInside())


def find_workspace(start: Path | None = None, explicit: Path | None = None) -> Path:
    """The workspace named by ``explicit``, or the nearest folder upward holding storyteller.yaml."""
    if explicit is not None:
        folder = explicit.parent if explicit.name == CONFIG_NAME else explicit
        if not (folder / CONFIG_NAME).is_file():
            raise WorkspaceError(
                f"{folder} is not a workspace: it has no {CONFIG_NAME}; run `storyteller init {folder}`"
            )
        return folder.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceError(
        f"no {CONFIG_NAME} found in {here} or any folder above it; "
        "run `storyteller init` to create a workspace, or pass --workspace PATH"
    )


def load_config(root: Path, named_files: bool = True) -> Config:
    """Read and validate ``root/storyteller.yaml``; raises ProblemsFound with every problem.
    ``named_files``: whether a file it names (the logo) must be there (see Context)."""
    data, problem = read_limited(root / CONFIG_NAME, root, CONFIG_NAME)
    if problem is not None:
        raise ProblemsFound([problem])
    node, problems = parse(data, CONFIG_NAME)
    problems = [p for p in problems if "the file is empty" not in p.message]  # all keys are optional
    if node is None:
        if problems:
            raise ProblemsFound(problems)
        return Config(root=root)
    source = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")  # parsed, so UTF-8
    ctx = Context(CONFIG_NAME, problems, base_dir=root, workspace=root, source=source, named_files=named_files)
    values = CONFIG.convert(node, "", ctx)
    if ctx.problems or values is INVALID or not isinstance(node, Map):
        raise ProblemsFound(ctx.problems)
    return CONFIG.build(values, node, root=root)


def relative(path: Path, root: Path) -> str:
    """``path`` as shown in messages: relative to the workspace, with forward slashes."""
    absolute = Path(os.path.abspath(path))  # not resolved: a link is shown where it stands
    try:
        return absolute.relative_to(real_file(root)).as_posix()
    except ValueError:
        return path.as_posix()


__all__ = ["CONFIG", "CONFIG_NAME", "Config", "Problem", "find_workspace", "load_config", "relative"]
