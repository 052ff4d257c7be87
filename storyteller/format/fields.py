"""Field types: each one converts a located YAML node, describes itself for the docs and
emits its JSON Schema, so the validator, `storyteller schema` and docs/story-format.md
all come from the same declaration (record.py joins them into records; story.py and
config.py declare the fields)."""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyteller.errors import Problem, printable
from storyteller.figures.units import edits
from storyteller.format.source import Map, Node, Scalar, Seq, describe


class _Invalid:
    """The value of a field that had a problem (already reported)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


@dataclass
class Context:
    """What conversion needs besides the node: where problems go and what the workspace allows."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    choices: dict[str, Sequence[str]] = field(default_factory=dict)
    base_dir: Path | None = None
    workspace: Path | None = None
    fiscal_year_start: int = 1
    source: str = ""  # the file's text, to place a problem at a character inside a value
    # Whether the files a value names (images, the logo) are checked on disk; `storyteller
    # verify` reads the stories attached to a PDF, whose images are not attached.
    named_files: bool = True

    def problem(self, node: Node | None, where: str, message: str) -> _Invalid:
        line, column = (node.line, node.column) if node is not None else (1, 1)
        self.problems.append(Problem(self.path, line, column, where, message))
        return INVALID


def closest(word: str, known: Sequence[str]) -> str | None:
    """The known word nearest to ``word`` (ignoring case), if it is near enough to be a typo."""
    if not known or not word:
        return None
    lowered = word.lower()

    def rank(candidate: str) -> tuple[int, int, float]:
        other = candidate.lower()
        prefix = next(
            (i for i, (x, y) in enumerate(zip(lowered, other, strict=False)) if x != y), min(len(lowered), len(other))
        )
        return edits(lowered, other), -prefix, -difflib.SequenceMatcher(None, lowered, other).ratio()

    best = min(known, key=rank)
    if edits(lowered, best.lower()) <= max(1, len(word) // 3):
        return best
    # Not a typo, but maybe a shortened or lengthened key (`automation` for `infra-automation`).
    similar = difflib.get_close_matches(lowered, [k.lower() for k in known], n=1, cutoff=0.75)
    return next(k for k in known if k.lower() == similar[0]) if similar else None


def suggest(word: str, known: Sequence[str], limit: int = 24) -> str:
    """'; did you mean `summary`?', or some of what is allowed."""
    close = closest(word, known)
    if close:
        return f"; did you mean `{close}`?"
    shown = ", ".join(f"`{k}`" for k in list(known)[:limit])
    more = f" and {len(known) - limit} more" if len(known) > limit else ""
    return f"; use one of: {shown}{more}"


def refused(node: Node) -> bool:
    """A node the reader already refused (a tag, an alias): report nothing more about it."""
    return isinstance(node, Scalar) and node.refused


class Type:
    """A field's type. Subclasses implement convert, describe and json."""

    # Said when an optional field is present but empty, where that is probably a mistake.
    empty_hint = ""
    # The typed attribute of a field of this type that the file leaves out.
    empty: Any = None

    def typed(self, value: Any, node: Node | None) -> Any:
        """The typed attribute of a converted value (a list becomes a tuple, a record its object)."""
        return value

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        raise NotImplementedError


def _scalar(node: Node, where: str, ctx: Context, wanted: str) -> Scalar | _Invalid:
    if isinstance(node, Scalar) and node.refused:
        return INVALID  # a tag or an alias: already reported where it stands
    if isinstance(node, Scalar) and not node.is_null:
        return node
    return ctx.problem(node, where, f"expected {wanted}, found {describe(node)}")


# Characters no text field may hold: controls; bidi controls and marks, which make text read
# differently from how it is stored ("Trojan Source": `Cost <RLO>000,005$<PDF>` shows as
# "$500,000"); Unicode tag characters, which are invisible; and emoji, which the PDF's fonts
# cannot draw (docs/security.md, "Text that changes what a reader sees").
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_TAGS = "\U000e0000-\U000e007f"
# Emoji: the supplementary block of pictographs (faces, flags, objects) and the older symbols
# Unicode draws as emoji by default (Emoji_Presentation: ✅ ⭐ ⌛ ...). Inter has none of them
# and the PDF would show empty boxes.
_EMOJI = (
    "\U0001f000-\U0001faff\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653"
    "\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa"
    "\u26fd\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b"
    "\u2b1c\u2b50\u2b55"
)
_IS_EMOJI = re.compile(f"[{_EMOJI}]")
_SUSPECT = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{_BIDI}{_TAGS}{_EMOJI}]")
# More combining marks on one character than any written language stacks (Vietnamese uses 2,
# pointed Hebrew up to 4): 500 of them draw a bar across the page ("Zalgo" text).
MAX_COMBINING = 4
_MAY_COMBINE = re.compile("[\u0300-\U0010ffff]")  # no combining mark comes before U+0300


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char == "\n":
        return "a line break"
    if char in "\u2028\u2029":
        return f"the line separator {code}"
    if char in _BIDI:
        return f"the bidirectional control {code}"
    if "\U000e0000" <= char <= "\U000e007f":
        return f"the invisible tag character {code}"
    if _IS_EMOJI.match(char):
        return f"the emoji {code}, which the PDF cannot draw; write a word instead"
    if "\ud800" <= char <= "\udfff":
        return f"the lone surrogate {code}"
    return f"the control character {code}"


def _bad_character(text: str, one_line: bool) -> tuple[int, str, str] | None:
    """The first character (or run of combining marks) no text may hold: its index, the
    characters themselves (to find them in the file) and what they are."""
    for match in _SUSPECT.finditer(text):  # most text has none: one regex scan, no per-char loop
        char = match.group()
        if char in "\n\t" and not one_line:
            continue
        return match.start(), char, _describe(char)
    if _MAY_COMBINE.search(text) is None:
        return None
    run = 0
    for index, char in enumerate(text):
        run = run + 1 if unicodedata.category(char) in ("Mn", "Me") else 0
        if run > MAX_COMBINING:
            start = index - MAX_COMBINING
            return (
                start,
                text[start : index + 1],
                f"more than {MAX_COMBINING} combining marks on one character; keep at most {MAX_COMBINING}",
            )
    return None


def _closing_quote(source: str, start: int) -> int:
    """Where the double-quoted scalar opening at ``start`` ends (escapes skipped)."""
    index = start + 1
    while index < len(source):
        if source[index] == "\\":
            index += 2
        elif source[index] == '"':
            return index
        else:
            index += 1
    return len(source)


_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML (and libyaml's marks) count as line breaks


def locate(ctx: Context, node: Node, found: str) -> tuple[int, int]:
    """Line and column of ``found`` (characters of ``node``'s value) in the file: the file's
    text is searched from the node on. A double-quoted value may hold it as an escape
    (`\\u202e`), which is not searched for: the node's own position is given then."""
    if not ctx.source or not isinstance(node, Scalar):
        return node.line, node.column
    starts = [0, *(m.end() for m in _BREAK.finditer(ctx.source))]
    if node.line > len(starts):
        return node.line, node.column
    start = starts[node.line - 1] + node.column - 1
    end = _closing_quote(ctx.source, start) if node.style == '"' else len(ctx.source)
    at = ctx.source.find(found, start, end)
    if at < 0:
        return node.line, node.column
    line = bisect.bisect_right(starts, at)
    return line, at - starts[line - 1] + 1


@dataclass(frozen=True)
class Text(Type):
    max_length: int
    min_length: int = 1
    one_line: bool = True
    pattern: str | None = None
    pattern_hint: str = ""
    form: str = ""  # how the docs describe a patterned text, e.g. "`YYYY-Qn`"
    empty_hint: str = ""

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        scalar = _scalar(node, where, ctx, "text")
        if isinstance(scalar, _Invalid):
            return INVALID
        # A plain scalar's value is exactly what the author typed: `NO` stays "NO".
        text = scalar.value.strip() if self.one_line else scalar.value.strip("\n")
        bad = _bad_character(text, self.one_line)
        if bad:
            _, found, what = bad
            hint = "; keep it on one line" if what == "a line break" else "" if "; " in what else "; remove it"
            line, column = locate(ctx, node, found)
            ctx.problems.append(Problem(ctx.path, line, column, where, f"contains {what}{hint}"))
            return INVALID
        if len(text) < self.min_length:
            return ctx.problem(node, where, "is empty; write some text")
        if self.pattern and not re.fullmatch(self.pattern, text):
            return ctx.problem(node, where, f'"{printable(text)}" {self.pattern_hint}')
        if len(text) > self.max_length:
            return ctx.problem(
                node,
                where,
                f"is {len(text)} characters long; the limit is {self.max_length}, shorten it",
            )
        return text

    def describe(self) -> str:
        if self.form:
            return self.form
        lines = "one line" if self.one_line else "Markdown"
        return f"text, {self.min_length}-{self.max_length} characters, {lines}"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "string",
            "minLength": self.min_length,
            "maxLength": self.max_length,
        }
        if self.pattern:
            schema["pattern"] = f"^(?:{self.pattern})$"
        elif self.one_line:
            schema["pattern"] = "^[^\\n]*$"
        return schema


# Every number is 0 or between MIN_MAGNITUDE and MAX_MAGNITUDE in size, with at most
# MAX_DIGITS significant digits: no real story meets these bounds, and within them every
# figure derived from story numbers (a factor, a payback time, a yearly total) is finite,
# non-zero where its inputs are, and far below float overflow (docs/story-format.md, Bounds).
MAX_MAGNITUDE = 1e12
MIN_MAGNITUDE = 1e-9
MAX_DIGITS = 15  # what a float keeps exactly; a 16th digit would be changed without a word

_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+")
_PARTS = re.compile(r"[-+]?([0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?)([0-9]+))?")


def _out_of_bounds(text: str) -> str | None:
    """What is wrong with the size or precision of the number ``text`` (matching _NUMBER),
    decided on its digits, before any conversion (int() refuses 4,301 digits, float() makes
    5e-324 a denormal and 1e400 infinity)."""
    parts = _PARTS.fullmatch(text)
    assert parts is not None
    whole, fraction, sign, exponent = parts[1], parts[2] or "", parts[3], parts[4] or "0"
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return None  # zero, however it is written
    power = exponent.lstrip("0") or "0"
    shift = (10**7 if len(power) > 6 else int(power)) * (-1 if sign == "-" else 1)
    order = len(whole.lstrip("0")) - 1 + shift if whole.lstrip("0") else shift - (len(fraction) - len(digits)) - 1
    shown = printable(text, limit=40)
    if order > 12 or (order == 12 and abs(float(text)) > MAX_MAGNITUDE):
        return f"{shown} is too large; the limit is {MAX_MAGNITUDE:,.0f} (10^12), use a larger unit"
    if order < -9:
        return f"{shown} is too small; a number is 0 or at least {MIN_MAGNITUDE:.9f} (10^-9), use a smaller unit or 0"
    significant = len(digits.rstrip("0"))
    if significant > MAX_DIGITS:
        return f"{shown} has {significant} significant digits; the limit is {MAX_DIGITS}, round it"
    return None


_BOOLEANS = frozenset(
    w for word in ("true", "false", "yes", "no", "on", "off", "y", "n") for w in (word, word.capitalize(), word.upper())
)


def _hint(text: str) -> str:
    """How to write a number as people often mistype it: `1,5` (a decimal comma), `1,500` (a
    thousands separator), `18 hours` (a unit in the number)."""
    if re.fullmatch(r"[-+]?[0-9]+,[0-9]+", text) and len(text.split(",")[1]) != 3:
        return f"; use a decimal point: {text.replace(',', '.')}"
    if re.fullmatch(r"[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", text):
        return f"; write it without the thousands separator: {text.replace(',', '')}"
    number = re.match(r"([-+]?[0-9]+(?:[.,][0-9]+)?)\s*(?:[^\W0-9_]|%)", text)  # a word or % after it
    if number and _NUMBER.fullmatch(number.group(1).replace(",", ".")):
        return f"; drop the unit: write {number.group(1).replace(',', '.')} (a metric's unit goes in `unit:`)"
    return ""


@dataclass(frozen=True)
class Number(Type):
    minimum: float | None = None
    exclusive_minimum: float | None = None
    maximum: float | None = None
    integer: bool = False

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        scalar = _scalar(node, where, ctx, "a number")
        if isinstance(scalar, _Invalid):
            return INVALID
        text = scalar.value.strip()
        if scalar.style != "":
            if _NUMBER.fullmatch(text):
                return ctx.problem(node, where, f"is a quoted number; remove the quotes: {text}")
            return ctx.problem(node, where, f'expected a number, found the text "{printable(text)}"{_hint(text)}')
        if text in _BOOLEANS:
            return ctx.problem(node, where, f"`{text}` is a yes/no value, not a number; write a number such as 20")
        if text.lower().lstrip("+-") in (".inf", ".nan", "inf", "nan", "infinity"):
            return ctx.problem(node, where, f"`{text}` is not a finite number; write a number such as 20")
        if re.fullmatch(r"[-+]?0[0-9]+(\.[0-9]*)?", text):
            return ctx.problem(
                node,
                where,
                f"`{text}` has a leading zero, which YAML 1.1 reads as octal; write "
                f"{text.lstrip('+-').lstrip('0') or '0'}",
            )
        if re.fullmatch(r"[-+]?[0-9]+(:[0-5]?[0-9])+(\.[0-9]*)?", text):
            return ctx.problem(
                node,
                where,
                f"`{text}` is a clock time, not a number; write it in one unit (1:30 -> 90 minutes)",
            )
        if not _NUMBER.fullmatch(text):
            return ctx.problem(node, where, f'expected a number, found the text "{printable(text)}"{_hint(text)}')
        bound = _out_of_bounds(text)
        if bound:  # the field's own range says it better where it refuses the number too
            return ctx.problem(node, where, self._range_problem(float(text)) or bound)
        value: float | int = int(text) if re.fullmatch(r"[-+]?[0-9]+", text) else float(text)
        assert math.isfinite(value)  # _out_of_bounds keeps it far from overflow
        if self.integer and not float(value).is_integer():
            return ctx.problem(node, where, f"must be a whole number, found {text}")
        if self.integer:
            value = int(value)
        return self.check_range(value, node, where, ctx)

    def check_range(self, value: float, node: Node, where: str, ctx: Context) -> Any:
        problem = self._range_problem(value)
        return value if problem is None else ctx.problem(node, where, problem)

    def _range_problem(self, value: float) -> str | None:
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {_num(self.minimum)}, found {_num(value)}"
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            return f"must be greater than {_num(self.exclusive_minimum)}, found {_num(value)}"
        if self.maximum is not None and value > self.maximum:
            return f"must be at most {_num(self.maximum)}, found {_num(value)}"
        return None

    def describe(self) -> str:
        kind = "whole number" if self.integer else "finite number"
        rules = []
        if self.minimum is not None:
            rules.append(f">= {_num(self.minimum)}")
        if self.exclusive_minimum is not None:
            rules.append(f"> {_num(self.exclusive_minimum)}")
        if self.maximum is not None:
            rules.append(f"<= {_num(self.maximum)}")
        return f"{kind} {' and '.join(rules)}".strip()

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if self.integer else "number"}
        schema["minimum"] = -MAX_MAGNITUDE if self.minimum is None else max(self.minimum, -MAX_MAGNITUDE)
        if self.exclusive_minimum is not None:
            schema["exclusiveMinimum"] = self.exclusive_minimum
        schema["maximum"] = MAX_MAGNITUDE if self.maximum is None else min(self.maximum, MAX_MAGNITUDE)
        if not self.integer:  # 0, or at least MIN_MAGNITUDE in size (the digits are not said)
            tiny = {"exclusiveMinimum": -MIN_MAGNITUDE, "exclusiveMaximum": MIN_MAGNITUDE, "not": {"const": 0}}
            schema["not"] = tiny
        return schema


def _num(value: float) -> str:
    return f"{value:.15g}"  # every digit a number may have: "at most 1000000, found 1000001", not 1e+06


_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")


@dataclass(frozen=True)
class Flag(Type):
    """`true` or `false`, as YAML 1.2 and JSON Schema read them (`yes` is text there)."""

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        scalar = _scalar(node, where, ctx, "`true` or `false`")
        if isinstance(scalar, _Invalid):
            return INVALID
        text = scalar.value.strip()
        if scalar.style == "" and text in _TRUE + _FALSE:
            return text in _TRUE
        if text.lower() in ("true", "false"):
            return ctx.problem(node, where, f"is a quoted yes/no value; remove the quotes: {text.lower()}")
        return ctx.problem(node, where, f'expected `true` or `false`, found "{printable(text)}"')

    def describe(self) -> str:
        return "`true` or `false`"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "boolean"}


@dataclass(frozen=True)
class Choice(Type):
    """One word from a fixed set, or from a set the workspace config defines (``source``)."""

    values: tuple[str, ...] = ()
    source: str = ""
    noun: str = "value"
    form: str = ""  # how the docs describe it, when listing every value would be too long

    def known(self, choices: dict[str, Sequence[str]]) -> Sequence[str]:
        return choices.get(self.source, ()) if self.source else self.values

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        if not isinstance(node, Scalar) or node.is_null:
            return ctx.problem(node, where, f"expected a {self.noun}, found {describe(node)}")
        text = Text(200).convert(node, where, ctx)  # controls and bidi characters first
        if isinstance(text, _Invalid):
            return INVALID
        known = self.known(ctx.choices)
        if text not in known:
            return ctx.problem(node, where, f"`{printable(text)}` is not a known {self.noun}{suggest(text, known)}")
        return text

    def describe(self) -> str:
        if self.form:
            return self.form
        if self.source:
            return f"a key of the workspace's `{self.source}`"
        return "one of " + ", ".join(f"`{v}`" for v in self.values)

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.known(choices))}


# Stories are about this century: every date and quarter falls in these years, so no
# quarter's first or last day, and no fiscal year, is ever outside what datetime can hold.
FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass(frozen=True)
class Date(Type):
    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        scalar = _scalar(node, where, ctx, "a date like 2026-07-15")
        if isinstance(scalar, _Invalid):
            return INVALID
        text = scalar.value.strip()
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text)  # ASCII digits only, like the schema
        if not match:
            return ctx.problem(
                node, where, f'"{printable(text)}" is not a date; write it as YYYY-MM-DD, e.g. 2026-07-15'
            )
        if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            return ctx.problem(node, where, f"{text} is outside {FIRST_YEAR}-01-01..{LAST_YEAR}-12-31; check the year")
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as error:
            return ctx.problem(node, where, f"{text} is not a real date ({error}); check the day and month")

    def describe(self) -> str:
        return f"date `YYYY-MM-DD`, {FIRST_YEAR}-01-01..{LAST_YEAR}-12-31"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": "^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"}


@dataclass(frozen=True)
class ListOf(Type):
    item: Type
    max_items: int
    min_items: int = 0
    empty = ()

    def typed(self, value: Any, node: Node | None) -> Any:
        nodes = node.items if isinstance(node, Seq) else [None] * len(value)
        return tuple(self.item.typed(v, n) for v, n in zip(value, nodes, strict=True))

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        if not isinstance(node, Seq):
            example = "[first, second]"
            return ctx.problem(
                node, where, f"expected a list, found {describe(node)}; write it as {example} or one `- item` per line"
            )
        if len(node.items) < self.min_items:
            return ctx.problem(node, where, f"needs at least {self.min_items} item(s)")
        if len(node.items) > self.max_items:
            return ctx.problem(node, where, f"has {len(node.items)} items; the limit is {self.max_items}")
        values = [
            INVALID if refused(item) else self.item.convert(item, f"{where}[{i}]", ctx)
            for i, item in enumerate(node.items)
        ]
        return INVALID if any(v is INVALID for v in values) else values

    def describe(self) -> str:
        return f"list of at most {self.max_items}: {self.item.describe()}"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "array",
            "items": self.item.json(choices),
            "maxItems": self.max_items,
        }
        if self.min_items:
            schema["minItems"] = self.min_items
        return schema


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping of keys to one-line labels (the workspace's categories and outcomes)."""

    value: Type
    key_pattern: str
    key_hint: str
    max_items: int = 30

    def typed(self, value: Any, node: Node | None) -> Any:
        return tuple(value.items())  # key -> label pairs, in the file's order

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        if not isinstance(node, Map):
            return ctx.problem(node, where, f"expected a mapping of key: label, found {describe(node)}")
        if not node.entries:
            return ctx.problem(
                node, where, "is empty; add at least one `key: Label` line, or remove it for the defaults"
            )
        if len(node.entries) > self.max_items:
            return ctx.problem(node, where, f"has {len(node.entries)} entries; the limit is {self.max_items}")
        result = {}
        for key, value in node.entries.items():
            if not re.fullmatch(self.key_pattern, key):
                ctx.problem(node.keys[key], f"{where}.{printable(key)}", f"`{printable(key)}` {self.key_hint}")
                continue
            result[key] = INVALID if refused(value) else self.value.convert(value, f"{where}.{key}", ctx)
        return INVALID if any(v is INVALID for v in result.values()) else result

    def describe(self) -> str:
        return "mapping of key -> label"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {
            "type": "object",
            "minProperties": 1,
            "maxProperties": self.max_items,
            "propertyNames": {"pattern": f"^(?:{self.key_pattern})$"},
            "additionalProperties": self.value.json(choices),
        }
