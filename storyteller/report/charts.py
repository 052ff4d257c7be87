"""Charts: Vega-Lite specs built with Altair, rendered to static SVG by vl-convert.

No JavaScript, no network: vl-convert may load nothing (``allowed_base_urls=[]``) and uses
the fonts shipped with the package. Every chart comes with a text alternative made from its
data. SVGs are cached on disk, keyed by what a chart is drawn from (its data, the palette,
this module's code, the Altair and vl-convert versions), so an unchanged chart is never
converted twice and a cached one needs neither Altair nor vl-convert. The Altair part of
each kind of chart (its frame) is built once per look and the data is set into it.
"""

from __future__ import annotations

import colorsys
import dataclasses
import hashlib
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from storyteller.cache import SVG, read_entry
from storyteller.errors import signals_deferred
from storyteller.paths import workspace_url
from storyteller.report.fmt import rounded
from storyteller.workers import Pool, Stream, can_fork, cores
from storyteller.write import write_cache

FONTS = Path(__file__).resolve().parent.parent / "fonts"  # Inter, for the charts and the report
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
    """A chart for a template: words for it, what it is drawn from, and its SVG once drawn.

    ``kind`` and ``params`` are the drawing's inputs (plain values, so a worker process can
    draw it); the key is made from them, so a cached chart is found without drawing its spec.
    """

    key: str
    title: str
    description: str
    kind: str
    params: tuple[Any, ...]
    svg: str = ""
    url: str = ""  # the SVG's file in the chart cache: how the PDF source refers to it

    @property
    def spec(self) -> dict[str, Any]:
        """The Vega-Lite spec, with our theme (built with Altair when asked for)."""
        frame, args, values = _PARTS[self.kind](*self.params)
        return {**frame(*args), "data": {"values": values}}

    @property
    def data_uri(self) -> str:
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")

    @property
    def src(self) -> str:
        """For ``<img src>``: the SVG inline once drawn, else its file (the PDF source)."""
        return self.data_uri if self.svg else self.url


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


# A chart in parts: the function that builds its frame with Altair (everything but the data,
# the same for many charts: built, and compiled to Vega, once per look), its arguments, and
# the data rows.
Parts = tuple[Callable[..., dict[str, Any]], tuple[Any, ...], list[dict[str, Any]]]
FRAME_DATA = "frame"  # the name of the frame's data source, filled with each chart's rows


@cache
def _fingerprint() -> str:
    """What else decides how a chart looks: this module's code and the Altair version, so
    a change to either redraws the cached charts (vl-convert's version is in the file name)."""
    from importlib.metadata import version

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16] + "|" + version("altair")


def _chart(kind: str, params: tuple[Any, ...], title: str, description: str) -> Chart:
    text = repr((kind, params))  # plain values: strings, numbers, booleans, tuples, Palette
    key = hashlib.sha256(f"{text}|{_fingerprint()}".encode()).hexdigest()[:32]
    return Chart(key, title, description, kind, params)


def _whole(hours: float) -> str:
    """Whole hours for a chart's labels, rounded as the report's text rounds them (half away from zero)."""
    return f"{rounded(hours):,}"


# One bar of the category chart: (label, measured, estimated, and the same three as the
# report writes them: "$45,600", "480"), in hours or in money.
CategoryRow = tuple[str, float, float, str, str, str]


def category_row(label: str, measured: float, estimated: float, shown: Callable[[float], str]) -> CategoryRow:
    """A bar of the category chart, its figures written by ``shown`` (whole hours, or money)."""
    return (label, measured, estimated, shown(measured + estimated), shown(measured), shown(estimated))


def category_chart(rows: Sequence[CategoryRow], palette: Palette, measure: str = "hours") -> Chart:
    """Yearly value per category, measured and estimated stacked; ``measure`` is "hours", or
    the currency code ("USD") of money when the workspace has an hourly rate. A category whose total is a loss is one
    bar, to the left of zero, in the regression colour, labelled "net"; so is one whose
    measured and estimated parts have opposite signs (a stack of them would mislead)."""
    rows = tuple(rows)
    parts = []
    for label, measured, estimated, total, shown_measured, shown_estimated in rows:
        net = measured + estimated < 0
        text = f"{label}: {'net ' if net else ''}{total}{' hours' if measure == 'hours' else ''}"
        if estimated and not is_net(measured, estimated):
            text += f" ({shown_measured} measured, {shown_estimated} estimated)"
        parts.append(text + (", a net loss" if net else ""))
    kind = "hours" if measure == "hours" else "money"
    title = f"Yearly {kind} saved by category"
    description = f"Bar chart of yearly {kind} saved by category. "
    description += "; ".join(parts) + "."
    return _chart("category", (rows, palette, measure), title, description)


def is_net(measured: float, estimated: float) -> bool:
    """Shown as one net bar: a loss, or parts of opposite signs."""
    return measured + estimated < 0 or measured * estimated < 0


def _category_spec(rows: tuple[CategoryRow, ...], palette: Palette, measure: str) -> Parts:
    data = []
    for label, measured, estimated, total, _, _ in rows:
        value = measured + estimated
        net = is_net(measured, estimated)
        text = ("net " if net else "") + total + (" h" if measure == "hours" else "")
        room = value * 1.35 if value >= 0 else value * 1.1  # space for the label beside the bar (or the axis)
        base = {"category": label, "total": round(value, 1), "label": text, "room": round(room, 1)}
        if net:
            data.append({**base, "part": "Net loss" if value < 0 else "Net", "value": round(value, 1), "order": 0})
            continue
        data.append({**base, "part": "Measured", "value": round(measured, 1), "order": 0})
        if estimated:
            data.append({**base, "part": "Estimated", "value": round(estimated, 1), "order": 1, "label": ""})
    order = tuple(row[0] for row in rows)
    shown = tuple(p for p in CATEGORY_PARTS if any(d["part"] == p for d in data))
    axis = "Hours saved a year" if measure == "hours" else f"Money saved a year ({measure})"
    return _category_frame, (order, shown, palette, axis), data


CATEGORY_PARTS = ("Measured", "Estimated", "Net", "Net loss")


@cache
def _category_frame(order: tuple[str, ...], shown: tuple[str, ...], palette: Palette, axis: str) -> dict[str, Any]:
    import altair as alt

    base = alt.Chart(alt.NamedData(name=FRAME_DATA)).encode(
        y=alt.Y("category:N", sort=list(order), title=None, axis=alt.Axis(labelLimit=190, labelFontSize=12))
    )
    colours = [palette.primary, palette.tint, palette.primary, palette.accent]
    bars = base.mark_bar(height={"band": 0.62}).encode(
        x=alt.X("sum(value):Q", title=axis, axis=alt.Axis(format=",.0f", tickCount=5)),
        color=alt.Color(
            "part:N",
            scale=alt.Scale(domain=list(CATEGORY_PARTS), range=colours),
            legend=alt.Legend(values=list(shown)) if len(shown) > 1 else None,
        ),
        order=alt.Order("order:Q"),
    )
    room = base.mark_tick(opacity=0).encode(x="room:Q")  # space for the labels beside the bars
    gains = base.transform_filter("datum.total >= 0 && datum.label != ''")
    losses = base.transform_filter("datum.total < 0 && datum.label != ''")
    right = gains.mark_text(align="left", dx=4, fontSize=11, color=INK).encode(x="total:Q", text="label:N")
    # A loss is labelled right of the zero line, where no category's name can be.
    left = losses.mark_text(align="left", dx=4, fontSize=11, color=INK).encode(x=alt.datum(0), text="label:N")
    zero = alt.Chart(alt.NamedData(name=FRAME_DATA)).mark_rule(color=MUTED).encode(x=alt.datum(0))
    height = max(60, 34 * len(order))
    layered = alt.layer(bars, room, right, left, zero)
    return _spec(layered.properties(width=440, height=height), 440, height)


def trend_chart(rows: Sequence[tuple[str, float, int]], palette: Palette) -> Chart:
    """Hours saved and delivered stories per quarter. rows: (quarter label, hours, stories)."""
    rows = tuple(rows)
    description = (
        "Bar chart of hours saved a year per quarter, with the number of delivered stories. "
        + "; ".join(f"{q}: {_whole(h)} hours from {n} {'story' if n == 1 else 'stories'}" for q, h, n in rows)
        + "."
    )
    return _chart("trend", (rows, palette), "Hours saved and stories per quarter", description)


def _trend_spec(rows: tuple[tuple[str, float, int], ...], palette: Palette) -> Parts:
    data = [
        {"quarter": q, "hours": round(h, 1), "label": f"{_whole(h)} h \u00b7 {n} {'story' if n == 1 else 'stories'}"}
        for q, h, n in rows
    ]
    return _trend_frame, (palette,), data


@cache
def _trend_frame(palette: Palette) -> dict[str, Any]:
    import altair as alt

    base = alt.Chart(alt.NamedData(name=FRAME_DATA)).encode(
        x=alt.X("quarter:O", title=None, sort=None, axis=alt.Axis(labelAngle=0))
    )
    bars = base.mark_bar(color=palette.primary, size=38).encode(
        y=alt.Y("hours:Q", title="Hours saved a year", axis=alt.Axis(format=",.0f", tickCount=4))
    )
    labels = base.mark_text(dy=-8, fontSize=11, color=INK).encode(y="hours:Q", text="label:N")
    return _spec(alt.layer(bars, labels).properties(width=440, height=170), 440, 170)


BEFORE_AFTER = ("Before", "After", "After (worse)")


def before_after_chart(title: str, rows: Sequence[tuple[str, float, float, str, str, bool]], palette: Palette) -> Chart:
    """Before and after of each metric, scaled to the larger of the two so different units
    sit side by side; the labels carry the real values.
    rows: (metric name, before, after, before label, after label, regression)."""
    rows = tuple(rows)
    description = (
        f"Before and after of {title}: "
        + "; ".join(f"{name}: {b} before, {a} after{' (worse)' if r else ''}" for name, _, _, b, a, r in rows)
        + "."
    )
    return _chart("before_after", (rows, palette), f"Before and after: {title}", description)


def _before_after_spec(rows: tuple[tuple[str, float, float, str, str, bool], ...], palette: Palette) -> Parts:
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
    shown = tuple(w for w in BEFORE_AFTER if any(d["when"] == w for d in data))
    return _before_after_frame, (shown, palette), data


@cache
def _before_after_frame(shown: tuple[str, ...], palette: Palette) -> dict[str, Any]:
    import altair as alt

    domain = list(BEFORE_AFTER)
    colours = [palette.neutral, palette.primary, palette.accent]
    base = alt.Chart(alt.NamedData(name=FRAME_DATA)).encode(
        y=alt.Y("when:N", sort=domain, title=None, axis=None),
        x=alt.X("share:Q", axis=None, scale=alt.Scale(domain=[0, 135])),
    )
    bars = base.mark_bar(height=10).encode(
        color=alt.Color(
            "when:N",
            scale=alt.Scale(domain=domain, range=colours),
            legend=alt.Legend(orient="top", values=list(shown), direction="horizontal"),
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
    return _spec(chart, 340, 30)


_PARTS: dict[str, Callable[..., Parts]] = {
    "category": _category_spec,
    "trend": _trend_spec,
    "before_after": _before_after_spec,
}


_CONVERTER = threading.Lock()  # the Drawing's thread and the main one may both ask first
_converters: list[Any] = []


def _converter() -> Any:
    """vl-convert, with our fonts registered once."""
    with _CONVERTER:
        if not _converters:
            import vl_convert

            vl_convert.register_font_directory(str(FONTS))
            _converters.append(vl_convert)
        return _converters[0]


def converter_version() -> str:
    from importlib.metadata import version

    return version("vl-convert-python")


def draw(chart: Chart) -> tuple[str, str]:
    """(key, SVG) of one chart. Module-level, so that a worker process can run it.

    The frame is compiled from Vega-Lite to Vega once, and each chart's rows are set into
    the compiled Vega: the same SVG as converting the whole Vega-Lite spec, in two thirds
    of the time."""
    frame, args, values = _PARTS[chart.kind](*chart.params)
    vega = _given.get((frame.__name__, args)) or _compiled(frame, args)
    data = [dict(d, values=values) if d.get("name") == FRAME_DATA else d for d in vega["data"]]
    return chart.key, _converter().vega_to_svg({**vega, "data": data}, allowed_base_urls=[])


FrameKey = tuple[str, tuple[Any, ...]]  # a frame function's name and its arguments
_given: dict[FrameKey, dict[str, Any]] = {}  # compiled by another process (use_frames)


def compiled_frames(charts: Iterable[Chart]) -> tuple[tuple[FrameKey, dict[str, Any]], ...]:
    """The compiled Vega of every frame that ``charts`` need: compiled once and handed to the
    worker processes that convert the charts (use_frames), which then need no Altair and do
    not compile the same frames again."""
    frames: dict[FrameKey, dict[str, Any]] = {}
    for chart in charts:
        frame, args, _values = _PARTS[chart.kind](*chart.params)
        if (frame.__name__, args) not in frames:
            frames[frame.__name__, args] = _compiled(frame, args)
    return tuple(frames.items())


def use_frames(frames: Iterable[tuple[FrameKey, dict[str, Any]]]) -> None:
    _given.update(frames)


@cache
def _compiled(frame: Callable[..., dict[str, Any]], args: tuple[Any, ...]) -> dict[str, Any]:
    vega: dict[str, Any] = _converter().vegalite_to_vega(frame(*args))
    if sum(d.get("name") == FRAME_DATA for d in vega["data"]) != 1:
        raise ValueError(f"{frame.__name__}: the compiled chart has no single data source named {FRAME_DATA!r}")
    return vega


WORKERS = 2  # processes converting charts; vl-convert keeps one core busy each
POOL_FROM = 24  # charts to convert before worker processes pay for their start (about 1 s of CPU each)


def _well_formed(svg: bytes) -> bool:
    """Whether a cached SVG is whole XML: an entry cut short or edited is converted again,
    as WeasyPrint would stop on it and the HTML would carry its broken markup. Expat, as
    WeasyPrint's own parser uses: 0.06 ms a chart, no entity expansion bomb (Python's expat
    limits amplification), nothing fetched."""
    import xml.parsers.expat

    try:
        xml.parsers.expat.ParserCreate().Parse(svg, True)
    except xml.parsers.expat.ExpatError:
        return False
    return True


class Drawing:
    """The SVGs of a set of charts: cached ones read at once, the others converted in the
    order given, so that a document laid out in order rarely waits for one.

    With ``beside`` (this process has other work meanwhile: a PDF's layout), they are
    converted from the start, on the other core, while WeasyPrint is imported and parses:
    by a forked copy of this process (workers.Stream) while no other thread runs and
    vl-convert is not loaded here, so that Altair and vl-convert never load into this
    process; else (a PDF's worker pool runs) by one thread of this process (vl-convert lets
    go of the GIL while it converts), which a PDF laid out in parts asks to convert its
    parts' charts first (prefer). A chart asked for before the thread reached it, or that
    the copy did not send, is converted at once, here. Without ``beside``, from POOL_FROM
    missing charts on, spawned worker processes convert them (workers.Pool; a forked pool
    hung in vl-convert), and below that they are converted here and now.

    Use as a context manager: leaving it stops the thread and the workers, the workers at
    once after an error.
    """

    def __init__(
        self, charts: Sequence[Chart], cache_dir: Path | None, root: Path | None = None, beside: bool = False
    ) -> None:
        self.cache_dir = cache_dir
        self.root = root  # the workspace: the PDF source names cached charts relative to it
        self.version = converter_version()
        self.svgs: dict[str, str] = {}
        self.pending: dict[str, Future[Any]] = {}
        self.charts: dict[str, Chart] = {}
        self.pool: Pool | None = None
        self.thread: ThreadPoolExecutor | None = None
        self.stream: Stream[Chart, tuple[str, str]] | None = None
        self._streamed: dict[str, int] = {}  # the stream's charts not taken yet: their number
        self._finished: deque[Future[Any]] = deque()
        missing = []
        for chart in charts:
            if chart.key in self.charts:
                continue
            self.charts[chart.key] = chart
            path = self._path(chart.key)
            cached = read_entry(path, SVG, root or path.parents[2]) if path is not None else None
            if cached is not None and _well_formed(cached):
                self.svgs[chart.key] = cached.decode("utf-8", "replace")
            else:
                missing.append(chart)
        self._by_url = {self._url(key): key for key in self.charts} if cache_dir is not None else {}
        self.missing = tuple(missing)
        if missing:
            try:
                self._convert(missing, beside)
            except BaseException:  # a signal as the copy, thread or workers started: no __exit__ follows
                self.close(at_once=True)
                raise

    def _convert(self, missing: list[Chart], beside: bool) -> None:
        workers = min(WORKERS, cores())
        if not beside and (len(missing) < POOL_FROM or workers < 2):
            for chart in missing:
                self._keep(*draw(chart))
            return
        if beside and can_fork() and cores() >= 2 and "vl_convert" not in sys.modules:
            with signals_deferred():  # the copy known to close() before a signal can end this
                self.stream = Stream(draw, missing)
            self._streamed = {chart.key: index for index, chart in enumerate(missing)}
            return
        if beside:
            self.thread = ThreadPoolExecutor(1, thread_name_prefix="storyteller-charts")
        else:
            self.pool = Pool(workers, "chart")
        converter: ThreadPoolExecutor | Pool = self.thread or self.pool  # type: ignore[assignment]  # one was just made
        for chart in missing:
            self._submit(converter, chart)

    def prefer(self, keys: Iterable[str]) -> None:
        """Have the thread convert the charts ``keys`` first, in that order, then the others
        (the order a PDF laid out in parts hands its parts out, largest first)."""
        if self.thread is None:
            return
        first = [key for key in dict.fromkeys(keys) if key in self.pending]
        again = [key for key in [*first, *self.pending] if self.pending[key].cancel()]  # not started yet
        for key in dict.fromkeys(again):
            self._submit(self.thread, self.charts[key])

    def _submit(self, converter: ThreadPoolExecutor | Pool, chart: Chart) -> None:
        future: Future[Any]
        if converter is self.pool:
            future = converter.submit(draw, chart)
        else:
            with signals_deferred():  # the first starts the thread (errors.signals_deferred)
                future = converter.submit(self._cached, chart)
        future.add_done_callback(self._finished.append)  # from another thread; a deque is safe
        self.pending[chart.key] = future

    def _collect(self) -> None:
        """Keep the charts the thread or the workers have finished; once none is left, stop
        them, so that the workers' memory is free before WeasyPrint's layout needs its own."""
        for _ in range(len(self._finished)):  # those finished by now: more keep coming
            future = self._finished.popleft()
            if future.cancelled():  # converted here instead (svg)
                continue
            key, svg = self._outcome(future)  # a worker's error is raised here
            if self.pending.pop(key, None) is not None:
                self._keep(key, svg)
        if not self.pending and not self._streamed:
            self.close()

    def _outcome(self, future: Future[Any]) -> tuple[str, str]:
        if self.pool is None:  # the thread's: its error is raised as it is
            done: tuple[str, str] = future.result()
            return done
        outcome: tuple[str, str] = self.pool.outcome(future)
        return outcome

    def _path(self, key: str) -> Path | None:
        return self.cache_dir / f"{key}-{self.version}.svg" if self.cache_dir is not None else None

    def _url(self, key: str) -> str:
        path = self._path(key)
        return workspace_url(path, self.root) if path is not None else ""

    def _keep(self, key: str, svg: str) -> None:
        self.svgs[key] = svg
        if self.thread is None:  # the thread's charts are in the cache already (_cached)
            self._cache(key, svg)

    def _cache(self, key: str, svg: str) -> None:
        path = self._path(key)
        if path is not None:
            write_cache(path, svg)

    def _cached(self, chart: Chart) -> tuple[str, str]:
        """The thread's job: a chart converted and written to the cache (a write that waits
        for the disk), so that neither holds up the layout; ``svgs`` is the main thread's."""
        key, svg = draw(chart)
        self._cache(key, svg)
        return key, svg

    def svg(self, key: str) -> str:
        """The SVG of the chart ``key``, waiting for its conversion if need be."""
        index = self._streamed.pop(key, None)
        if index is not None and self.stream is not None:
            self._keep(*(self.stream.get(index) or draw(self.charts[key])))  # None: the copy failed
        future = self.pending.pop(key, None)
        if future is not None:
            if self.thread is not None and future.cancel():  # asked for before the thread reached it
                self._keep(*self._cached(self.charts[key]))
            else:
                self._keep(*self._outcome(future))
        self._collect()
        return self.svgs[key]

    def urls(self) -> tuple[str, ...]:
        """The URL of every chart in the cache folder, which ``resource`` serves."""
        return tuple(self._by_url)

    def resource(self, url: str) -> bytes | None:
        """The SVG behind a chart's ``url`` (for the PDF renderer), or None for other URLs."""
        key = self._by_url.get(url)
        return self.svg(key).encode("utf-8") if key is not None else None

    @cached_property
    def _located(self) -> dict[str, Chart]:
        return {key: dataclasses.replace(c, url=self._url(key), svg="") for key, c in self.charts.items()}

    def located(self) -> dict[str, Chart]:
        """Every chart with its ``url`` and no SVG yet: for the PDF source."""
        return self._located

    def placeheld(self, nonce: str) -> dict[str, Chart]:
        """Every chart with ``nonce`` + its key for ``src``: for HTML rendered before the charts
        are converted, the placeholders replaced by their SVG afterwards."""
        return {key: dataclasses.replace(c, url=nonce + key, svg="") for key, c in self.charts.items()}

    @cached_property
    def _drawn(self) -> dict[str, Chart]:
        return {key: dataclasses.replace(c, svg=self.svg(key), url=self._url(key)) for key, c in self.charts.items()}

    def drawn(self) -> dict[str, Chart]:
        """Every chart with its SVG, once all are converted: for the HTML report."""
        return self._drawn

    def close(self, at_once: bool = False) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        if self.thread is not None:  # the chart it is converting is finished, the others dropped
            # Stopped by an error or a signal: not waited for. The signal's exception may have
            # struck this thread inside the executor's own locking, and the process ends next.
            self.thread.shutdown(wait=not at_once, cancel_futures=True)
            self.thread = None
        if self.pool is not None:
            self.pool.close(at_once)
            self.pool = None

    def __enter__(self) -> Drawing:
        return self

    def __exit__(self, error: type[BaseException] | None, *_rest: object) -> None:
        if error is None:
            self.drawn()  # keep every chart in the cache, those no report showed too
        self.close(at_once=error is not None)


def render(charts: Sequence[Chart], cache_dir: Path | None) -> list[Chart]:
    """Charts with their SVG: from the cache when the same chart was drawn before, else converted."""
    with Drawing(charts, cache_dir) as drawing:
        drawn = drawing.drawn()
    return [drawn[c.key] for c in charts]


def to_png(svg: str, scale: float = 2.0) -> bytes:
    """A drawn chart as PNG, with the packaged fonts: for readers that show no SVG (mail
    clients; storyteller/digest/mail.py). ``scale`` 2 keeps it sharp on high-density screens."""
    return bytes(_converter().svg_to_png(svg, scale=scale))
