"""The digest as GitHub-flavoured Markdown: for a pull request comment, a GitHub Actions job
summary ($GITHUB_STEP_SUMMARY) or a Teams message.

Story text and the figures are escaped, so a title can neither format the message, open a
link, mention someone (`@team`) nor start a math formula (GitHub reads `$...$` as math).
"""

from __future__ import annotations

import re

from storyteller.report.brief import Brief

# Characters that Markdown (CommonMark, GFM tables, GitHub's mentions and math) gives a
# meaning to inside a line; a backslash before any ASCII punctuation makes it plain text.
_SPECIAL = re.compile(r"([\\`*_\[\]{}|~$#@!:])")


def escape(text: str) -> str:
    """``text`` as plain text on one line of GitHub-flavoured Markdown."""
    flat = " ".join(text.split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", flat)


def to_markdown(item: Brief) -> str:
    """The digest: the period, the four key figures with their trend, the realised benefit,
    the top wins as before -> after, the wins beyond hours and the full report's file."""
    lines = [
        f"### {escape(item.organization)}: {escape(item.period_label)} at a glance",
        "",
        f"*{escape(item.title)}, {escape(item.period_dates)}*",
        "",
        "| " + " | ".join(escape(c.label) for c in item.cards) + " |",
        "|" + "---:|" * len(item.cards),
        "| " + " | ".join(f"**{escape(c.value)}**" for c in item.cards) + " |",
    ]
    if any(c.trend for c in item.cards):
        lines.append("| " + " | ".join(escape(_trend(c.direction, c.trend)) for c in item.cards) + " |")
    lines.append("")
    money = item.cards[0]
    if money.note:
        lines += [f"{escape(money.label)}: {escape(money.note)}.", ""]
    realised = item.realised
    lines += [
        f"**{escape(realised.label)}: {escape(realised.value)}**"
        + (f" ({escape(realised.note)})" if realised.note else "")
        + ". The key figures are yearly run\\-rates.",
        "",
    ]
    if item.other_currency:
        lines += [f"Also saved in other currencies, not converted: {escape(item.other_currency)} a year.", ""]
    lines += ["#### Top wins", ""]
    if item.wins:
        lines += [
            f"{n}. {_win(w.title, w.measure, w.before, w.after, w.result, w.figure)}"
            for n, w in enumerate(item.wins, start=1)
        ]
    else:
        lines.append(f"No delivered story of {escape(item.period_label)} saves time or money yet.")
    lines.append("")
    if item.beyond:
        lines += ["#### Beyond hours", ""]
        lines += [f"- **{escape(b.metric)}**: {escape(b.text)} ({escape(b.story)})" for b in item.beyond]
        lines.append("")
    lines.append(f"Full report, with every story and the formula behind each figure: `{item.report_file}`")
    return "\n".join(lines) + "\n"


def _win(title: str, measure: str, before: str, after: str, result: str, figure: str) -> str:
    text = f"**{escape(title)}**"
    if measure:
        text += f": {escape(measure)} {escape(before)} → {escape(after)} ({escape(result)})"
    return f"{text}; {escape(figure)}" if figure else text


def _trend(direction: str, text: str) -> str:
    arrow = {"up": "↑ ", "down": "↓ "}.get(direction, "")
    return arrow + text if text else "–"
