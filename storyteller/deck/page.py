"""One slide being made: where its title and body go (the template's placeholders, or the
built-in design's grid), text that is fitted before it is placed, tables split into pages
before they are drawn, and the speaker notes, which get the whole of any text that was cut."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu, Inches, Pt

from storyteller.deck.charts import Box, rgb
from storyteller.deck.fit import Fitted, fit, lines_height
from storyteller.deck.template import Template
from storyteller.report.charts import INK

EMU_PER_PT = 12_700
MARGIN = Inches(0.6)
GAP = Inches(0.35)
TITLE_SIZE = 28.0
CELL_MARGIN = 4.0  # points above and below a table cell's text
CELL_SIDE = 6.0  # points left and right
BAND = "#f3f5f6"  # every other table row


def pt(emu: int) -> float:
    return emu / EMU_PER_PT


@dataclass(frozen=True)
class Column:
    header: str
    share: float  # of the table's width
    right: bool = False  # numbers: aligned right
    lines: int = 2  # at most this many lines in a cell


@dataclass(frozen=True)
class Row:
    cells: tuple[Fitted, ...]
    height: float  # points
    bold: bool = False
    texts: tuple[str, ...] = ()  # the cells' whole texts, for the notes when one was cut


@dataclass
class Page:
    """A slide of the deck, made from the layout of ``role``."""

    template: Template
    role: str
    brand: str
    slide: Any = None
    notes: list[str] = field(default_factory=list)
    cuts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.slide = self.template.presentation.slides.add_slide(self.template.layouts[self.role])
        self.width = int(self.template.presentation.slide_width)
        self.height = int(self.template.presentation.slide_height)

    # Where things go ------------------------------------------------------------------------

    @property
    def title_box(self) -> Box:
        shape = self.slide.shapes.title
        if self.template.corporate and shape is not None:
            return (int(shape.left), int(shape.top), int(shape.width), int(shape.height))
        return (MARGIN, Inches(0.4), self.width - 2 * MARGIN, Inches(1.0))

    @property
    def body(self) -> Box:
        """The area under the title: the layout's content placeholder in a corporate template."""
        bodies = self._bodies()
        if self.template.corporate and bodies:
            left, top = min(b[0] for b in bodies), min(b[1] for b in bodies)
            return (left, top, max(b[0] + b[2] for b in bodies) - left, max(b[1] + b[3] for b in bodies) - top)
        _, top, _, height = self.title_box
        top = top + height + Inches(0.25)
        return (MARGIN, top, self.width - 2 * MARGIN, self.height - top - Inches(0.65))

    def halves(self, left_share: float = 0.5) -> tuple[Box, Box]:
        """The two areas of a two-content slide: the layout's two placeholders, or the body split."""
        bodies = sorted(self._bodies(), key=lambda b: b[0])
        if self.template.corporate and len(bodies) >= 2:
            return bodies[0], bodies[-1]
        left, top, width, height = self.body
        first = int((width - GAP) * left_share)
        return (left, top, first, height), (left + first + GAP, top, width - first - GAP, height)

    def _bodies(self) -> list[Box]:
        layout = self.template.layouts[self.role]
        return [
            (int(p.left), int(p.top), int(p.width), int(p.height))
            for p in layout.placeholders
            if p.placeholder_format.idx in (1, 2, 3, 4) and p.width and p.height
        ]

    # What goes there ------------------------------------------------------------------------

    def clear_placeholders(self, keep: Sequence[int] = (0,)) -> None:
        """Remove the layout's placeholders this slide does not fill (no "Click to add text")."""
        for placeholder in list(self.slide.placeholders):
            if placeholder.placeholder_format.idx not in keep:
                placeholder._element.getparent().remove(placeholder._element)

    def title(self, text: str, size: float = TITLE_SIZE, lines: int = 2) -> Fitted:
        """The slide's title, in the layout's title placeholder (the built-in design sets its place
        and look). A template's title keeps its font and colour; its size goes down in steps until
        the title fits the placeholder (at most ``lines`` lines), and only then is it cut."""
        left, top, width, height = self.title_box
        if self.template.corporate:
            size, lines, fitted = self._corporate_title(text, pt(width) - 14, pt(height), lines)
        else:
            fitted = fit(text, pt(width), size, lines, bold=True)
        self._cut(text, fitted)
        shape = self.slide.shapes.title
        if shape is None:
            return self.text((left, top, width, height), text, size, bold=True, lines=lines)
        frame = shape.text_frame
        frame.text = fitted.text
        frame.word_wrap = True
        font = frame.paragraphs[0].runs[0].font
        font.size = Pt(size)
        if not self.template.corporate:
            shape.left, shape.top, shape.width, shape.height = left, top, width, height
            frame.vertical_anchor = MSO_ANCHOR.BOTTOM
            frame.auto_size = MSO_AUTO_SIZE.NONE
            frame.margin_left = frame.margin_right = 0
            frame.paragraphs[0].alignment = PP_ALIGN.LEFT
            font.bold, font.color.rgb = True, rgb(INK)
        return fitted

    def _corporate_title(self, text: str, room: float, height: float, lines: int) -> tuple[float, int, Fitted]:
        base = self.template.title_size
        for size in (base, base * 0.85, base * 0.72, base * 0.6, min(base, 18.0)):
            most = max(1, min(lines, int(height // (size * 1.2))))
            fitted = fit(text, room, size, most, bold=True)
            if not fitted.cut:
                break
        return size, most, fitted

    def text(
        self,
        box: Box,
        text: str,
        size: float,
        *,
        bold: bool = False,
        italic: bool = False,
        colour: str = INK,
        lines: int = 1,
        align: Any = PP_ALIGN.LEFT,
        anchor: Any = MSO_ANCHOR.TOP,
        smaller: Sequence[float] = (),
    ) -> Fitted:
        """A text box at ``box``; ``text`` cut to ``lines`` lines (and the box's height) with its
        whole in the notes, after trying each of the ``smaller`` sizes. The box keeps its size:
        what it holds was measured to fit."""
        left, top, width, height = box
        lines = max(1, min(lines, int(pt(height) // (size * 1.2))))
        fitted = fit(text, pt(width), size, lines, bold=bold)
        for other in smaller:
            if not fitted.cut:
                break
            size, fitted = other, fit(text, pt(width), other, lines, bold=bold)
        self._cut(text, fitted)
        shape = self.slide.shapes.add_textbox(left, top, width, height)
        frame = shape.text_frame
        frame.word_wrap, frame.auto_size, frame.vertical_anchor = True, MSO_AUTO_SIZE.NONE, anchor
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        paragraph = frame.paragraphs[0]
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = fitted.text
        run.font.size, run.font.bold, run.font.italic, run.font.color.rgb = Pt(size), bold, italic, rgb(colour)
        return fitted

    def rectangle(self, box: Box, colour: str, behind: bool = False) -> Any:
        """A plain filled rectangle; ``behind`` everything else on the slide (a background)."""
        shape = self.slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *box)
        shape.fill.solid()
        shape.fill.fore_color.rgb = rgb(colour)
        shape.line.fill.background()
        element = shape._element
        element.remove(element.find(qn("p:style")))  # the theme's shadow and outline: LibreOffice draws them
        if behind:
            tree = element.getparent()
            tree.remove(element)
            tree.insert(2, element)  # after the group's own properties
        return shape

    def _cut(self, text: str, fitted: Fitted) -> None:
        if fitted.cut:
            self.cuts.append(" ".join(text.split()))

    # Tables ---------------------------------------------------------------------------------

    def table(self, box: Box, columns: Sequence[Column], rows: Sequence[Row], size: float) -> Any:
        """A table of ``rows`` (fitted by `rows_of`) under a header row, at the top of ``box``."""
        left, top, width, _ = box
        header = header_row(columns, width, size)
        shape = self.slide.shapes.add_table(len(rows) + 1, len(columns), left, top, width, Emu(0))
        table = shape.table
        table.first_row, table.horz_banding = True, False
        self._plain_style(table)
        for i, column_width in enumerate(_widths(columns, width)):
            table.columns[i].width = column_width
        for tr in table._tbl.tr_lst:  # the rows are made as XML in one go: cell by cell takes seconds at 100 stories
            table._tbl.remove(tr)
        xml = "".join(
            _row_xml(row, size, r == 0, self.brand if r == 0 else (BAND if r % 2 == 0 else "#ffffff"), columns)
            for r, row in enumerate([header, *rows])
        )
        table._tbl.extend(parse_xml(f"<a:tbl {nsdecls('a')}>{xml}</a:tbl>").getchildren())
        self.cuts += [" ".join(row.texts[c].split()) for row in rows for c, cell in enumerate(row.cells) if cell.cut]
        shape.height = Emu(sum(round(row.height * EMU_PER_PT) for row in [header, *rows]))
        return shape

    @staticmethod
    def _plain_style(table: Any) -> None:
        """No theme table style: each cell's fill is set, so a corporate theme cannot band it differently."""
        properties = table._tbl.tblPr
        style = properties.find(qn("a:tableStyleId"))
        if style is not None:
            style.text = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"  # "No Style, No Grid"

    def finish(self) -> None:
        """Write the speaker notes: the slide's own, then the whole of every text that was cut."""
        parts = [n for n in self.notes if n.strip()]
        if self.cuts:
            parts.append("Shortened on the slide, in full:\n" + "\n".join(f"- {c}" for c in self.cuts))
        if parts:
            self.slide.notes_slide.notes_text_frame.text = "\n\n".join(parts)


def _widths(columns: Sequence[Column], width: int) -> list[Emu]:
    total = sum(c.share for c in columns)
    widths = [int(width * c.share / total) for c in columns]
    widths[-1] += width - sum(widths)
    return [Emu(w) for w in widths]


def _row_xml(row: Row, size: float, header: bool, fill: str, columns: Sequence[Column]) -> str:
    """One table row as DrawingML: each cell's text, size, weight, colour, alignment, margins and fill."""
    colour = "FFFFFF" if header else INK.lstrip("#").upper()
    bold = ' b="1"' if header or row.bold else ""
    cell_fill = f'<a:solidFill><a:srgbClr val="{fill.lstrip("#").upper()}"/></a:solidFill>'
    side, margin = round(CELL_SIDE * EMU_PER_PT), round(CELL_MARGIN * EMU_PER_PT)
    cells = []
    for fitted, column in zip(row.cells, columns, strict=True):
        align = "r" if column.right else "l"
        cells.append(
            f'<a:tc><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/><a:p><a:pPr algn="{align}"/>'
            f'<a:r><a:rPr lang="en-US" sz="{round(size * 100)}"{bold}><a:solidFill><a:srgbClr val="{colour}"/>'
            f"</a:solidFill></a:rPr><a:t>{escape(fitted.text)}</a:t></a:r></a:p></a:txBody>"
            f'<a:tcPr marL="{side}" marR="{side}" marT="{margin}" marB="{margin}" anchor="ctr">{cell_fill}</a:tcPr>'
            "</a:tc>"
        )
    return f'<a:tr h="{round(row.height * EMU_PER_PT)}">{"".join(cells)}</a:tr>'


def header_row(columns: Sequence[Column], width: int, size: float) -> Row:
    return row_of([c.header for c in columns], columns, width, size, bold=True, lines=2)


def row_of(
    texts: Sequence[str], columns: Sequence[Column], width: int, size: float, bold: bool = False, lines: int = 0
) -> Row:
    """One table row, each cell fitted to its column (cut to the column's lines), and its height."""
    cells = tuple(
        fit(text, pt(w) - 2 * CELL_SIDE, size, lines or c.lines, bold=bold)
        for text, c, w in zip(texts, columns, _widths(columns, width), strict=True)
    )
    height = lines_height(max(c.lines for c in cells), size) + 2 * CELL_MARGIN
    return Row(cells, height, bold, tuple(texts))


def pages(rows: Sequence[Row], header: Row, room: float) -> list[list[Row]]:
    """``rows`` split into pages whose table (header included) is at most ``room`` points high."""
    result: list[list[Row]] = [[]]
    used = header.height
    for row in rows:
        if result[-1] and used + row.height > room:
            result.append([])
            used = header.height
        result[-1].append(row)
        used += row.height
    return result
