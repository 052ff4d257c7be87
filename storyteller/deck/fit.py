"""Text that fits its box: measured with the bundled Inter font, wrapped as a slide wraps it,
and cut at a word with an ellipsis when it would not fit (the caller puts the whole text in
the slide's notes). Measuring, not guessing from character counts, keeps a slide from
overflowing with wide letters and from being cut early with narrow ones."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from PIL import ImageFont

from storyteller.report.charts import FONTS

ELLIPSIS = "\u2026"
LINE = 1.2  # line height as a multiple of the font size, as PowerPoint and LibreOffice set Inter
SLACK = 1.06  # measured widths are made this much wider: a renderer may set a little wider
TEMPLATE_SLACK = 1.2  # ... and a template's own font, which may be wider than Inter (its fallback more so)
_slack: ContextVar[float] = ContextVar("slack", default=SLACK)


@contextlib.contextmanager
def measured_for_template(corporate: bool) -> Iterator[None]:
    """Measure with room for a template's font while the deck of a corporate template is made."""
    token = _slack.set(TEMPLATE_SLACK if corporate else SLACK)
    try:
        yield
    finally:
        _slack.reset(token)


_SIZE = 100  # the size the font is loaded at; widths scale from it


@functools.cache
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    path = str(FONTS / ("Inter-SemiBold.ttf" if bold else "Inter-Regular.ttf"))
    return ImageFont.truetype(path, _SIZE, layout_engine=ImageFont.Layout.BASIC)  # kerned; no shaping needed


@functools.lru_cache(maxsize=65_536)
def _word(word: str, bold: bool) -> float:
    return _font(bold).getlength(word)


def width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` set in ``size`` points, in points (with the slack): the sum of its
    words' (each measured once) and its spaces'."""
    words = text.split(" ")
    total = sum(_word(w, bold) for w in words) + (len(words) - 1) * _word(" ", bold)
    return total * size / _SIZE * _slack.get()


@dataclass(frozen=True)
class Fitted:
    """Text as a box shows it: the lines it wraps to, and whether some of it was cut."""

    text: str
    lines: int
    cut: bool


def _words(text: str, room: float, size: float, bold: bool) -> list[str]:
    """The words of ``text``; a word wider than the box is split where the box would break it."""
    result = []
    for word in text.split():
        while width(word, size, bold) > room and len(word) > 1:
            end = len(word) - 1
            while end > 1 and width(word[:end], size, bold) > room:
                end -= 1
            result.append(word[:end])
            word = word[end:]
        result.append(word)
    return result


def wrap(text: str, room: float, size: float, bold: bool = False) -> list[str]:
    """``text`` wrapped into lines of at most ``room`` points, greedily, as a slide wraps it."""
    lines: list[str] = []
    for word in _words(text, room, size, bold):
        if lines and width(f"{lines[-1]} {word}", size, bold) <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def fit(text: str, room: float, size: float, max_lines: int, bold: bool = False) -> Fitted:
    """``text`` in at most ``max_lines`` lines of ``room`` points: whole when it fits, otherwise
    cut after the last word that fits, with an ellipsis."""
    text = " ".join(text.split())
    lines = wrap(text, room, size, bold)
    if len(lines) <= max_lines:
        return Fitted(text, max(len(lines), 1), False)
    kept = lines[: max(max_lines, 1)]
    last = kept[-1].split(" ")
    while len(last) > 1 and width(" ".join(last) + ELLIPSIS, size, bold) > room:
        last.pop()
    line = " ".join(last)
    while line and width(line + ELLIPSIS, size, bold) > room:  # one word alone too wide
        line = line[:-1]
    kept[-1] = line.rstrip(" ,;:.-\u2013\u2014") + ELLIPSIS
    return Fitted(" ".join(kept), len(kept), True)


def lines_height(lines: int, size: float) -> float:
    """The height in points of ``lines`` lines of ``size`` points."""
    return lines * size * LINE
