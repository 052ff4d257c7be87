"""Field types that need more than a pattern: Markdown depth, frequencies, URLs, image files
(read and checked on disk), locales and currency codes (asked of Babel).

The generic types (text, numbers, choices, lists) are in fields.py; these know about the
story format's world, and some of them read files or import heavy libraries on demand.
"""

from __future__ import annotations

import os
import re
import stat
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyteller.errors import printable
from storyteller.figures import units
from storyteller.format.fields import INVALID, MAX_MAGNITUDE, Context, Text, Type, suggest
from storyteller.format.source import Node

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000  # a 6000 x 4000 photo; decoding one takes about 100 MB
MAX_MARKDOWN_DEPTH = 16  # nesting levels of lists, quotes, emphasis and links together
MAX_EVENTS = 1_000_000  # per period, for `frequency`
MIN_EVENTS = 0.001  # per period: once in 1,000 years


@dataclass(frozen=True)
class Rate:
    """`40 per month`: how often something happens."""

    count: float
    period: str

    def times_a_year(self, workdays_per_year: int = units.DEFAULT_WORKDAYS_PER_YEAR) -> float:
        """Occurrences a year; a `workday` rate needs the workspace's workdays_per_year."""
        return self.count * units.periods_per_year(self.period, workdays_per_year)

    def __str__(self) -> str:
        return f"{self.count:g} per {self.period}"


@dataclass(frozen=True)
class Each:
    """`each: 45 minutes` or `each: 400 EUR`: what one occurrence of a counted thing costs."""

    amount: float
    unit: str

    @property
    def is_money(self) -> bool:
        return units.family(self.unit) is units.Family.CURRENCY

    @property
    def hours(self) -> float | None:
        """The hands-on time of one occurrence in hours; None for money."""
        return None if self.is_money else units.to_hours(self.amount, self.unit)

    def export(self) -> dict[str, Any]:
        return {"value": self.amount, "unit": self.unit}

    def __str__(self) -> str:
        return f"{self.amount:g} {self.unit}"


PERIODS = units.PERIODS

# What may open a nesting level at the start of a line: quote and list markers.
_LINE_MARKERS = re.compile(r"[ \t]*(?:>[ \t]*|(?:[-+*]|[0-9]{1,9}[.)])(?=[ \t]|$)[ \t]*)*")
_MARKER = re.compile(r">|[-+*](?=[ \t]|$)|[0-9]{1,9}[.)](?=[ \t]|$)")


def _nesting_bound(text: str) -> int:
    """An upper bound of what markdown.depth(text) finds, cheap enough for every story.

    A block nests only through markers at the start of a line (each opens at most two
    levels: a list and its item) or through containers opened on earlier lines, which the
    line's indentation must reach (at least one column per level). Inline nesting needs an
    opening character per level: `*`, `_`, `[` or `<`, counted per paragraph."""
    block = 0
    for line in text.split("\n"):
        prefix = _LINE_MARKERS.match(line)
        assert prefix is not None  # the pattern matches the empty string
        head = prefix.group()
        indent = len(head.expandtabs(4)) - len(head.expandtabs(4).lstrip(" "))
        block = max(block, indent + 2 * len(_MARKER.findall(head)))
    inline = max(sum(part.count(c) for c in "*_[<") for part in text.split("\n\n"))
    return block + inline + 2


@dataclass(frozen=True)
class Markdown(Text):
    """Story text in Markdown, nested no deeper than MAX_MARKDOWN_DEPTH, so no story can
    make the renderer or the PDF layout descend hundreds of levels."""

    one_line: bool = False

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = super().convert(node, where, ctx)
        if text is INVALID or _nesting_bound(text) <= MAX_MARKDOWN_DEPTH:
            return text
        from storyteller.report.markdown import depth

        found = depth(text)
        if found > MAX_MARKDOWN_DEPTH:
            return ctx.problem(
                node,
                where,
                f"its Markdown nests {found} levels deep (lists in lists, quotes in quotes, emphasis in "
                f"links); the limit is {MAX_MARKDOWN_DEPTH}, flatten it",
            )
        return text


_PERIOD_WORDS = "|".join(PERIODS)


def _any_case(word: str) -> str:
    """A regular expression matching ``word`` in any case, without the `(?i)` flag that
    JSON Schema's regular expressions (ECMA 262) lack: `min` -> `[mM][iI][nN]`."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def unit_pattern(families: Sequence[units.Family]) -> str:
    """A regular expression (no anchors) of every unit of ``families``, as `units.family` reads
    them: duration, percent and count words in any case, currency codes in capitals."""
    assert units.Family.OTHER not in families  # any other word cannot be listed
    words = [
        _any_case(word)
        for family in families
        for word in sorted(units.WORDS.get(family, ()), key=lambda w: (-len(w), w))
    ]
    if units.Family.CURRENCY in families:
        words += sorted(units.currency_codes())
    return "|".join(words)


@dataclass(frozen=True)
class Frequency(Type):
    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(60).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        # ASCII digits only, like the schema (`\\d` would take ٤٠)
        match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*(?:per|/|a|an|each)\s*([a-z]+?)s?", text.strip())
        if not match or match[2] not in PERIODS:
            working = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:per|/|a|an|each)\s*(?:working|work|business)[ -]?days?", text)
            if working:  # the period has a name of its own
                return ctx.problem(node, where, f'"{text}": write it as `{working[1]} per workday`')
            return ctx.problem(
                node,
                where,
                f'"{text}" is not a frequency; write it as `N per {_PERIOD_WORDS}`, e.g. `40 per month`',
            )
        count = float(match[1])
        if count <= 0:
            return ctx.problem(node, where, "must happen more than 0 times; remove `frequency` if it never happens")
        if count < MIN_EVENTS:
            return ctx.problem(
                node,
                where,
                f"{match[1]} times a {match[2]} is less than the limit of {MIN_EVENTS:g}; use a longer period",
            )
        if count > MAX_EVENTS:
            return ctx.problem(node, where, f"{match[1]} times a {match[2]} is more than the limit of {MAX_EVENTS:,}")
        return Rate(count, match[2])

    def describe(self) -> str:
        return f"`N per {_PERIOD_WORDS}`, N from {MIN_EVENTS:g} to {MAX_EVENTS:,}"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        # The same forms the validator accepts: "40 per month", "40/month", "3 a day", "2 per weeks".
        return {"type": "string", "pattern": f"^[0-9]+(\\.[0-9]+)?\\s*(per|/|a|an|each)\\s*({'|'.join(PERIODS)})s?$"}


@dataclass(frozen=True)
class Unit(Text):
    """A metric's unit: forgiving about the case of duration, percent and count words, strict
    about currency codes, and no silent custom unit for a typo of a known word."""

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = super().convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        code = units.currency_case(text)
        if code is not None:
            return ctx.problem(
                node, where, f"`{text}` is not a unit; did you mean `{code}`? Write currency codes in capitals"
            )
        word = units.near_miss(text)
        if word is not None:
            return ctx.problem(
                node,
                where,
                f"`{text}` is not a unit storyteller knows; did you mean `{word}`? (a misspelt unit would be a custom "
                "unit and count no time)",
            )
        return text

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        # A typo one or two edits from a known word cannot be listed here (there are hundreds
        # of thousands); a currency code in other case can.
        codes = "|".join(_any_case(code) for code in sorted(units.currency_codes()))
        in_other_case = {"allOf": [{"pattern": f"^(?:{codes})$"}, {"not": {"pattern": "^[A-Z]{3}$"}}]}
        return {**super().json(choices), "not": in_other_case}


_EACH = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([^\s0-9.]\S*)")


@dataclass(frozen=True)
class EachCost(Type):
    """`45 minutes` or `400 EUR`: a number > 0 and a duration unit or a currency code."""

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(60).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        example = "write it as a number and a duration or currency code, e.g. `45 minutes` or `400 EUR`"
        match = _EACH.fullmatch(text)
        if not match:
            if re.fullmatch(r"[0-9.,]+", text):
                return ctx.problem(
                    node, where, f"`{text}` has no unit; write `{text} minutes` (time) or `{text} EUR` (money)"
                )
            return ctx.problem(node, where, f'"{printable(text)}" is not a cost; {example}')
        amount, unit = (int(match[1]) if match[1].isdigit() else float(match[1])), match[2]
        kind = units.family(unit)
        if kind not in (units.Family.DURATION, units.Family.CURRENCY):
            code = units.currency_case(unit)
            hint = f"did you mean `{code}`?" if code else example
            return ctx.problem(
                node, where, f"`{printable(unit)}` is neither a duration unit nor a currency code; {hint}"
            )
        if amount <= 0:
            return ctx.problem(node, where, "must be more than 0; remove `each` if an occurrence costs nothing")
        if amount > MAX_MAGNITUDE:
            return ctx.problem(node, where, f"{match[1]} is too large; the limit is {MAX_MAGNITUDE:,.0f}")
        return Each(amount, unit)

    def describe(self) -> str:
        return "a number > 0 and a duration unit or a currency code: `45 minutes`, `400 EUR`"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        kinds = unit_pattern((units.Family.DURATION, units.Family.CURRENCY))
        return {"type": "string", "pattern": f"^(?!0+(\\.0+)?\\s*[^0-9.\\s])[0-9]+(\\.[0-9]+)?\\s*(?:{kinds})$"}


@dataclass(frozen=True)
class Url(Type):
    schemes: tuple[str, ...] = ("https", "http", "mailto")

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(2000).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        scheme = text.split(":", 1)[0].lower() if ":" in text else ""
        if scheme not in self.schemes:
            shown = f"`{scheme}:` URLs are" if scheme else "a URL without a scheme is"
            return ctx.problem(node, where, f"{shown} not allowed; use an https, http or mailto link")
        if scheme in ("http", "https") and not re.match(r"(?i)https?://[^/\s?#]+", text):
            return ctx.problem(node, where, f'"{text}" has no host; write a full URL like https://example.com/page')
        if re.search(r"\s", text):
            return ctx.problem(node, where, "contains spaces; encode them as %20")
        return text

    def describe(self) -> str:
        return "URL: `https`, `http` or `mailto` only"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "maxLength": 2000, "pattern": "^(?i:https?://[^/\\s?#]+\\S*|mailto:\\S+)$"}


_MAGIC = {"PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",)}


def file_head(target: Path, text: str, limit: int, relative_to: str) -> bytes | str:
    """The first 8 bytes of the workspace file ``target`` (``text`` as the author wrote it,
    relative to ``relative_to``), or what is wrong with it: missing, not a regular file, or
    over ``limit`` bytes. For FilePath's images and the deck's template."""
    try:
        info = os.stat(target)
    except OSError:
        return f"{text} does not exist; check the path (relative to {relative_to})"
    if not stat.S_ISREG(info.st_mode):
        return f"{text} is not a regular file"
    if info.st_size > limit:
        return f"{text} is {info.st_size:,} bytes; the limit is {limit:,}"
    with open(target, "rb") as handle:
        return handle.read(8)


def _raster_problem(target: Path, kind: str) -> str | None:
    """What is wrong with a PNG or JPEG beyond its first bytes: too many pixels (a
    decompression bomb: a small file that decodes to gigabytes) or damaged data. Pillow
    reads only the header for the size; `verify` checks a PNG's chunks without decoding."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(target, formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return _too_many_pixels(width, height)
                image.verify()
    except Image.DecompressionBombError:  # Pillow refuses to open past 179 million pixels
        with open(target, "rb") as handle:
            head = handle.read(24)
        width, height = struct.unpack(">II", head[16:24]) if kind == "PNG" else (0, 0)  # from IHDR
        return _too_many_pixels(width, height)
    except (OSError, SyntaxError, ValueError, EOFError):  # Pillow's ways of saying "damaged"
        return f"is not a readable {kind} file (its data is damaged); export it again"
    return None


def _too_many_pixels(width: int, height: int) -> str:
    size = f"is {width:,} x {height:,} pixels" if width else "has far too many pixels"
    return f"{size}; the limit is {MAX_IMAGE_PIXELS:,} pixels, scale it down"


@dataclass(frozen=True)
class FilePath(Type):
    """A path to an image inside the workspace, relative to the file that names it.

    Checked without trusting the author: it must resolve (symlinks followed) inside the
    workspace, be a regular file (not a FIFO or device, which could block or be endless),
    stay under a size limit and start with the bytes of an allowed format.
    """

    kinds: tuple[str, ...] = ("PNG", "JPEG")

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(500).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        allowed = " or ".join(self.kinds)
        if re.match(r"(?i)[a-z][a-z0-9+.-]*://", text) or text.lower().startswith("data:"):
            return ctx.problem(
                node,
                where,
                f"remote images are not allowed; save the {allowed} file in the workspace and give its path",
            )
        if os.path.isabs(text) or text.startswith("~"):
            return ctx.problem(node, where, "must be a path relative to this file, inside the workspace")
        assert ctx.base_dir is not None and ctx.workspace is not None
        try:
            target = (ctx.base_dir / text).resolve()
        except RuntimeError:  # pathlib's report of a symlink loop
            return ctx.problem(node, where, f"{text} is a symbolic link that points to itself")
        root = ctx.workspace.resolve()
        if not target.is_relative_to(root):
            return ctx.problem(node, where, f"{text} points outside the workspace; keep images inside it")
        if not ctx.named_files:
            return target
        head = file_head(target, text, MAX_IMAGE_BYTES, "this file")
        if isinstance(head, str):
            return ctx.problem(node, where, head)
        kind = self.sniff(head, target)
        if kind not in self.kinds:
            return ctx.problem(node, where, f"{text} is not a {allowed} file")
        damage = _raster_problem(target, kind) if kind in _MAGIC else None
        if damage:
            return ctx.problem(node, where, f"{text} {damage}")
        return target

    @staticmethod
    def sniff(head: bytes, target: Path) -> str | None:
        for kind, magics in _MAGIC.items():
            if head.startswith(magics):
                return kind
        if target.suffix.lower() == ".svg" and head.lstrip().startswith((b"<svg", b"<?xml", b"<!--")):
            return "SVG"
        return None

    def describe(self) -> str:
        return f"path relative to this file, inside the workspace: {', '.join(self.kinds)}"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "^(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|~)"}


@dataclass(frozen=True)
class LocaleName(Type):
    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(
            20, pattern=r"[a-z]{2,3}(_[A-Za-z0-9]{2,4})*", pattern_hint="is not a locale like en_US or de_DE"
        ).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        from babel.localedata import locale_identifiers

        known = locale_identifiers()
        if text not in known:
            return ctx.problem(node, where, f"`{text}` is not a locale Babel knows{suggest(text, sorted(known))}")
        return text

    def describe(self) -> str:
        return "locale like `en_US`, `de_DE`, `fr_FR`"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[a-z]{2,3}(_[A-Za-z0-9]{2,4})*$"}


@dataclass(frozen=True)
class CurrencyCode(Type):
    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        text = Text(
            3, pattern="[A-Z]{3}", pattern_hint="is not a currency code; write three capitals like USD"
        ).convert(node, where, ctx)
        if text is INVALID:
            return INVALID
        if text not in units.currency_codes():
            return ctx.problem(
                node, where, f"`{text}` is not an ISO 4217 currency code{suggest(text, sorted(units.currency_codes()))}"
            )
        return text

    def describe(self) -> str:
        return "ISO 4217 currency code such as `USD`, `EUR`"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        return {"type": "string", "enum": sorted(units.currency_codes())}
