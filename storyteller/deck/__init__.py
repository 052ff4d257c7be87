"""The deck: a PowerPoint file of a report (`build --format pptx`), made from the same context
as the HTML and the PDF, so its figures are the report's. `render_deck` returns its bytes;
build.py writes them with the other outputs."""

from __future__ import annotations

from collections.abc import Callable

from storyteller.deck import fit, pack, slides
from storyteller.deck.page import Column, Page
from storyteller.deck.template import Template, open_template
from storyteller.format.config import Config
from storyteller.report.appendix import AppendixRow
from storyteller.report.context import ReportContext

DASH = "\u2013"


def render_deck(context: ReportContext, config: Config, created: str) -> bytes:
    """The deck of one report, as the bytes of a .pptx; ``created`` is the build's time (ISO 8601)."""
    template = open_template(config)
    with fit.measured_for_template(template.corporate):
        return _render(template, context, config, created)


def _render(template: Template, context: ReportContext, config: Config, created: str) -> bytes:
    brand = context.palette.primary

    def new(role: str) -> Callable[[], Page]:
        return lambda: Page(template, role, brand)

    made: list[Page] = []
    made.append(_made(new("title")(), slides.title_slide, context))
    made.append(_made(new("content")(), slides.summary_slide, context))
    if context.categories.chart is not None:
        role = "two-content" if context.trend.chart is not None else "content"
        made.append(_made(new(role)(), slides.overview_slide, context))
    for rank, view in enumerate(context.top_wins, 1):
        page = new("two-content")()
        slides.top_win_slide(page, view, rank, len(context.top_wins), context)
        made.append(page)
    made += _categories(new("content"), context)
    made += _lists(new("content"), context, config)
    made += _appendix(new("section"), new("content"), context)
    for number, page in enumerate(made, 1):
        if not template.corporate and number > 1 and page.role != "section":
            slides.footer(page, f"{context.organization} \u00b7 {context.title} \u00b7 {context.period_label}", number)
        page.finish()
    moment = pack.when(created)
    pack.set_properties(template.presentation, context.title, context.period_label, context.organization, moment)
    return pack.save(template.presentation, moment)


def _made(page: Page, make: Callable[[Page, ReportContext], None], context: ReportContext) -> Page:
    make(page, context)
    return page


def _categories(new: Callable[[], Page], context: ReportContext) -> list[Page]:
    """A slide per category (more when its table does not fit), its stories ranked."""
    columns = (
        Column("#", 0.4, True, 1),
        Column("Story", 3.0, lines=3),
        Column("What changed", 3.6, lines=4),
        Column("Team", 1.6),
        Column("Hours a year", 1.1, True),
        Column("Value a year", 1.2, True),
        Column("Payback (weeks)", 1.1, True),
    )
    made = []
    for section in context.categories.sections:
        texts = [
            (str(i), v.title, _text(v.summary), _text(v.team), v.hours, v.money or DASH, v.payback or DASH)
            for i, v in enumerate(section.stories, 1)
        ]
        notes = [f"{i}. {v.title}: {v.highlight}. {_text(v.summary)}" for i, v in enumerate(section.stories, 1)]
        made += slides.ranked_table(new, section.label, section.summary, columns, texts, notes)
    return made


def _lists(new: Callable[[], Page], context: ReportContext, config: Config) -> list[Page]:
    """Small wins and stories in progress: a table each, split when it does not fit."""
    made = []
    if context.small_wins:
        columns = (Column("Story", 4.0), Column("Team", 2.0), Column("Category", 2.0), Column("Result", 2.6))
        texts = [(v.title, _text(v.team), v.category_label, v.highlight or DASH) for v in context.small_wins]
        lead = f"Delivered improvements that each save fewer than {config.small_win_hours:g} hours a year"
        notes = [f"{v.title}: {_text(v.summary)}" for v in context.small_wins]
        made += slides.ranked_table(new, "Small wins", lead, columns, texts, notes)
    if context.in_progress:
        columns = (Column("Story", 3.6), Column("Team", 1.9), Column("Category", 1.9), Column("What it is", 3.6))
        texts = [(v.title, _text(v.team), v.category_label, _text(v.summary)) for v in context.in_progress]
        lead = "Not delivered yet: listed, never added to the totals"
        notes = [f"{v.title}: {_text(v.summary)}" for v in context.in_progress]
        made += slides.ranked_table(new, "In progress", lead, columns, texts, notes)
    return made


def _appendix(section: Callable[[], Page], new: Callable[[], Page], context: ReportContext) -> list[Page]:
    """The appendix: a section slide whose notes say how each figure is computed, then every story's figures."""
    divider = section()
    slides.section_slide(divider, "Appendix", "Every story's figures, and how each figure is computed (in the notes)")
    divider.notes.append("\n".join(f"{f.name}: {f.text}" for f in context.appendix.formulas))
    columns = (
        Column("Story", 3.4),
        Column("Quarter", 1.0),
        Column("Category", 1.8),
        Column("Status", 1.3),
        Column("Hours a year", 1.1, True),
        Column("Estimated", 1.1, True),
        Column("Value a year", 1.2, True),
        Column("FTE", 0.7, True),
        Column("Payback (weeks)", 1.1, True),
    )

    def cells(r: AppendixRow) -> tuple[str, ...]:
        return (r.title, r.quarter, r.category, r.status, r.hours, r.estimated, r.money, r.fte, r.payback)

    texts = [cells(r) for r in context.appendix.rows]
    total = cells(context.appendix.total)
    made = slides.ranked_table(new, "Figures per story", "", columns, texts, total=total, size=11)
    return [divider, *made]


def _text(markup: object) -> str:
    """A report's escaped (and perhaps marked) text as plain text."""
    return slides.plain(str(markup))


__all__ = ["Template", "render_deck"]
