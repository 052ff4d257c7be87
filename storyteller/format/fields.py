"""Field types: each one converts a located YAML node, describes itself for the docs and
emits its JSON Schema, so the validator, `storyteller schema` and docs/story-format.md
all come from the same declaration (record.py joins them into records; story.py and
config.py declare the fields)."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
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


# Characters a one-line field must not hold: controls, and the bidi controls that can make
# text read differently from how it is stored ("Trojan Source").
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


_SUSPECT = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{_BIDI}]")


def _bad_character(text: str, one_line: bool) -> str | None:
    for match in _SUSPECT.finditer(text):  # most text has none: one regex scan, no per-char loop
        char = match.group()
        if char in "\n\t" and not one_line:
            continue
        if char == "\n":
            return "a line break"
        if char in "\u2028\u2029":
            return f"the line separator U+{ord(char):04X}"
        if char in _BIDI:
            if one_line:
                return f"the bidirectional control U+{ord(char):04X}"
            continue
        if "\ud800" <= char <= "\udfff":
            return f"the lone surrogate U+{ord(char):04X}"
        return f"the control character U+{ord(char):04X}"
    return None


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
            hint = "; keep it on one line" if bad == "a line break" else "; remove it"
            return ctx.problem(node, where, f"contains {bad}{hint}")
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


# Bounds every figure derived from story numbers far below float overflow.
MAX_MAGNITUDE = 1e12

_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+")
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
        value: float | int
        if re.fullmatch(r"[-+]?[0-9]+", text):
            value = int(text)
        else:
            value = float(text)
            if not math.isfinite(value):
                return ctx.problem(node, where, f"`{text}` is too large; write a finite number")
        if abs(value) > MAX_MAGNITUDE:
            return ctx.problem(node, where, f"{text} is too large; the limit is {MAX_MAGNITUDE:,.0f}")
        if self.integer and not float(value).is_integer():
            return ctx.problem(node, where, f"must be a whole number, found {text}")
        if self.integer:
            value = int(value)
        return self.check_range(value, node, where, ctx)

    def check_range(self, value: float, node: Node, where: str, ctx: Context) -> Any:
        if self.minimum is not None and value < self.minimum:
            return ctx.problem(node, where, f"must be at least {_num(self.minimum)}, found {_num(value)}")
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            return ctx.problem(node, where, f"must be greater than {_num(self.exclusive_minimum)}, found {_num(value)}")
        if self.maximum is not None and value > self.maximum:
            return ctx.problem(node, where, f"must be at most {_num(self.maximum)}, found {_num(value)}")
        return value

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
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.exclusive_minimum is not None:
            schema["exclusiveMinimum"] = self.exclusive_minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema


def _num(value: float) -> str:
    return f"{value:g}"


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


@dataclass(frozen=True)
class Date(Type):
    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        scalar = _scalar(node, where, ctx, "a date like 2026-07-15")
        if isinstance(scalar, _Invalid):
            return INVALID
        text = scalar.value.strip()
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if not match:
            return ctx.problem(
                node, where, f'"{printable(text)}" is not a date; write it as YYYY-MM-DD, e.g. 2026-07-15'
            )
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as error:
            return ctx.problem(node, where, f"{text} is not a real date ({error}); check the day and month")

    def describe(self) -> str:
        return "date `YYYY-MM-DD`"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"}


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
