"""The story format, declared once: every field of a story, a metric, a quote, a link and an
image, with its type, rule, help text and example, and the rules across fields.

Each class is at once the declaration (record.py reads it back as the validator, the JSON
Schema and the docs' field reference) and the typed object report/ and figures/ read. To
add a field, add a ``declare`` line. To add a rule across fields: a metric rule about its
unit goes in METRIC_RULES (made of the rules in rules.py); any other rule is a class with a
`check` and its `schema` side by side (QuarterOrDate), named where its record is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyteller.figures import units
from storyteller.figures.periods import QUARTER_PATTERN, Quarter
from storyteller.figures.units import Family
from storyteller.format.checks import CHECKS
from storyteller.format.fields import INVALID, Choice, Context, Date, Flag, ListOf, Number, Text
from storyteller.format.record import declare, declared, located, places_of, record
from storyteller.format.rules import Bounds, Needed, NeededWith, NotBoth, OnlyFor, Requires, UnitRules
from storyteller.format.source import Map
from storyteller.format.values import PERIODS, Each, EachCost, FilePath, Frequency, Markdown, Rate, Unit, Url

STATUSES = ("delivered", "in-progress")
BASES = ("measured", "estimated")
STORY_CODES = tuple(c.code for c in CHECKS if c.acceptable)
METRIC_CODES = tuple(c.code for c in CHECKS if c.on == "metric" and c.acceptable)

# What the number rules say, by the family of the metric's unit (figures/units.py).
METRIC_RULES = UnitRules(
    "unit",
    (
        Needed(
            "better",
            unless=(Family.DURATION, Family.CURRENCY),  # those units.default_better knows
            implied=lambda unit: units.default_better(unit) or "lower",
            message="is required for the unit `{unit}`; add `better: lower` or `better: higher`",
            messages=(
                (
                    Family.PERCENT,
                    "is required for a percentage, to say which way is an improvement: add `better: higher` "
                    "(availability, compliance) or `better: lower` (failure rate, rework)",
                ),
            ),
        ),
        Bounds(
            ("before", "after"),
            (Family.PERCENT,),
            "is a percentage, so it must be within 0..100, found {value:g}",
            minimum=0,
            maximum=100,
        ),
        Bounds(
            ("before", "after"),
            (Family.DURATION, Family.COUNT, Family.CURRENCY),
            "a {family} cannot be negative, found {value:g}",
            minimum=0,
        ),
        OnlyFor(
            "frequency",
            (Family.DURATION, Family.CURRENCY),
            "only durations and currency amounts have a frequency, not `{unit}`; use `per` for a count measured "
            "over a period (and `each` for what one occurrence costs)",
        ),
        NotBoth(
            "frequency",
            "per",
            "give either `frequency` (how often it happens) or `per` (the period it is measured over), not both",
        ),
        OnlyFor("per", (Family.PERCENT,), "a percentage has no period; remove `per`", never=True),
        OnlyFor(
            "hands_on",
            (Family.DURATION,),
            "only a duration is hands-on work or not, not `{unit}`; remove `hands_on` (for the time one occurrence "
            "takes, use `each: 45 minutes`)",
        ),
        NeededWith(
            "hands_on",
            "per",
            (Family.DURATION,),
            implied=True,  # with `frequency` (or neither), a duration is hands-on work time, as in v1
            message="is required for a duration measured `per` a period: is it people's hands-on work? Add "
            "`hands_on: true` (the time saved counts as hours saved) or `hands_on: false` (downtime, waiting or "
            "lead time: reported, saves no hours)",
        ),
        OnlyFor(
            "each",
            (Family.DURATION, Family.PERCENT, Family.CURRENCY),
            "`each` (what one occurrence costs) is for a count or a custom unit, not `{unit}`; remove it",
            never=True,
        ),
        Requires(
            "each",
            "per",
            "needs `per`, the period the count is measured over (e.g. `per: month`), to make it a yearly figure",
        ),
    ),
)


@declared
class Metric:
    name: str = declare(
        Text(100), "What was measured, as a reader would say it.", "Processing time per zoning request", required=True
    )
    unit: str = declare(
        Unit(
            30,
            pattern=r"[^\s]+|[^\s]+ [^\s]+",
            pattern_hint="is not a unit; use one or two short words",
            form="a unit (see Units below), at most 30 characters",
        ),
        "A duration (`milliseconds`, `seconds`, `minutes`, `hours`, `days`, `weeks`, or `ms`, `s`, `min`, `h`, `d`, "
        '`w`, in any case), `percent` (or `"%"`), `count`, a currency code in capitals (`USD`, `EUR`, ...) or '
        "any other short word (`tickets`, `GB`, `servers`); a near miss of a known word (`minuts`) is an error.",
        "minutes",
        required=True,
    )
    before: float = declare(
        Number(),
        "The value before the change. Durations, counts and money are >= 0; percent is within 0..100.",
        50,
        required=True,
    )
    after: float = declare(Number(), "The value after the change, in the same unit.", 20, required=True)
    better: str = declare(
        Choice(("lower", "higher"), noun="direction"),
        "Which way is an improvement. Default `lower` for durations and currency amounts; required for percent "
        "(`higher` for availability, `lower` for a failure rate) and every other unit.",
        "lower",
    )
    frequency: Rate | None = declare(
        Frequency(),
        "How often the measured thing happens; only for durations and currency amounts. It turns a per-event "
        "saving into a yearly one (hours saved for hands-on work time). Not together with `per`.",
        "40 per month",
    )
    per: str | None = declare(
        Choice(PERIODS, noun="period"),
        "The period a count, amount or total time is measured over (`3` mistakes `per: quarter`). A `workday` "
        "counts the workspace's `workdays_per_year`.",
        "quarter",
    )
    hands_on: bool | None = declare(
        Flag(),
        "For a duration: is it people's hands-on work time (`true`: the time saved is hours saved) or downtime, "
        "waiting or lead time (`false`: reported, no hours saved)? Required with `per`; default `true` otherwise.",
        True,
        required_note="for a duration with `per`",
    )
    each: Each | None = declare(
        EachCost(),
        "What one occurrence of a count costs: hands-on time (`45 minutes`) or money (`400 EUR`); needs `per`. "
        "It turns fewer occurrences into hours or money saved a year.",
        "45 minutes",
    )
    basis: str = declare(
        Choice(BASES, noun="basis"),
        "`measured` or `estimated`; totals keep the two apart.",
        absent="measured",
    )
    source: str | None = declare(
        Text(300), "Where the numbers come from.", "Change records, median of 2026-Q2 vs 2026-Q3"
    )
    accept: tuple[str, ...] = declare(
        ListOf(Choice(METRIC_CODES, noun="metric warning code", form="a metric's warning code"), 20),
        "Plausibility-warning codes the authors checked and accept for this metric (see Plausibility warnings).",
        ["large-factor"],
    )
    line: int = located(lambda node: node.line)
    # Where each of the metric's fields stands in the file (line, column), for warnings.
    places: dict[str, tuple[int, int]] = located(places_of, default_factory=dict, compare=False)


METRIC = record(Metric, "metric", METRIC_RULES)


@declared
class Quote:
    text: str = declare(Text(500), "What was said.", "We stopped dreading Fridays.", required=True)
    by: str | None = declare(Text(120), "Who said it.", "Storage on-call engineer")


QUOTE = record(Quote, "quote")


@declared
class Link:
    title: str = declare(Text(200), "The link text.", "Playbook repository", required=True)
    url: str = declare(
        Url(),
        "Where it points: `https`, `http` or `mailto` only.",
        "https://git.example.com/storage/zoning",
        required=True,
    )


LINK = record(Link, "link")


@declared
class Image:
    path: Path = declare(
        FilePath(),
        "PNG or JPEG file, relative to the story file, inside the workspace.",
        "images/zoning-dashboard.png",
        required=True,
    )
    alt: str = declare(
        Text(300),
        "What the image shows, for readers who cannot see it.",
        "Dashboard of zoning request times falling from 50 to 20 minutes",
        required=True,
    )
    caption: str | None = declare(Text(300), "A caption printed under the image.", "Request time, last six months")


IMAGE = record(Image, "image")


@dataclass(frozen=True)
class QuarterOrDate:
    """A story names its quarter, or its go-live date, which gives the quarter (the typed
    story always has one); when both are given they must agree."""

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str) -> None:
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
        elif isinstance(date, dt.date) and "quarter" not in values:
            values["quarter"] = str(Quarter.of_date(date, ctx.fiscal_year_start))

    def schema(self) -> Sequence[dict[str, Any]]:
        # That `date` falls in `quarter` cannot be said in JSON Schema: the quarter of a date
        # depends on the workspace's fiscal_year_start.
        return [{"anyOf": [{"required": ["quarter"]}, {"required": ["date"]}]}]


@dataclass(frozen=True)
class DeliveredHasMetrics:
    """A delivered story (the default status) has at least one metric."""

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str) -> None:
        status = values.get("status", STORY.field("status").default)  # a bad status is reported already
        metrics = node.entries.get("metrics")
        empty = values.get("metrics", []) == []  # absent, empty (`metrics:`) or `[]`
        if status == "delivered" and empty:
            ctx.problem(
                metrics or node,
                "metrics",
                "a delivered story needs at least one metric (before and after); or set `status: in-progress`",
            )

    def schema(self) -> Sequence[dict[str, Any]]:
        return [
            {
                "if": {"properties": {"status": {"const": "in-progress"}}, "required": ["status"]},
                "else": {"required": ["metrics"], "properties": {"metrics": {"minItems": 1}}},
            }
        ]


NAME = Text(100)


@declared
class Story:
    id: str
    file: str  # relative to the workspace, POSIX separators
    title: str = declare(Text(120), "The improvement, in a few words.", "Automated SAN switch zoning", required=True)
    summary: str = declare(
        Text(300),
        "The one-line headline an executive reads.",
        "Zoning requests now run through a reviewed playbook instead of hand-typed switch commands.",
        required=True,
    )
    quarter: Quarter = declare(
        Text(
            7,
            pattern=QUARTER_PATTERN.pattern[1:-1],
            pattern_hint="is not a quarter; write it as YYYY-Qn from 2000-Q1 to 2099-Q4, e.g. 2026-Q3",
            form="`YYYY-Qn`, n in 1..4, 2000-Q1..2099-Q4",
        ),
        "Fiscal quarter `YYYY-Qn` in which it was delivered; may be left out when `date` is given.",
        "2026-Q3",
        required_note="yes, unless `date` is given",
        convert=Quarter.parse,  # QuarterOrDate fills it in from `date`
    )
    date: dt.date | None = declare(
        Date(),
        "Go-live date; gives the quarter when `quarter` is missing, and must agree with it when both are given.",
        "2026-08-14",
    )
    team: str = declare(NAME, "The team that owns the story.", "Storage Operations", required=True)
    owners: tuple[str, ...] = declare(ListOf(NAME, 20), "People who did the work.", ["Priya Raman"])
    partners: tuple[str, ...] = declare(
        ListOf(NAME, 20),
        "Other teams that took part; this is how cross-functional collaboration is counted.",
        ["Security Engineering", "Application Hosting"],
    )
    category: str = declare(
        Choice(source="categories", noun="category"),
        "The kind of innovation: a key of the workspace's `categories` (default: `automation`, "
        "`proactive-problem-management`, `collaboration`, `process`).",
        "automation",
        required=True,
    )
    status: str = declare(
        Choice(STATUSES, noun="status"),
        "`delivered`, or `in-progress` to keep it out of delivered totals.",
        absent="delivered",
    )
    impact: tuple[str, ...] = declare(
        ListOf(Choice(source="outcomes", noun="outcome"), 6),
        "Business outcomes it serves: keys of the workspace's `outcomes` (default: `time-to-market`, `reliability`, "
        "`resilience`, `cost`, `security`, `experience`).",
        ["time-to-market", "reliability"],
    )
    tags: tuple[str, ...] = declare(ListOf(Text(40), 20), "Short words for searching and grouping.", ["san", "ansible"])
    effort_hours: float | None = declare(
        Number(exclusive_minimum=0, maximum=1_000_000), "Hours it took to build; gives payback time.", 120
    )
    problem: str = declare(
        Markdown(20_000),
        "What hurt before (Markdown).",
        "Every zoning request meant typing aliases and zones by hand on two fabrics.",
        required=True,
    )
    solution: str | None = declare(
        Markdown(20_000),
        "What was done (Markdown).",
        "We wrote an **Ansible** playbook that reads the request and applies it to both fabrics.",
    )
    outcome: str = declare(
        Markdown(20_000), "What is better now (Markdown).", "Requests are closed the same day.", required=True
    )
    metrics: tuple[Metric, ...] = declare(
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
    )
    quote: Quote | None = declare(
        QUOTE,
        "A sentence from someone the change helped.",
        {"text": "We stopped dreading Fridays.", "by": "Storage on-call engineer"},
    )
    links: tuple[Link, ...] = declare(
        ListOf(LINK, 20),
        "Further reading.",
        [{"title": "Playbook repository", "url": "https://git.example.com/storage/zoning"}],
    )
    accept: tuple[str, ...] = declare(
        ListOf(Choice(STORY_CODES, noun="warning code", form="warning code"), 20),
        "Plausibility-warning codes the authors checked and accept for the whole story and its metrics "
        "(see Plausibility warnings).",
        ["duplicate-title"],
    )
    images: tuple[Image, ...] = declare(
        ListOf(IMAGE, 10),
        "Screenshots or photos.",
        [{"path": "images/zoning-dashboard.png", "alt": "Zoning request times falling from 50 to 20 minutes"}],
    )
    # Where each top-level field stands in the file (line, column), for warnings.
    places: dict[str, tuple[int, int]] = located(places_of, default_factory=dict, compare=False)

    @property
    def delivered(self) -> bool:
        return self.status == "delivered"


STORY = record(Story, "story", QuarterOrDate(), DeliveredHasMetrics())
