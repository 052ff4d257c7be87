"""Charts: Vega-Lite specs built with Altair, rendered to static SVG by vl-convert.

No JavaScript, no network: vl-convert may load nothing (``allowed_base_urls=[]``) and uses
the fonts shipped with the package. Every chart comes with a text alternative made from its
data. SVGs are cached on disk, keyed by the spec (which holds the data and the theme) and
the vl-convert version, so an unchanged chart is never converted twice.
"""

from __future__ import annotations

import colorsys
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, wraps
from pathlib import Path
from typing import Any

from storyteller.write import write_cache

FONTS = Path(__file__).resolve().parent / "fonts"  # Inter, for the charts and the report
THEME_VERSION = "3"  # bump when the look changes, so cached charts are redrawn
FONT_STACK = "Inter, 'Helvetica Neue', Arial, sans-serif"
INK = "#1d2730"
MUTED = "#5b6670"
GRID = "#e4e8eb"


@dataclass(frozen=True)
class Palette:
    """Colours derived from the brand colour, apart in lightness so they survive greyscale."""

    primary: str  # dark enough for white text and for lines on white
    tint: str  # a light version: estimated figures
    neutral: str  # "before" bars
    accent: str  # regressions

    @classmethod
    def from_brand(cls, brand: str) -> Palette:
        """Keep the brand's hue; set each colour's luma so the four stay apart in greyscale
        (dark primary, mid accent, lighter neutral, light tint) and white text on the
        primary stays readable."""
        r, g, b = (int(brand[i : i + 2], 16) / 255 for i in (1, 3, 5))
        hue, _lightness, saturation = colorsys.rgb_to_hls(r, g, b)
        primary = brand if luma(brand) <= 0.32 else _at_luma(hue, max(saturation, 0.35), 0.3)
        accent_luma = max(luma(primary) + 0.16, 0.3)
        neutral_luma = accent_luma + 0.16
        return cls(
            primary=primary,
            tint=_at_luma(
                hue, 0.0 if saturation < 0.05 else min(0.55, max(saturation, 0.3)), min(0.9, neutral_luma + 0.15)
            ),
            neutral=_at_luma(0.57, 0.08, neutral_luma),  # a cool grey
            accent=_at_luma(0.0, 0.65, accent_luma),  # a red for regressions
        )


def luma(colour: str) -> float:
    """Rec. 709 luma (0 black .. 1 white): the grey a colour becomes in a greyscale print."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _at_luma(hue: float, saturation: float, target: float) -> str:
    low, high = 0.0, 1.0
    for _ in range(30):  # bisect the HLS lightness until the luma is on target
        middle = (low + high) / 2
        if luma(_hls(hue, middle, saturation)) < target:
            low = middle
        else:
            high = middle
    return _hls(hue, (low + high) / 2, saturation)


def _hls(hue: float, lightness: float, saturation: float) -> str:
    r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


@dataclass(frozen=True)
class Chart:
    """A chart ready for a template: its spec, its SVG once rendered, and words for it."""

    key: str
    title: str
    description: str
    spec: dict[str, Any]
    svg: str = ""

    @property
    def data_uri(self) -> str:
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _config(width: int, height: int) -> dict[str, Any]:
    return {
        "font": FONT_STACK,
        "background": "white",
        "padding": 4,
        "view": {"stroke": None, "continuousWidth": width, "continuousHeight": height},
        "axis": {
            "labelColor": MUTED,
            "titleColor": MUTED,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleFontWeight": 500,
            "domainColor": "#c5ccd1",
            "tickColor": "#c5ccd1",
            "gridColor": GRID,
        },
        "legend": {"labelColor": INK, "labelFontSize": 11, "titleFontSize": 11, "orient": "top", "title": None},
        "text": {"color": INK, "fontSize": 11},
    }


def _spec(chart: Any, width: int, height: int) -> dict[str, Any]:
    """The Vega-Lite of a chart whose (inner) views are ``width`` x ``height``, with our theme."""
    spec: dict[str, Any] = chart.to_dict(validate=False)
    spec["config"] = _config(width, height)
    spec.pop("$schema", None)  # the bundled Vega-Lite is used; nothing is fetched
    return spec


def _key(spec: dict[str, Any]) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(f"{text}|{THEME_VERSION}".encode()).hexdigest()[:32]


def _remembered(make: Callable[..., Chart]) -> Callable[..., Chart]:
    """Remember the charts made recently: a chart is a pure function of its arguments, and
    Altair takes about 50 ms to make one, which the live preview would pay for every story
    on every rebuild although only the edited story's chart changes."""
    memo: dict[str, Chart] = {}

    @wraps(make)
    def remembered(*args: Any) -> Chart:
        key = repr(args)  # strings, numbers, tuples and a frozen Palette: the repr is the value
        chart = memo.get(key)
        if chart is None:
            if len(memo) >= 4096:
                memo.clear()
            chart = memo[key] = make(*args)
        return chart

    return remembered


@_remembered
def category_chart(rows: Sequence[tuple[str, float, float]], palette: Palette, unit_label: str) -> Chart:
    """Yearly hours saved per category, measured and estimated stacked. rows: (label, measured, estimated)."""
    import altair as alt

    data = []
    for label, measured, estimated in rows:
        data.append({"category": label, "part": "Measured", "hours": round(measured, 1), "order": 0})
        if estimated:
            data.append({"category": label, "part": "Estimated", "hours": round(estimated, 1), "order": 1})
    order = [label for label, _, _ in rows]
    has_estimates = any(e for _, _, e in rows)
    bars = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(height={"band": 0.62})
        .encode(
            y=alt.Y("category:N", sort=order, title=None, axis=alt.Axis(labelLimit=190, labelFontSize=12)),
            x=alt.X("sum(hours):Q", title=unit_label, axis=alt.Axis(format=",.0f", tickCount=5)),
            color=alt.Color(
                "part:N",
                scale=alt.Scale(domain=["Measured", "Estimated"], range=[palette.primary, palette.tint]),
                legend=alt.Legend() if has_estimates else None,
            ),
            order=alt.Order("order:Q"),
        )
    )
    height = max(60, 34 * len(rows))
    spec = _spec(bars.properties(width=440, height=height), 440, height)
    parts = []
    for label, measured, estimated in rows:
        text = f"{label}: {measured + estimated:,.0f} hours"
        if estimated:
            text += f" ({measured:,.0f} measured, {estimated:,.0f} estimated)"
        parts.append(text)
    description = "Bar chart of yearly hours saved by category. " + "; ".join(parts) + "."
    return Chart(_key(spec), "Yearly hours saved by category", description, spec)


@_remembered
def trend_chart(rows: Sequence[tuple[str, float, int]], palette: Palette) -> Chart:
    """Hours saved and delivered stories per quarter. rows: (quarter label, hours, stories)."""
    import altair as alt

    data = [
        {"quarter": q, "hours": round(h, 1), "label": f"{h:,.0f} h \u00b7 {n} {'story' if n == 1 else 'stories'}"}
        for q, h, n in rows
    ]
    base = alt.Chart(alt.Data(values=data)).encode(
        x=alt.X("quarter:O", title=None, sort=None, axis=alt.Axis(labelAngle=0))
    )
    bars = base.mark_bar(color=palette.primary, size=38).encode(
        y=alt.Y("hours:Q", title="Hours saved a year", axis=alt.Axis(format=",.0f", tickCount=4))
    )
    labels = base.mark_text(dy=-8, fontSize=11, color=INK).encode(y="hours:Q", text="label:N")
    spec = _spec(alt.layer(bars, labels).properties(width=440, height=170), 440, 170)
    description = (
        "Bar chart of hours saved a year per quarter, with the number of delivered stories. "
        + "; ".join(f"{q}: {h:,.0f} hours from {n} {'story' if n == 1 else 'stories'}" for q, h, n in rows)
        + "."
    )
    return Chart(_key(spec), "Hours saved and stories per quarter", description, spec)


@_remembered
def before_after_chart(title: str, rows: Sequence[tuple[str, float, float, str, str, bool]], palette: Palette) -> Chart:
    """Before and after of each metric, scaled to the larger of the two so different units
    sit side by side; the labels carry the real values.
    rows: (metric name, before, after, before label, after label, regression)."""
    import altair as alt

    data = []
    for index, (name, before, after, before_label, after_label, regression) in enumerate(rows):
        top = max(abs(before), abs(after)) or 1.0
        short = name if len(name) <= 64 else name[:63] + "\u2026"
        metric = f"{index + 1}. {short}"
        data.append({"metric": metric, "when": "Before", "share": abs(before) / top * 100, "label": before_label})
        data.append(
            {
                "metric": metric,
                "when": "After" if not regression else "After (worse)",
                "share": abs(after) / top * 100,
                "label": after_label,
            }
        )
    domain = ["Before", "After", "After (worse)"]
    colours = [palette.neutral, palette.primary, palette.accent]
    base = alt.Chart(alt.Data(values=data)).encode(
        y=alt.Y("when:N", sort=domain, title=None, axis=None),
        x=alt.X("share:Q", axis=None, scale=alt.Scale(domain=[0, 135])),
    )
    shown = [w for w in domain if any(d["when"] == w for d in data)]
    bars = base.mark_bar(height=10).encode(
        color=alt.Color(
            "when:N",
            scale=alt.Scale(domain=domain, range=colours),
            legend=alt.Legend(orient="top", values=shown, direction="horizontal"),
        )
    )
    labels = base.mark_text(align="left", dx=5, fontSize=11, color=INK).encode(text="label:N")
    layered = alt.layer(bars, labels).properties(width=340, height=30)
    chart = layered.facet(
        row=alt.Row(
            "metric:N",
            title=None,
            sort=None,
            header=alt.Header(
                labelAngle=0,
                labelAlign="left",
                labelAnchor="start",
                labelOrient="top",
                labelFontSize=11,
                labelFontWeight=500,
                labelColor=INK,
                labelPadding=3,
            ),
        ),
        spacing=10,
    )
    spec = _spec(chart, 340, 30)
    description = (
        f"Before and after of {title}: "
        + "; ".join(f"{name}: {b} before, {a} after{' (worse)' if r else ''}" for name, _, _, b, a, r in rows)
        + "."
    )
    return Chart(_key(spec), f"Before and after: {title}", description, spec)


@cache
def _converter() -> Any:
    import vl_convert

    vl_convert.register_font_directory(str(FONTS))
    return vl_convert


def converter_version() -> str:
    from importlib.metadata import version

    return version("vl-convert-python")


def render(charts: Sequence[Chart], cache_dir: Path | None) -> list[Chart]:
    """Charts with their SVG: from the cache when the same chart was drawn before, else
    converted (two threads: vl-convert releases the GIL, and threads cannot hang as a
    forked pool did)."""
    version = converter_version()
    results: dict[str, str] = {}
    missing: list[Chart] = []
    for chart in charts:
        path = cache_dir / f"{chart.key}-{version}.svg" if cache_dir else None
        if chart.key in results:
            continue
        if path is not None and path.is_file():
            results[chart.key] = path.read_text(encoding="utf-8")
        else:
            results[chart.key] = ""
            missing.append(chart)
    if missing:
        convert = _converter()

        def one(chart: Chart) -> tuple[str, str]:
            return chart.key, convert.vegalite_to_svg(chart.spec, allowed_base_urls=[])

        workers = min(2, len(missing), os.cpu_count() or 1)
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                done = list(pool.map(one, missing))
        else:
            done = [one(chart) for chart in missing]
        for key, svg in done:
            results[key] = svg
            if cache_dir is not None:
                write_cache(cache_dir / f"{key}-{version}.svg", svg)
    return [Chart(c.key, c.title, c.description, c.spec, results[c.key]) for c in charts]
