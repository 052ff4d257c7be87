"""The digest as a Slack Block Kit message (`{"blocks": [...]}`), ready for an incoming
webhook or chat.postMessage; storyteller posts nothing itself.

It keeps within Slack's documented limits: at most 50 blocks, 3,000 characters in a text
field (2,000 in a section's field, 150 in a header). A text that would pass a limit is
shortened with an ellipsis, and a last line says so. Slack's mrkdwn has no escape for `*`,
`_`, `~` and backticks, so in story text each gets a zero-width joiner after it, which
keeps it from pairing with another into formatting; `&`, `<` and `>` are escaped as Slack asks.
"""

from __future__ import annotations

import json
from typing import Any

from storyteller.report.brief import ELLIPSIS, Brief, Card

MAX_BLOCKS = 50
MAX_TEXT = 3000  # a section's text, a context element
MAX_FIELD = 2000  # one of a section's fields
MAX_HEADER = 150  # a header block's plain text
WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """Story text as plain text in Slack mrkdwn, on one line."""
    flat = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for mark in "*_~`":
        flat = flat.replace(mark, mark + WORD_JOINER)
    return flat


class _Limits:
    """Shortens texts to Slack's limits and remembers whether it had to."""

    def __init__(self) -> None:
        self.shortened = False

    def fit(self, text: str, most: int) -> str:
        if len(text) <= most:
            return text
        self.shortened = True
        return text[: most - 1].rstrip() + ELLIPSIS


def _card(card: Card) -> str:
    arrow = {"up": "↑ ", "down": "↓ "}.get(card.direction, "")
    trend = f"\n{arrow}{escape(card.trend)}" if card.trend else ""
    return f"*{escape(card.label)}*\n{escape(card.value)}{trend}"


def blocks(item: Brief) -> list[dict[str, Any]]:
    """The message's blocks, within Slack's limits."""
    limits = _Limits()

    def mrkdwn(text: str, most: int = MAX_TEXT) -> dict[str, Any]:
        return {"type": "mrkdwn", "text": limits.fit(text, most)}

    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": mrkdwn(text)}

    header = " ".join(f"{item.organization}: {item.period_label} at a glance".split())
    found: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": limits.fit(header, MAX_HEADER), "emoji": False}},
        {"type": "context", "elements": [mrkdwn(f"{escape(item.title)} · {escape(item.period_dates)}")]},
        {"type": "section", "fields": [mrkdwn(_card(c), MAX_FIELD) for c in item.cards]},
    ]
    money = item.cards[0]
    realised = item.realised
    lines = [f"{escape(money.label)}: {escape(money.note)}."] if money.note else []
    lines.append(
        f"*{escape(realised.label)}: {escape(realised.value)}*"
        + (f" ({escape(realised.note)})" if realised.note else "")
        + ". The key figures are yearly run-rates."
    )
    if item.other_currency:
        lines.append(f"Also saved in other currencies, not converted: {escape(item.other_currency)} a year.")
    found += [section("\n".join(lines)), {"type": "divider"}]
    if item.wins:
        wins = []
        for n, w in enumerate(item.wins, start=1):
            line = f"{n}. *{escape(w.title)}*"
            if w.measure:
                line += f": {escape(w.measure)} {escape(w.before)} → {escape(w.after)} ({escape(w.result)})"
            wins.append(f"{line}; {escape(w.figure)}" if w.figure else line)
        found.append(section("*Top wins*\n" + "\n".join(wins)))
    else:
        found.append(section(f"No delivered story of {escape(item.period_label)} saves time or money yet."))
    if item.beyond:
        beyond = [f"• *{escape(b.metric)}*: {escape(b.text)} ({escape(b.story)})" for b in item.beyond]
        found.append(section("*Beyond hours*\n" + "\n".join(beyond)))
    pointer = f"Full report, with every story and the formula behind each figure: `{item.report_file}`"
    found.append({"type": "context", "elements": [mrkdwn(pointer)]})
    if limits.shortened:
        note = f"Some text was shortened ({ELLIPSIS}) to fit Slack's limits; the report has it whole."
        found.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    assert len(found) <= MAX_BLOCKS  # a fixed handful: the brief never grows with the stories
    return found


def to_slack(item: Brief) -> str:
    """The message as JSON, for a webhook's body; ``text`` is what a notification shows."""
    fallback = " ".join(f"{item.organization}: {item.period_label} at a glance".split())
    return json.dumps({"text": fallback[:MAX_TEXT], "blocks": blocks(item)}, ensure_ascii=False, indent=2) + "\n"
