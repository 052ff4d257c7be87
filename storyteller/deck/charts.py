"""The deck's charts as native PowerPoint charts (their data in an embedded, editable workbook),
drawn from the same rows as the report's charts (report/charts.py) in the same palette: the
brand colour for what was achieved, a grey for "before", a light tint for estimates, a red
for regressions, apart in lightness so a greyscale print keeps them apart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.util import Pt

from storyteller.report.charts import INK, MUTED, CategoryRow, Palette, is_net
from storyteller.report.fmt import rounded

Box = tuple[int, int, int, int]  # left, top, width, height in EMU


def rgb(colour: str) -> RGBColor:
    red, green, blue = bytes.fromhex(colour.lstrip("#"))
    return RGBColor(red, green, blue)


def _chart(slide: Any, kind: Any, data: CategoryChartData, box: Box, legend: bool) -> Any:
    frame = slide.shapes.add_chart(kind, *box, data)
    chart = frame.chart
    chart.font.size = Pt(11)
    chart.font.color.rgb = rgb(INK)
    chart.has_title = False  # the slide says what a chart shows
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
    return chart


def _fill(target: Any, colour: str) -> None:
    target.format.fill.solid()
    target.format.fill.fore_color.rgb = rgb(colour)


def _quiet_axes(chart: Any, value_axis_visible: bool) -> None:
    category, value = chart.category_axis, chart.value_axis
    category.has_major_gridlines = False
    category.format.line.color.rgb = rgb("#c9d0d5")
    category.tick_labels.font.color.rgb = rgb(INK)
    value.has_major_gridlines = value_axis_visible
    if value_axis_visible:
        value.major_gridlines.format.line.color.rgb = rgb("#e4e8eb")
        value.tick_labels.font.color.rgb = rgb(MUTED)
        value.format.line.fill.background()
    value.visible = value_axis_visible


def before_after(
    slide: Any, box: Box, rows: Sequence[tuple[str, float, float, str, str, bool]], palette: Palette
) -> Any:
    """Before and after of each metric as horizontal bars, each pair scaled to its larger value
    (100) so that different units sit side by side, as in the report; the labels carry the
    real values. rows: (metric name, before, after, before label, after label, regression)."""
    data = CategoryChartData(number_format="0")
    names = [f"{i + 1}. {name if len(name) <= 48 else name[:47] + chr(0x2026)}" for i, (name, *_) in enumerate(rows)]
    data.categories = names
    shares = [(b / top * 100, a / top * 100) for _, b, a, *_ in rows for top in [max(abs(b), abs(a)) or 1.0]]
    data.add_series("Before", [round(abs(b), 1) for b, _ in shares])
    data.add_series("After", [round(abs(a), 1) for _, a in shares])
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, data, box, legend=True)
    _quiet_axes(chart, value_axis_visible=False)
    chart.category_axis.reverse_order = True  # the first metric (and "Before") at the top, as read
    chart.value_axis.maximum_scale, chart.value_axis.minimum_scale = 140, 0
    plot = chart.plots[0]
    plot.gap_width, plot.overlap = 60, 0
    labels = [(b, a, regression) for _, _, _, b, a, regression in rows]
    before, after = plot.series
    _fill(before, palette.neutral)
    _fill(after, palette.primary)
    for index, (before_label, after_label, regression) in enumerate(labels):
        _label(before.points[index], before_label)
        _label(after.points[index], after_label)
        if regression:
            _fill(after.points[index], palette.accent)
    return chart


def _label(point: Any, text: str) -> None:
    label = point.data_label
    label.position = XL_LABEL_POSITION.OUTSIDE_END
    label.text_frame.text = text
    label.text_frame.paragraphs[0].runs[0].font.size = Pt(10)


def categories(slide: Any, box: Box, rows: Sequence[CategoryRow], palette: Palette, measure: str = "hours") -> Any:
    """Yearly value by category (hours, or money in the currency ``measure``), measured and
    estimated stacked, from the report's own rows (report/charts.py ``CategoryRow``). A net
    category (a loss, or parts of opposite signs) is one bar, in the regression colour when it
    is a loss, labelled "net" as in the report; the labels are the report's own figures."""
    net = [is_net(measured, estimated) for _, measured, estimated, *_ in rows]
    data = CategoryChartData(number_format="#,##0")
    data.categories = [label for label, *_ in rows]
    data.add_series(
        "Measured", [float(rounded(m + e if n else m, 0)) for (_, m, e, *_), n in zip(rows, net, strict=True)]
    )
    estimated = any(e and not n for (_, _, e, *_), n in zip(rows, net, strict=True))
    if estimated:
        data.add_series(
            "Estimated", [0.0 if n else float(rounded(e, 0)) for (_, _, e, *_), n in zip(rows, net, strict=True)]
        )
    kind = XL_CHART_TYPE.BAR_STACKED if estimated else XL_CHART_TYPE.BAR_CLUSTERED
    chart = _chart(slide, kind, data, box, legend=estimated)
    _quiet_axes(chart, value_axis_visible=False)
    chart.category_axis.reverse_order = True  # in the workspace's order, from the top
    plot = chart.plots[0]
    plot.gap_width = 60 if len(rows) > 2 else 200  # one or two bars stay bars, not blocks
    if estimated:
        plot.overlap = 100
    unit = " h" if measure == "hours" else ""
    inside = XL_LABEL_POSITION.CENTER if estimated else XL_LABEL_POSITION.OUTSIDE_END
    for place, (series, colour, ink) in enumerate(
        zip(plot.series, (palette.primary, palette.tint), ("#ffffff", INK), strict=False)
    ):
        _fill(series, colour)
        for index, (_, measured, part, total, shown_measured, shown_estimated) in enumerate(rows):
            point, value = series.points[index], (measured, part)[place]
            if net[index]:  # one bar, its label outside, as in the report
                if place == 0:
                    _label(point, f"net {total}{unit}")
                    if measured + part < 0:
                        _fill(point, palette.accent)
                continue
            if not value:
                continue
            _label(point, ((shown_measured, shown_estimated)[place] if estimated else total) + unit)
            point.data_label.position = inside
            point.data_label.text_frame.paragraphs[0].runs[0].font.color.rgb = rgb(ink if estimated else INK)
    return chart


def trend(slide: Any, box: Box, rows: Sequence[tuple[str, float, int]], palette: Palette) -> Any:
    """Hours saved a year by the stories delivered in each quarter. rows: (quarter, hours, stories)."""
    data = CategoryChartData(number_format="#,##0")
    data.categories = [quarter for quarter, _, _ in rows]
    data.add_series("Hours saved a year", [float(rounded(h, 0)) for _, h, _ in rows])
    chart = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, data, box, legend=False)
    _quiet_axes(chart, value_axis_visible=True)
    chart.value_axis.tick_labels.number_format, chart.value_axis.tick_labels.number_format_is_linked = "#,##0", False
    plot = chart.plots[0]
    plot.gap_width = 70
    _fill(plot.series[0], palette.primary)
    plot.has_data_labels = True
    plot.data_labels.number_format, plot.data_labels.number_format_is_linked = "#,##0", False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.data_labels.font.size = Pt(11)
    return chart
