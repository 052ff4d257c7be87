"""Synthetic workspaces for the benchmark: N valid stories with realistic variety.

Deterministic (seeded): the same size always gives the same files, so runs compare. Every
story is in fiscal year 2026, spread over its four quarters, and the benchmark builds the
annual review (``--year 2026``): one report that holds all N stories, which is the point
of measuring at 1,000. Each story has three metrics and about 150 words of narrative.

    python bench/workspace.py FOLDER COUNT
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

YEAR = 2026
CATEGORIES = ("automation", "proactive-problem-management", "collaboration", "process")
OUTCOMES = ("time-to-market", "reliability", "resilience", "cost", "security", "experience")
TEAMS = (
    "Storage Operations",
    "Network Engineering",
    "Service Desk",
    "Database Administration",
    "Cloud Platform",
    "Linux Operations",
    "Windows Operations",
    "Observability",
    "Identity and Access",
    "Backup and Recovery",
    "Data Centre Facilities",
    "Release Management",
)
PEOPLE = (
    "Priya Raman",
    "Ahmed Saleh",
    "Oliver Grant",
    "Mei Tanaka",
    "Lucas Moreau",
    "Amara Okafor",
    "Jonas Berg",
    "Sofia Rossi",
    "Daniel Kim",
    "Fatima Zahra",
    "Tomás Silva",
    "Hannah Weiss",
)
SUBJECTS = (
    "certificate renewal",
    "firewall rule request",
    "VM provisioning",
    "SAN zoning",
    "DNS record change",
    "backup verification",
    "patch rollout",
    "log rotation",
    "capacity forecast",
    "access request",
    "alert triage",
    "shift handover",
    "database failover test",
    "load balancer change",
    "storage expansion",
    "schema change review",
    "incident review",
    "config drift check",
    "cost report",
    "on-call escalation",
)
ACTIONS = ("Automated", "Self-service", "Standardised", "Faster", "Safer", "Reviewed", "Scheduled", "Proactive")
VERBS = ("wrote", "built", "introduced", "agreed", "rolled out", "replaced", "documented", "tested")
TOOLS = ("an Ansible playbook", "a pipeline", "a runbook", "a dashboard", "a request form", "a script", "a checklist")
UNITS_WORDS = ("tickets", "servers", "GB", "alerts", "changes", "incidents")
CURRENCIES = ("USD", "EUR")
FILLER = (
    "The work was done in small steps, each reviewed by a second engineer before it reached production.",
    "Nobody had a full picture of the process, so every engineer did it a little differently.",
    "Requests often waited in the queue until someone with the right access was on shift.",
    "Mistakes were rare but expensive, and each one meant an evening of clean-up for the on-call engineer.",
    "We measured the time spent on each request from the ticket history over two full quarters.",
    "The partner teams reviewed the design and agreed on the checks that must pass before a change goes live.",
    "Documentation now lives next to the code, and the wiki page only links to it.",
    "The old procedure is retired, and the last manual step was removed after a month of running both side by side.",
    "Feedback from the people who file the requests was collected in a short survey after each change.",
    "Most of the saved time goes back into the backlog of problems we never had time to fix.",
    "A `--check` run shows the planned change before anything is touched, so reviews are quick.",
    "Edge cases still reach a person, but they are now the exception rather than the rule.",
)


def _paragraph(rng: random.Random, lead: str, words: int) -> str:
    sentences = [lead]
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(rng.choice(FILLER))
    lines, line = [], ""
    for word in " ".join(sentences).split():
        if len(line) + len(word) + 1 > 84:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(f"  {text}" for text in lines)


def _metric(name: str, unit: str, before: int, after: int, **fields: object) -> str:
    lines = [f"  - name: {name}", f"    unit: {unit}", f"    before: {before}", f"    after: {after}"]
    return "\n".join(lines + [f"    {key}: {value}" for key, value in fields.items()])


def _metrics(rng: random.Random, subject: str, index: int) -> list[str]:
    """Three metrics: a hands-on duration with a frequency, then two of a varied mix."""
    before = rng.randint(20, 120)
    per = rng.choice(("day", "week", "month", "quarter"))
    count = {"day": rng.randint(1, 8), "week": rng.randint(2, 30), "month": rng.randint(5, 200), "quarter": 40}[per]
    items = [
        _metric(
            f"Hands-on time per {subject} ({index})",
            "minutes",
            before,
            rng.randint(2, before - 5),
            frequency=f"{count} per {per}",
            basis="estimated" if rng.random() < 0.3 else "measured",
            source="Ticket history, two quarters before and after",
        )
    ]
    for kind in rng.sample(("wait", "count", "percent", "money", "word"), 2):
        if kind == "wait":
            b = rng.randint(4, 72)
            items.append(_metric(f"Waiting time until the {subject} is done", "hours", b, rng.randint(0, b - 1)))
        elif kind == "count":
            b = rng.randint(1, 12)
            a = rng.randint(0, b) if rng.random() < 0.9 else b + rng.randint(1, 3)  # now and then a regression
            per = rng.choice(("month", "quarter"))
            items.append(_metric(f"Failed {subject} attempts", "count", b, a, per=per, better="lower"))
        elif kind == "percent":
            b = rng.randint(40, 90)
            share = f"Share of {subject} requests done the same day"
            items.append(_metric(share, "percent", b, rng.randint(b, 100), better="higher"))
        elif kind == "money":
            b = rng.randint(500, 9000)
            name, unit = f"Licence and support cost of the {subject} tooling", rng.choice(CURRENCIES)
            basis = "estimated" if rng.random() < 0.3 else "measured"
            items.append(_metric(name, unit, b, rng.randint(0, b), per="month", basis=basis))
        else:
            word = rng.choice(UNITS_WORDS)
            b = rng.randint(10, 400)
            name = f"{word.capitalize()} touched by hand for {subject}"
            items.append(_metric(name, word, b, rng.randint(0, b), per="month", better="lower"))
    return items


def story(rng: random.Random, index: int) -> tuple[str, str]:
    """One story: (file name, YAML text)."""
    subject = rng.choice(SUBJECTS)
    quarter = index % 4 + 1
    title = f"{rng.choice(ACTIONS)} {subject} {index + 1}"
    team = rng.choice(TEAMS)
    partners = rng.sample([t for t in TEAMS if t != team], rng.choice((0, 0, 1, 2)))
    status = "in-progress" if rng.random() < 0.08 else "delivered"
    lines = [
        f"title: {title}",
        f"summary: The {subject} now runs through {rng.choice(TOOLS)}, with fewer steps and fewer mistakes.",
        f"quarter: {YEAR}-Q{quarter}",
        f"team: {team}",
        f"owners: [{', '.join(rng.sample(PEOPLE, rng.randint(1, 3)))}]",
    ]
    if partners:
        lines.append(f"partners: [{', '.join(partners)}]")
    lines += [
        f"category: {CATEGORIES[index % len(CATEGORIES)] if rng.random() < 0.7 else rng.choice(CATEGORIES)}",
        f"status: {status}",
        f"impact: [{', '.join(rng.sample(OUTCOMES, rng.randint(1, 3)))}]",
        f"tags: [{subject.split()[0].lower()}, bench]",
    ]
    if rng.random() < 0.7:
        lines.append(f"effort_hours: {rng.randint(8, 400)}")
    lines += [
        "",
        "problem: |",
        _paragraph(rng, f"Every {subject} used to take **{rng.randint(15, 90)} minutes** of hands-on work.", 60),
        "solution: |",
        _paragraph(rng, f"We {rng.choice(VERBS)} {rng.choice(TOOLS)} for the {subject}.", 45),
        "outcome: |",
        _paragraph(rng, f"A {subject} now takes **{rng.randint(2, 14)} minutes**, and fewer need a second try.", 35),
        "",
        "metrics:",
        *_metrics(rng, subject, index + 1),
    ]
    if rng.random() < 0.3:
        lines += ["", "quote:", f"  text: We no longer dread the {subject}.", f"  by: {rng.choice(TEAMS)} engineer"]
    if rng.random() < 0.4:
        lines += ["", "links:", "  - title: Runbook", f"    url: https://wiki.example.com/ops/{index + 1}"]
    return f"{YEAR}-Q{quarter}/story-{index + 1:04d}.yaml", "\n".join(lines) + "\n"


CONFIG = """\
# A synthetic workspace made by bench/workspace.py for the benchmark.
organization: Benchmark Logistics
currency: USD
hourly_rate: 95
brand:
  primary: "#0f4c5c"
"""


def generate(root: Path, count: int, seed: int = 6) -> Path:
    """Write a workspace of ``count`` stories into ``root`` (created); returns ``root``."""
    rng = random.Random(seed)
    (root / "stories").mkdir(parents=True, exist_ok=True)
    (root / "storyteller.yaml").write_text(CONFIG, encoding="utf-8")
    for index in range(count):
        name, text = story(rng, index)
        path = root / "stories" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[2].isdigit():
        sys.exit("usage: python bench/workspace.py FOLDER COUNT")
    print(generate(Path(sys.argv[1]), int(sys.argv[2])))
