"""Placeholder text: the prompts `storyteller new` writes into a story for its author to
replace. The scaffold writes them from here, the `placeholder` warning finds them, and the
report marks them, so all three agree on what a placeholder is."""

from __future__ import annotations

MARK = "TODO:"  # every prompt starts with it: an author sees what to replace, a search finds it

# The prompts of a new story, by field (scaffold.py writes them).
PROMPTS = {
    "summary": f"{MARK} one sentence on what is better now.",
    "problem": f"{MARK} what hurt before, and how often? (Markdown)",
    "solution": f"{MARK} what did the team do?",
    "outcome": f"{MARK} what is better now, for whom?",
    "source": f"{MARK} where the numbers come from",
}
TEAM = "Your team"  # what `new` writes when no team is given (its option's default)

# What earlier versions of `new` wrote: stories made with them still carry it.
_EARLIER = (
    "One sentence on what is better now.",
    "What hurt before, and how often? (Markdown)",
    "What did the team do?",
    "What is better now, for whom?",
    "Where the numbers come from",
)
_KNOWN = frozenset(" ".join(text.casefold().split()) for text in (*PROMPTS.values(), TEAM, *_EARLIER))


def is_placeholder(text: str | None) -> bool:
    """Whether ``text`` is a prompt left as it was written: a known one (in any case and
    spacing) or any text that starts with ``TODO:``."""
    if not text:
        return False
    words = " ".join(text.casefold().split())
    return words in _KNOWN or words.startswith(MARK.casefold())
