"""The deck's slides, each from the report's context (never figures of its own): the cover,
the summary's tiles, where the hours come from, a slide per category, a slide per top win,
small wins, stories in progress, and the appendix's figures per story."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence

from markupsafe import Markup
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from storyteller.deck import charts
from storyteller.deck.fit import fit
from storyteller.deck.page import Column, Page, header_row, pages, pt, row_of
from storyteller.report.charts import MUTED
from storyteller.report.context import ReportContext
from storyteller.report.views import StoryView

DASH = "\u2013"
TABLE_SIZE = 12.0
METRICS_SIZE = 11.0
METRICS_SHOWN = 6  # a top win's metrics on its slide; the rest are in its notes and the appendix


def plain(html: Markup | str | None) -> str:
    """Rendered Markdown as plain text for the notes: a paragraph or list item a line."""
    if not html:
        return ""
    blocks = re.split(r"</p>|</li>|<br\s*/?>|</h\d>|</blockquote>", str(html))
    items = [("- " if "<li" in b else "") + Markup(b).striptags() for b in blocks]
    return "\n".join(i for i in items if i.strip(" -"))


def story_notes(view: StoryView) -> str:
    parts = [f"Problem: {plain(view.problem)}"]
    if view.solution:
        parts.append(f"What was done: {plain(view.solution)}")
    parts.append(f"Outcome: {plain(view.outcome)}")
    return "\n\n".join(parts)


def title_slide(page: Page, context: ReportContext) -> None:
    subtitle = f"{context.organization} \u00b7 {context.period_label}"
    if page.template.corporate:
        page.clear_placeholders(keep=(0, 1))
        page.title(context.title, size=36, lines=3)
        body = [p for p in page.slide.placeholders if p.placeholder_format.idx == 1]
        if body:
            body[0].text_frame.text = f"{subtitle}\n{context.period_dates}"
        page.notes.append(f"{context.title}. {subtitle}, {context.period_dates}.")
        return
    page.clear_placeholders(keep=(0,))
    page.rectangle((0, 0, Inches(0.35), page.height), page.brand)
    left, width = Inches(1.1), page.width - Inches(2.2)
    page.text((left, Inches(1.3), width, Inches(0.4)), context.organization.upper(), 14, bold=True, colour=page.brand)
    shape = page.slide.shapes.title
    fitted = page.title(context.title, size=40, lines=3)
    shape.left, shape.top, shape.width = left, Inches(1.8), width
    shape.height = Emu(round(Pt(40 * 1.2 * fitted.lines + 8)))
    below = int(shape.top) + int(shape.height) + Inches(0.3)
    page.rectangle((left, below, Inches(1.2), Inches(0.06)), page.brand)
    page.text((left, below + Inches(0.3), width, Inches(0.5)), context.period_label, 24, bold=True, colour=page.brand)
    page.text((left, below + Inches(0.85), width, Inches(0.4)), context.period_dates, 16, colour=MUTED)
    figures = "   \u00b7   ".join(f"{t.value} {t.label.lower()}" for t in context.headlines.tiles[:3])
    page.text((left, page.height - Inches(1.75), width, Inches(0.4)), figures, 16, bold=True)
    stories = f"{context.stories_total} {'story' if context.stories_total == 1 else 'stories'}"
    page.text(
        (left, page.height - Inches(1.0), width, Inches(0.3)),
        f"Made from {stories} on {context.generated}",
        11,
        colour=MUTED,
    )
    page.notes.append(f"{context.title}. {subtitle}, {context.period_dates}.")


def summary_slide(page: Page, context: ReportContext) -> None:
    """The headline figures, every tile of the report's summary, and the top wins."""
    page.clear_placeholders()
    page.title(f"Summary: {context.period_label}")
    left, top, width, height = page.body
    tiles = context.headlines.tiles
    columns = 3 if len(tiles) <= 6 else 4
    rows = math.ceil(len(tiles) / columns)
    wins = context.top_wins
    tiles_height = int(height * (0.62 if wins else 1.0)) if rows <= 2 else height
    gap = Inches(0.2)
    tile_w = (width - gap * (columns - 1)) // columns
    tile_h = min(Inches(1.7), (tiles_height - gap * (rows - 1)) // rows)
    for i, tile in enumerate(tiles):
        x = left + (i % columns) * (tile_w + gap)
        y = top + (i // columns) * (tile_h + gap)
        page.rectangle((x, y, tile_w, tile_h), "#f3f5f6")
        page.rectangle((x, y, Inches(0.08), tile_h), page.brand)
        inner = x + Inches(0.3)
        room = tile_w - Inches(0.45)
        page.text(
            (inner, y + Inches(0.15), room, Inches(0.6)), tile.value, 30, bold=True, colour=page.brand, smaller=(24, 20)
        )
        page.text((inner, y + Inches(0.78), room, Inches(0.32)), tile.label, 14, bold=True)
        if tile.note:
            page.text((inner, y + Inches(1.1), room, tile_h - Inches(1.15)), tile.note, 11, colour=MUTED, lines=2)
    page.notes.append("\n".join(f"{t.label}: {t.value}" + (f" ({t.note})" if t.note else "") for t in tiles))
    if context.headlines.other_currency:
        page.notes.append(f"Also saved in other currencies, not converted: {context.headlines.other_currency}.")
    below = top + rows * tile_h + (rows - 1) * gap + Inches(0.35)
    if wins and rows <= 2 and top + height - below > Inches(1.0):
        _top_wins_strip(page, wins, (left, below, width, top + height - below))


def _top_wins_strip(page: Page, wins: Sequence[StoryView], box: tuple[int, int, int, int]) -> None:
    left, top, width, _ = box
    page.text((left, top, width, Inches(0.35)), "Top wins", 14, bold=True, colour=page.brand)
    gap = Inches(0.2)
    each = (width - gap * 2) // 3
    for i, view in enumerate(wins[:3]):
        x = left + i * (each + gap)
        fitted = page.text((x, top + Inches(0.4), each, Inches(0.6)), view.title, 14, bold=True, lines=2)
        y = top + Inches(0.4) + Pt(14 * 1.2 * fitted.lines + 4)
        page.text((x, y, each, Inches(0.3)), view.highlight, 12, colour=MUTED)
    page.notes.append("Top wins:\n" + "\n".join(f"{i + 1}. {v.title}: {v.highlight}" for i, v in enumerate(wins)))


def overview_slide(page: Page, context: ReportContext) -> None:
    """Where the value comes from: by category (money when the workspace has an hourly rate,
    as in the report) and, with two quarters or more, hours by quarter."""
    page.clear_placeholders()
    money = bool(context.categories.chart and context.categories.chart.params[2] != "hours")
    page.title("Where the value comes from" if money else "Where the hours come from")
    category, over_time = context.categories.chart, context.trend.chart
    areas = page.halves(0.5) if category and over_time else (page.body,)
    notes = []
    for area, chart in zip(areas, [c for c in (category, over_time) if c], strict=False):
        left, top, width, height = area
        caption = chart.title if chart is category else "Hours saved a year, by quarter delivered"
        page.text((left, top, width, Inches(0.35)), caption, 14, bold=True)
        box = (left, top + Inches(0.45), width, height - Inches(0.45))
        if chart is category:
            charts.categories(page.slide, box, chart.params[0], context.palette, chart.params[2])
        else:
            charts.trend(page.slide, box, chart.params[0], context.palette)
        notes.append(chart.description)
    page.notes.extend(notes)


def ranked_table(
    new_page: object,
    title: str,
    lead: str,
    columns: Sequence[Column],
    texts: Sequence[Sequence[str]],
    notes: Sequence[str] = (),
    total: Sequence[str] | None = None,
    size: float = 0,
) -> list[Page]:
    """Slides of one table, split so that no slide overflows: "(2 of 3)" on the later ones. A short
    table (four rows or fewer) is set larger, to be read from further away, unless ``size`` is given."""
    size = size or (14.0 if len(texts) <= 4 else TABLE_SIZE)
    if len(texts) > 4:  # a long table: more rows to a slide, the rest of each cell in the notes
        columns = [dataclasses.replace(c, lines=min(c.lines, 2)) for c in columns]
    first: Page = new_page()  # type: ignore[operator]
    left, top, width, height = first.body
    lead_h = Inches(0.45) if lead else 0
    rows = [row_of(t, columns, width, size) for t in texts]
    if total is not None:
        rows.append(row_of(total, columns, width, size, bold=True, lines=2))
    header = header_row(columns, width, size)
    split = pages(rows, header, pt(height - lead_h))
    made = []
    for n, rows_here in enumerate(split):
        page = first if n == 0 else new_page()  # type: ignore[operator]
        page.clear_placeholders()
        suffix = f" ({n + 1} of {len(split)})" if len(split) > 1 else ""
        page.title(title + suffix)
        if lead:
            page.text((left, top, width, Inches(0.35)), lead, 14, colour=MUTED)
        page.table((left, top + lead_h, width, height - lead_h), columns, rows_here, size)
        if n == 0:
            page.notes.extend(notes)
        made.append(page)
    return made


def _key_figures(page: Page, view: StoryView, box: tuple[int, int, int, int]) -> None:
    """A top win's figures as small tiles, all in one size; in a narrow column the last ones
    (FTE, then payback) give way before any figure would be cut."""
    left, y, width, height = box
    figures = [
        (view.money, "value a year") if view.money else None,
        (view.hours, "hours a year"),
        (view.payback, "weeks payback") if view.payback else None,
        (view.fte, "FTE") if view.fte else None,
    ]
    shown = [f for f in figures if f]
    while True:
        each = (width - Inches(0.15) * (len(shown) - 1)) // len(shown)
        room = pt(each - Inches(0.2))
        sizes = [s for s in (22, 18, 15) if not any(fit(v, room, s, 1, bold=True).cut for v, _ in shown)]
        if sizes or len(shown) <= 2:
            break
        shown.pop()
    size = sizes[0] if sizes else 13
    for i, (value, label) in enumerate(shown):
        x = left + i * (each + Inches(0.15))
        page.rectangle((x, y, each, height), "#f3f5f6")
        inner = (x + Inches(0.12), y + Inches(0.08), each - Inches(0.2), Inches(0.45))
        page.text(inner, value, size, bold=True, colour=page.brand, anchor=MSO_ANCHOR.BOTTOM)
        page.text((x + Inches(0.12), y + Inches(0.53), each - Inches(0.2), Inches(0.3)), label, 11, colour=MUTED)


def top_win_slide(page: Page, view: StoryView, rank: int, count: int, context: ReportContext) -> None:
    """One top win: its key figures, its metrics before and after, its quote, its chart."""
    page.clear_placeholders()
    page.title(view.title)
    left_box, right_box = page.halves(0.55)
    left, top, width, height = left_box
    eyebrow = f"Top win {rank} of {count} \u00b7 {view.category_label} \u00b7 {Markup(view.team).striptags()}"
    page.text((left, top, width, Inches(0.3)), eyebrow, 12, bold=True, colour=page.brand)
    y = top + Inches(0.45)
    _key_figures(page, view, (left, y, width, Inches(0.85)))
    y += Inches(1.0)
    quote = f"\u201c{view.quote_text}\u201d"
    quote_lines = fit(quote, pt(width), 14, 3).lines if view.quote_text else 0
    quote_h = Pt(14 * 1.2 * quote_lines) + Inches(0.5) if view.quote_text else 0
    columns = (Column("Metric", 2.4), Column("Before", 1.1, True), Column("After", 1.1, True), Column("Result", 1.4))
    rows = [row_of((m.name, m.before, m.after, m.result), columns, width, METRICS_SIZE) for m in view.metrics]
    header = header_row(columns, width, METRICS_SIZE)
    more_h = Inches(0.35)
    split = pages(rows[:METRICS_SHOWN], header, pt(top + height - y - quote_h - more_h))
    kept = split[0]
    page.table((left, y, width, height), columns, kept, METRICS_SIZE)
    table_h = header.height + sum(r.height for r in kept)
    rest = len(view.metrics) - len(kept)
    if rest:
        note = f"and {rest} more {'metric' if rest == 1 else 'metrics'}, listed in the notes"
        page.text((left, y + Pt(table_h + 6), width, Inches(0.3)), note, 11, colour=MUTED)
    if view.quote_text:
        q_top = top + height - quote_h + Inches(0.15)
        q_height = Pt(14 * 1.2 * quote_lines + 1)
        page.text((left, q_top, width, q_height), quote, 14, italic=True, lines=3)
        if view.quote_by:
            by = (left, q_top + q_height + Inches(0.06), width, Inches(0.25))
            page.text(by, f"\u2014 {view.quote_by}", 11, colour=MUTED)
    chart = view.chart
    if chart is not None:
        page.text((right_box[0], top, right_box[2], Inches(0.3)), "Before and after", 12, bold=True)
        box = (right_box[0], top + Inches(0.35), right_box[2], right_box[3] - Inches(0.35))
        charts.before_after(page.slide, box, chart.params[0][: len(kept)], context.palette)
    else:
        page.text(right_box, plain(view.outcome), 14, lines=12)
    page.notes.append(story_notes(view))
    if rest:
        page.notes.append(
            "Every metric:\n" + "\n".join(f"- {m.name}: {m.before} -> {m.after} ({m.result})" for m in view.metrics)
        )


def section_slide(page: Page, title: str, subtitle: str) -> None:
    page.clear_placeholders(keep=(0, 1) if page.template.corporate else (0,))
    if page.template.corporate:
        page.title(title)
        body = [p for p in page.slide.placeholders if p.placeholder_format.idx == 1]
        if body:
            body[0].text_frame.text = subtitle
        return
    page.rectangle((0, 0, page.width, page.height), page.brand, behind=True)
    shape = page.slide.shapes.title
    page.title(title, size=40, lines=2)
    shape.top, shape.height = Inches(2.2), Inches(1.3)
    for paragraph in shape.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.color.rgb = charts.rgb("#ffffff")
            run.font._rPr.set("cap", "none")  # the default template's section titles are in capitals
    page.text(
        (Inches(0.6), Inches(3.7), page.width - Inches(1.2), Inches(1.0)), subtitle, 18, colour="#ffffff", lines=2
    )


def footer(page: Page, text: str, number: int) -> None:
    """The built-in design's footer: the report and the slide's number, small and grey."""
    y = page.height - Inches(0.45)
    page.text((Inches(0.6), y, page.width - Inches(2.0), Inches(0.25)), text, 9, colour=MUTED)
    page.text(
        (page.width - Inches(1.4), y, Inches(0.8), Inches(0.25)), str(number), 9, colour=MUTED, align=PP_ALIGN.RIGHT
    )
