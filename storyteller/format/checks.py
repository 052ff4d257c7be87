"""Plausibility checks: figures that are valid but probably wrong, as warnings with a code.

A warning names ``path:line:column``, the field, what looks wrong and what to do about
it. Authors who have checked a figure accept its warning with ``accept: [code]`` on the
metric or on the story. Each check is declared in ``CHECKS`` below (its code, where it may
be accepted, what fires it and what to do), which the story's `accept` fields and the docs
read; the figures come from figures/metrics.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from storyteller.errors import Problem, printable
from storyteller.figures import units
from storyteller.figures.periods import QUARTER_PATTERN, Quarter
from storyteller.format.placeholders import is_placeholder
from storyteller.format.titles import title_key

if TYPE_CHECKING:  # the story declares its `accept` codes from CHECKS: it imports this module
    from storyteller.format.config import Config
    from storyteller.format.story import Metric, Story

LARGE_FACTOR = 50
LARGE_SAVING_FTE = 2


@dataclass(frozen=True)
class Check:
    """A plausibility check: its code, where it looks, and what to do when it fires."""

    code: str
    on: str  # "metric" or "story": where it is found, and so where `accept` may name it
    finds: str  # the condition, for the docs
    advice: str  # what to check or fix, for the docs and the warning
    acceptable: bool = True  # False: only fixing the story silences it (`accept` may not name it)


CHECKS = (
    Check(
        "large-factor",
        "metric",
        f"The factor (before / after, or after / before when higher is better) is above {LARGE_FACTOR}.",
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
        f"One metric saves more than {LARGE_SAVING_FTE} FTE ({LARGE_SAVING_FTE} x `hours_per_fte` hours) a year.",
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
        "placeholder",
        "story",
        "A text field (`summary`, `team`, `problem`, `solution`, `outcome`, a metric's `source`) is still a "
        "prompt that `storyteller new` wrote (it starts with `TODO:`, or is one such as `Your team`). "
        "It cannot be accepted.",
        "write the story's own text in its place",
        acceptable=False,
    ),
    Check(
        "duplicate-title",
        "story",
        "Another story has the same title (ignoring case, spaces, invisible characters, Unicode compatibility "
        "forms and Cyrillic or Greek letters that look Latin).",
        "give each story its own title, or merge the two stories",
    ),
)
STORY_CODES = tuple(c.code for c in CHECKS if c.acceptable)
METRIC_CODES = tuple(c.code for c in CHECKS if c.on == "metric" and c.acceptable)

ADVICE = {check.code: check.advice for check in CHECKS}
SCOPE = {check.code: check.on for check in CHECKS}
ACCEPTABLE = {check.code: check.acceptable for check in CHECKS}


@dataclass(frozen=True, order=True)
class Finding:
    """One plausibility warning at a place in a story file."""

    path: str
    line: int
    column: int
    field: str
    code: str
    detail: str  # what looks wrong, with the numbers

    @property
    def message(self) -> str:
        """What looks wrong, what to do, and how to accept it (where it may be accepted)."""
        if not ACCEPTABLE[self.code]:
            return f"{self.detail}; {ADVICE[self.code]}"
        return f"{self.detail}; {ADVICE[self.code]}, or accept it: `accept: [{self.code}]` on the {SCOPE[self.code]}"

    def __str__(self) -> str:
        # Escaped whole, as a Problem is: a file or folder name can hold an escape sequence.
        return printable(f"{self.path}:{self.line}:{self.column}: warning: {self.field}: {self.message}", limit=None)

    def as_problem(self) -> Problem:
        """The warning as an error, for ``--strict``."""
        return Problem(self.path, self.line, self.column, self.field, f"{self.message} [{self.code}]")

    def as_dict(self) -> dict[str, object]:
        return {**Problem(self.path, self.line, self.column, self.field, self.message).as_dict(), "code": self.code}


def plausibility(stories: Sequence[Story], config: Config, today: dt.date) -> list[Finding]:
    """Every warning for ``stories`` that they do not accept, sorted by file and line."""
    found: list[Finding] = []
    for story in stories:
        for index, metric in enumerate(story.metrics):
            found.extend(
                f
                for f in _metric_findings(story, index, metric, config)
                if f.code not in (*story.accept, *metric.accept)
            )
        found.extend(f for f in _story_findings(story, config, today) if f.code not in story.accept)
        found.extend(_placeholders(story))  # never accepted
    found.extend(_duplicate_titles(stories))
    return sorted(found)


def _num(value: float) -> str:
    return f"{units.round_half_away(value, 1):,.1f}".removesuffix(".0")  # half away from zero, as the report


def _metric_findings(story: Story, index: int, metric: Metric, config: Config) -> list[Finding]:
    from storyteller.figures.metrics import metric_figures  # imports the story, which imports CHECKS from here

    figures = metric_figures(metric, config)
    where = f"metrics[{index}]"
    start = (metric.line, 1)

    def finding(key: str, code: str, detail: str) -> Finding:
        line, column = metric.places.get(key, start)
        return Finding(story.file, line, column, f"{where}.{key}", code, detail)

    result = []
    if metric.before == metric.after:
        result.append(finding("after", "no-change", f"`after` equals `before` ({_num(metric.after)} {metric.unit})"))
    if figures.factor is not None and figures.factor > LARGE_FACTOR:
        result.append(
            finding(
                "after",
                "large-factor",
                f"the factor is {_num(figures.factor)}x ({_num(metric.before)} to {_num(metric.after)} "
                f"{metric.unit}), above {LARGE_FACTOR}",
            )
        )
    fte_hours = config.hours_per_fte
    saved = figures.yearly_hours_saved
    if saved is not None and saved > LARGE_SAVING_FTE * fte_hours:
        result.append(
            finding(
                "frequency",
                "large-saving",
                f"saves {_num(saved)} hours a year ({_num(saved / fte_hours)} FTE), more than {LARGE_SAVING_FTE} FTE "
                "from one metric",
            )
        )
    if units.family(metric.unit) is units.Family.DURATION and metric.frequency is not None:
        per_year = metric.frequency.times_a_year(config.workdays_per_year)
        spent = max(units.to_hours(metric.before, metric.unit), units.to_hours(metric.after, metric.unit)) * per_year
        capacity = config.team_size * fte_hours
        if spent > capacity:
            result.append(
                finding(
                    "frequency",
                    "team-capacity",
                    f"{_num(max(metric.before, metric.after))} {metric.unit} x {_num(per_year)} a year is "
                    f"{_num(spent)} hours a year, more than a team of {_num(config.team_size)} works "
                    f"({_num(capacity)} hours)",
                )
            )
    if metric.basis == "estimated" and not metric.source:
        result.append(finding("basis", "no-source", "an estimated metric has no `source`"))
    return result


def _story_findings(story: Story, config: Config, today: dt.date) -> list[Finding]:
    result = []
    quarter_at = story.places.get("quarter") or story.places.get("date") or (1, 1)
    current = Quarter.of_date(today, config.fiscal_year_start)
    if story.delivered and story.quarter > current:
        result.append(
            Finding(
                story.file,
                *quarter_at,
                "quarter",
                "future-quarter",
                f"the story is delivered in {story.quarter}, which has not started yet (today is {today.isoformat()})",
            )
        )
    elif story.delivered and story.date is not None and story.date > today:
        result.append(
            Finding(
                story.file,
                *story.places.get("date", (1, 1)),
                "date",
                "future-date",
                f"the story is delivered but goes live on {story.date.isoformat()}, after today ({today.isoformat()})",
            )
        )
    folder = next(
        (p for p in PurePosixPath(story.file).parent.parts[::-1] if QUARTER_PATTERN.match(p)),
        None,
    )
    if folder is not None and folder != str(story.quarter):
        result.append(
            Finding(
                story.file,
                *quarter_at,
                "quarter" if "quarter" in story.places else "date",
                "quarter-folder",
                f"the story is in {story.quarter} but sits in the folder {folder}/",
            )
        )
    return result


def _duplicate_titles(stories: Sequence[Story]) -> list[Finding]:
    by_title: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_title[title_key(story.title)].append(story)
    result = []
    for same in by_title.values():
        for story in same:
            if len(same) < 2 or "duplicate-title" in story.accept:
                continue
            others = ", ".join(s.file for s in same if s is not story)
            result.append(
                Finding(
                    story.file,
                    *story.places.get("title", (1, 1)),
                    "title",
                    "duplicate-title",
                    f"{others} has the same title",
                )
            )
    return result


PLACEHOLDER_FIELDS = ("summary", "team", "problem", "solution", "outcome")


def _placeholders(story: Story) -> list[Finding]:
    """A finding for each text field still holding a prompt of `storyteller new`."""
    places: list[tuple[str, str | None, tuple[int, int]]] = [
        (name, getattr(story, name), story.places.get(name, (1, 1))) for name in PLACEHOLDER_FIELDS
    ]
    places.extend(
        (f"metrics[{i}].source", m.source, m.places.get("source", (m.line, 1))) for i, m in enumerate(story.metrics)
    )
    return [
        Finding(
            story.file,
            *place,
            name,
            "placeholder",
            f"{_shown(text)} is placeholder text",
        )
        for name, text, place in places
        if text is not None and is_placeholder(text)
    ]


def _shown(text: str) -> str:
    words = " ".join(text.split())
    return f'"{words if len(words) <= 60 else words[:57] + "..."}"'
