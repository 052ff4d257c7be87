"""Text of the files `storyteller init` and `storyteller new` create (the CLI writes them)."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from typing import Any

import yaml

from storyteller.figures.periods import Quarter
from storyteller.format.config import BRAND, CONFIG
from storyteller.format.placeholders import PROMPTS, TEAM
from storyteller.format.record import Field

SCHEMA_FILE = "story.schema.json"


def slugify(title: str) -> str:
    """`Automated SAN zoning (v2)!` -> `automated-san-zoning-v2`; empty if nothing is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:60].rstrip("-")


def yaml_inline(value: Any) -> str:
    """``value`` as one line of YAML, quoted where YAML would misread it (`'NO'`, `'#1f4e79'`)."""
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000)
    return dumped.strip().removesuffix("...").strip()


def _value(value: Any) -> str:
    return "" if value is None else " " + yaml_inline(value)


def _comment(text: str, indent: str) -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(text, 86 - len(indent))]


def _setting(field: Field, indent: str = "") -> list[str]:
    lines = _comment(field.description, indent)
    if field.name == "brand":
        lines.append(f"{indent}brand:")
        for sub in BRAND.fields:
            lines.extend(_setting(sub, indent + "  "))
        return lines
    if isinstance(field.default, dict):
        lines.append(f"{indent}{field.name}:")
        lines.extend(f"{indent}  {key}: {label}" for key, label in field.default.items())
        return lines
    if field.default is None:
        lines.append(f"{indent}{field.name}:{'':<1}# none (example: {field.example})")
        return lines
    default = f'"{field.default}"' if str(field.default).startswith("#") else _value(field.default).strip()
    lines.append(f"{indent}{field.name}: {default}")
    return lines


def config_text() -> str:
    """storyteller.yaml with every key present, commented, at its default."""
    lines = [
        "# storyteller workspace settings. Every key is optional; these are the defaults.",
        "# Reference: docs/story-format.md in the storyteller repository.",
        "",
    ]
    for field in CONFIG.fields:
        lines.extend(_setting(field))
        lines.append("")
    return "\n".join(lines)


GITIGNORE = "# Built reports and exports; rebuild them with `storyteller build`.\noutput/\n"


def story_text(
    title: str, *, team: str, category: str, quarter: Quarter, schema_path: str, example: bool = False
) -> str:
    """A commented story. ``example`` fills it in as a delivered story to learn from;
    otherwise it is an in-progress skeleton that validates until the metrics are in."""
    head = f"# yaml-language-server: $schema={schema_path}\n"
    quoted = _value(title).strip()
    if example:
        return head + _example_story(quoted, team, category, quarter)
    team_line = _value(team).strip() + ("  # TODO: the team that owns the story" if team == TEAM else "")
    return head + _skeleton_story(quoted, team_line, category, quarter)


def _example_story(quoted: str, team: str, category: str, quarter: Quarter) -> str:
    """A delivered story to learn from."""
    return textwrap.dedent(f"""\
            # An example story: copy it, or run `storyteller new "Title"` for a fresh one.
            title: {quoted}
            summary: Servers are built from a reviewed template in 20 minutes instead of two days of tickets.
            quarter: {quarter}
            team: {team}
            owners: [Alex Kim]
            partners: [Security Engineering]
            category: {category}
            status: delivered
            impact: [time-to-market]
            effort_hours: 80

            problem: |
              Every new server took a ticket to four teams and about **3 hours** of hands-on work.
            solution: |
              A pipeline builds the server from a reviewed template and registers it in monitoring.
            outcome: |
              Hands-on time is down to 20 minutes, and no server has been built without backups since.

            metrics:
              - name: Hands-on time per server build
                unit: minutes
                before: 180
                after: 20
                frequency: 15 per month   # how often it happens: gives yearly hours saved
                basis: measured           # or estimated
                source: Ticket timestamps, median of the last quarter
            """)


def _skeleton_story(quoted: str, team: str, category: str, quarter: Quarter) -> str:
    """An in-progress story with every field to fill in, that validates until the metrics are in.
    Its prompts start with TODO: (placeholders.py), so the `placeholder` warning and the report
    find every one left in."""
    return textwrap.dedent(f"""\
        title: {quoted}
        # The one-line headline an executive reads (at most 300 characters).
        summary: "{PROMPTS["summary"]}"
        quarter: {quarter}
        team: {team}
        # owners: [Your Name]
        # partners: [Other Team]          # teams that took part
        category: {category}
        # Starts as in-progress; set `delivered` once the metrics below are measured.
        status: in-progress
        # impact: [time-to-market, reliability]
        # effort_hours: 40                # hours it took to build: gives payback time

        problem: |
          {PROMPTS["problem"]}
        solution: |
          {PROMPTS["solution"]}
        outcome: |
          {PROMPTS["outcome"]}

        metrics: []
        #  - name: Hands-on time per request
        #    unit: minutes                 # seconds, hours, days, percent, count, USD, tickets...
        #    before: 50
        #    after: 20
        #    frequency: 40 per month       # how often (per workday, week...): gives yearly hours saved
        #    basis: measured               # or estimated
        #    source: "{PROMPTS["source"]}"
        #  - name: Disk-full incidents     # a count, with what one occurrence costs
        #    unit: count
        #    per: month
        #    before: 14
        #    after: 2
        #    better: lower
        #    each: 45 minutes              # hands-on time each, or an amount such as 400 EUR
        """)
