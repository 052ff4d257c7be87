"""The export contract: every computed figure as JSON (nested) or CSV (one row per metric)."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from storyteller.figures import units
from storyteller.figures.metrics import MetricFigures, StoryFigures, Totals, period_totals, story_figures
from storyteller.figures.periods import Selection
from storyteller.format.load import Workspace

DECIMALS = 4


def _round(value: float | None) -> float | None:
    """Four decimals, halves away from zero (spec v1.1), which also rounds away float noise
    (5831.999999 -> 5832.0); None stays null."""
    if value is None:
        return None
    if not math.isfinite(value):  # pragma: no cover - metrics never produce these
        raise ValueError(f"non-finite figure {value!r} reached the export")
    return units.round_half_away(value, DECIMALS)


def _ratio(value: float | None) -> float | None:
    """A factor is never 0 or infinite (the docs promise it): one below 1 (a regression of
    10^21 times) keeps its significant digits instead of rounding to 0."""
    shown = _round(value)
    if value is None or shown != 0:
        return shown  # 4 places, half away from zero, as every figure
    return float(f"{value:.{DECIMALS}g}")


def _money(amounts: dict[str, float]) -> dict[str, float | None]:
    return {code: _round(amount) for code, amount in sorted(amounts.items())}


def metric_record(figures: MetricFigures) -> dict[str, Any]:
    m = figures.metric
    return {
        "name": m.name,
        "unit": m.unit,
        "before": m.before,
        "after": m.after,
        "better": m.better,
        "change": _round(figures.change),
        "change_percent": _round(figures.change_percent),
        "factor": _ratio(figures.factor),
        "eliminated": figures.eliminated,
        "regression": figures.regression,
        "yearly_hours_saved": _round(figures.yearly_hours_saved),
        "basis": m.basis,
        "frequency": str(m.frequency) if m.frequency else None,
        "per": m.per,
        "hands_on": m.hands_on,
        "each": m.each.export() if m.each else None,
        "yearly_money_saved": _round(figures.yearly_money_saved),
        "yearly_cash_saved": _round(figures.yearly_cash_saved),
        "other_currency": _money(figures.other_currency),
        "source": m.source,
    }


def story_record(figures: StoryFigures) -> dict[str, Any]:
    s = figures.story
    return {
        "id": s.id,
        "file": s.file,
        "title": s.title,
        "quarter": str(s.quarter),
        "status": s.status,
        "team": s.team,
        "category": s.category,
        "yearly_hours_saved": _round(figures.yearly_hours_saved),
        "estimated_hours_saved": _round(figures.estimated_hours_saved),
        "yearly_money_saved": _round(figures.yearly_money_saved),
        "estimated_money_saved": _round(figures.estimated_money_saved),
        "yearly_cash_saved": _round(figures.yearly_cash_saved),
        "other_currency": _money(figures.other_currency),
        "fte": _round(figures.fte),
        "payback_weeks": _round(figures.payback_weeks),
        "go_live": figures.go_live.isoformat(),
        "effort_hours": s.effort_hours,
        "summary": s.summary,
        "date": s.date.isoformat() if s.date else None,
        "owners": list(s.owners),
        "partners": list(s.partners),
        "impact": list(s.impact),
        "tags": list(s.tags),
        "metrics": [metric_record(m) for m in figures.metrics],
    }


def totals_record(total: Totals) -> dict[str, Any]:
    return {
        "delivered": total.delivered,
        "in_progress": total.in_progress,
        "yearly_hours_saved": _round(total.yearly_hours_saved),
        "estimated_hours_saved": _round(total.estimated_hours_saved),
        "yearly_money_saved": _round(total.yearly_money_saved),
        "estimated_money_saved": _round(total.estimated_money_saved),
        "yearly_cash_saved": _round(total.yearly_cash_saved),
        "other_currency": _money(total.other_currency),
        "fte": _round(total.fte),
        "realised_hours": _round(total.realised_hours),
        "realised_money": _round(total.realised_money),
    }


def export_data(workspace: Workspace, selection: Selection) -> dict[str, Any]:
    config = workspace.config
    everything = [story_figures(s, config) for s in workspace.stories]
    chosen = [f for f in everything if selection.covers(f.story.quarter)]
    by_period = period_totals(chosen, config, everything)  # realised benefit counts every story
    if selection.quarter is not None:
        by_period = {k: v for k, v in by_period.items() if k == str(selection.quarter)}
    return {
        "workspace": {
            "organization": config.organization,
            "title": config.title,
            "currency": config.currency,
            "hourly_rate": config.hourly_rate,
            "hours_per_fte": config.hours_per_fte,
            "hours_per_week": config.hours_per_week,
            "workdays_per_year": config.workdays_per_year,
            "locale": config.locale,
            "fiscal_year_start": config.fiscal_year_start,
        },
        "selection": str(selection),
        "stories": [story_record(f) for f in chosen],
        "totals": {period: totals_record(t) for period, t in by_period.items()},
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


STORY_COLUMNS = (
    "id",
    "file",
    "title",
    "quarter",
    "status",
    "team",
    "category",
    "yearly_hours_saved",
    "estimated_hours_saved",
    "yearly_money_saved",
    "estimated_money_saved",
    "yearly_cash_saved",
    "other_currency",
    "fte",
    "payback_weeks",
    "effort_hours",
    "go_live",
)
METRIC_COLUMNS = (
    "name",
    "unit",
    "before",
    "after",
    "better",
    "change",
    "change_percent",
    "factor",
    "eliminated",
    "regression",
    "yearly_hours_saved",
    "basis",
    "frequency",
    "per",
    "hands_on",
    "each",
    "yearly_money_saved",
    "yearly_cash_saved",
    "other_currency",
    "source",
)


# A cell a spreadsheet would read as a formula (=HYPERLINK(...), @SUM(...), a DDE call):
# OWASP's advice for CSV files is to make it text with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_csv(data: dict[str, Any]) -> str:
    """One row per metric; a story without metrics still gets one row, so none is lost."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*STORY_COLUMNS, *(f"metric_{c}" for c in METRIC_COLUMNS)])
    for story in data["stories"]:
        head = [_cell(story[c]) for c in STORY_COLUMNS]
        for metric in story["metrics"] or [None]:
            tail = [_cell(metric[c]) if metric else "" for c in METRIC_COLUMNS]
            writer.writerow(head + tail)
    return out.getvalue()
