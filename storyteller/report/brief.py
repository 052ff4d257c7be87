"""The one-page brief: a period's key figures, its top wins and where the full report is.

Made from the same ``ReportContext`` as the report (context.py), so every figure is the
report's own: nothing is computed here, only chosen and worded. The brief never grows with
the number of stories: four cards, at most three wins, one line of realised benefit, and
every piece of story text is shortened to a bound, so it stays one page (templates/brief.html).
The digests (storyteller/digest/) are made from the same record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, TemplateError, TemplateNotFound
from markupsafe import Markup

from storyteller import __version__
from storyteller.paths import workspace_url
from storyteller.pdf.part import WHOLE
from storyteller.report.charts import Chart, Palette
from storyteller.report.context import ReportContext
from storyteller.report.render import TemplateProblem, data_uri
from storyteller.report.sections import Headline
from storyteller.report.views import StoryView

if TYPE_CHECKING:
    from storyteller.evidence.pack import Evidence

TITLE_CHARS = 90  # a win's title, shortened beyond this (a story title may have 120)
METRIC_CHARS = 70  # a win's metric name (a metric name may have 100)
ORGANIZATION_CHARS = 80
BEYOND = 3  # wins that are not time, named on the brief
ELLIPSIS = "\u2026"


def clip(text: str, most: int) -> str:
    """``text`` on one line, at most ``most`` characters, ending in an ellipsis when shortened."""
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 1].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Card:
    """One key figure of the brief: the report's headline tile, with its change against the
    previous period when there is one to compare with."""

    label: str
    value: str
    note: str
    trend: str = ""  # "+12% vs Q2", or "" when there is nothing to compare with
    direction: str = ""  # "up", "down", "same", or ""
    negative: bool = False  # the figure is a loss: never styled as a gain


def _card(tile: Headline, note: str | None = None) -> Card:
    change = tile.change
    return Card(
        tile.label, tile.value, tile.note if note is None else note, change.text, change.direction, tile.negative
    )


@dataclass(frozen=True)
class Win:
    """One of the top wins as one sentence: what got better, from what to what."""

    title: str
    measure: str  # the metric's name, "" when no metric improved
    before: str
    after: str
    result: str  # "2.5× faster", "eliminated"
    figure: str  # the story's highlight: "240 hours a year, $22,800"
    category: str

    @property
    def sentence(self) -> str:
        """The win in plain words, for the text digests: "Title: measure 50 min → 20 min (2.5× faster); 240 hours a year"."""
        text = self.title
        if self.measure:
            text += f": {self.measure} {self.before} \u2192 {self.after} ({self.result})"
        return f"{text}; {self.figure}" if self.figure else text


@dataclass(frozen=True)
class Beyond:
    """A win that is not time (the report's sections.Win), its story text shortened."""

    story: str
    metric: str
    text: str  # "3 → 0, eliminated", "81% → 100% (+19 pp)"

    @property
    def sentence(self) -> str:
        return f"{self.metric}: {self.text} ({self.story})"


@dataclass(frozen=True)
class Brief:
    """Everything the brief (templates/brief.html) and the digests show."""

    organization: str
    title: str
    period_key: str
    period_label: str
    period_dates: str
    generated: str
    lang: str
    palette: Palette
    logo: Path | None
    paper: str
    cards: tuple[Card, ...]  # value, hours, delivered, measured share
    wins: tuple[Win, ...]  # up to three
    realised: Card  # what every delivered story realised in the period (not a run-rate)
    beyond: tuple[Beyond, ...]  # up to BEYOND wins that are not time
    other_currency: str  # savings in other currencies, never converted, or ""
    report_file: str  # the full report's PDF, beside the brief
    empty: bool
    charts: tuple[Chart, ...]  # the summary's charts (by category, over time), for the e-mail digest
    evidence: Evidence | None = None  # the files its PDF carries (storyteller/evidence), for the foot's pointer


def _win(view: StoryView) -> Win:
    lead = view.lead
    return Win(
        title=clip(view.title, TITLE_CHARS),
        measure=clip(lead.name, METRIC_CHARS) if lead else "",
        before=lead.before if lead else "",
        after=lead.after if lead else "",
        result=lead.result if lead else "",
        figure=view.highlight,
        category=view.category_label,
    )


def brief(report: ReportContext, report_file: str) -> Brief:
    """The brief of ``report``; ``report_file`` is the name of the full report's PDF. The
    brief's PDF carries the evidence ``report.evidence`` names (None: no PDF is made)."""
    h = report.headlines
    cards = (_card(h.money), _card(h.hours), _card(h.delivered), _card(h.measured))
    in_hours = f"{h.realised_hours} hours, " if h.realised_money and h.realised_hours else ""  # the value is money
    summary_charts = tuple(c for c in (report.categories.chart, report.trend.chart) if c is not None)
    return Brief(
        organization=clip(report.organization, ORGANIZATION_CHARS),
        title=report.title,
        period_key=report.period.key,
        period_label=report.period_label,
        period_dates=report.period_dates,
        generated=report.generated,
        lang=report.lang,
        palette=report.palette,
        logo=report.logo,
        paper=report.paper,
        cards=cards,
        wins=tuple(_win(v) for v in report.top_wins),
        realised=_card(h.realised, in_hours + h.realised.note),
        beyond=tuple(
            Beyond(clip(w.story, TITLE_CHARS), clip(w.metric, METRIC_CHARS), w.text) for w in h.beyond[:BEYOND]
        ),
        other_currency=h.other_currency,
        report_file=report_file,
        empty=report.empty,
        charts=summary_charts,
        evidence=report.evidence,
    )


def brief_html(
    env: Environment, item: Brief, mode: str, fonts_css: str, created: str = "", root: Path | None = None
) -> str:
    """The brief as HTML: ``mode`` "html" inlines the logo, "pdf" refers to it by URL in the
    workspace ``root`` (fonts as ``fonts_css`` gives them)."""
    logo_src = ""
    if item.logo is not None:
        logo_src = data_uri(item.logo) if mode == "html" else workspace_url(item.logo, root)
    try:
        return env.get_template("brief.html").render(
            brief=item,
            mode=mode,
            fonts_css=Markup(fonts_css),  # generated from our own font files, not from input
            logo_src=logo_src,
            version=__version__,
            created=created,
            part=WHOLE,  # report.css, which the brief includes, asks which pieces a document holds
        )
    except TemplateNotFound as error:
        raise TemplateProblem(f"brief template not found: {error.name}; built-in templates are default:NAME") from error
    except TemplateError as error:
        raise TemplateProblem(f"brief template error: {error.message}") from error
