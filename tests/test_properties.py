"""Invariants of the metric math and the loader, over generated inputs (hypothesis)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from storyteller.figures import units
from storyteller.figures.export import export_data, to_json
from storyteller.figures.metrics import metric_figures, period_totals, story_figures
from storyteller.figures.periods import Quarter
from storyteller.format.config import Config
from storyteller.format.fields import MAX_MAGNITUDE, _bad_character
from storyteller.format.load import Workspace
from storyteller.format.story import Metric, Story
from storyteller.format.values import Each, Rate

from .helpers import metric

CONFIG = Config(root=Path("."), hourly_rate=95)
PERIODS = list(units.PERIODS)

non_negative = st.one_of(
    st.integers(0, 10_000), st.floats(0, MAX_MAGNITUDE, allow_nan=False, allow_infinity=False), st.just(0)
)
any_number = st.floats(-MAX_MAGNITUDE, MAX_MAGNITUDE, allow_nan=False, allow_infinity=False)


@st.composite
def metrics(draw: st.DrawFn) -> Metric:
    family = draw(st.sampled_from(["duration", "percent", "count", "currency", "other"]))
    frequency = per = hands_on = each = None
    if family == "duration":
        unit = draw(st.sampled_from(sorted(units.DURATION_ALIASES))).upper()  # any case is a duration
        before, after = draw(non_negative), draw(non_negative)
        better = "lower"
        hands_on = draw(st.booleans())
        if draw(st.booleans()):
            per = draw(st.sampled_from(PERIODS))
        else:
            frequency = draw(st.none() | st.builds(Rate, st.floats(0.01, 1_000_000), st.sampled_from(PERIODS)))
    elif family == "percent":
        unit, better = "percent", draw(st.sampled_from(["higher", "lower"]))
        before, after = draw(st.floats(0, 100)), draw(st.floats(0, 100))
    elif family == "count":
        unit, better = "count", draw(st.sampled_from(["higher", "lower"]))
        before, after = draw(non_negative), draw(non_negative)
        per = draw(st.none() | st.sampled_from(PERIODS))
        if per is not None:
            each = draw(
                st.none() | st.builds(Each, st.floats(0.01, 10_000), st.sampled_from(["minutes", "h", "USD", "EUR"]))
            )
    elif family == "currency":
        unit, better = draw(st.sampled_from(["USD", "EUR"])), "lower"
        before, after = draw(non_negative), draw(non_negative)
        if draw(st.booleans()):
            per = draw(st.sampled_from(PERIODS))
        else:
            frequency = draw(st.builds(Rate, st.floats(0.01, 1_000_000), st.sampled_from(PERIODS)))
    else:
        unit, better = "tickets", draw(st.sampled_from(["higher", "lower"]))
        before, after = draw(any_number), draw(any_number)
    basis = draw(st.sampled_from(["measured", "estimated"]))
    return metric(
        unit, before, after, better=better, frequency=frequency, per=per, hands_on=hands_on, each=each, basis=basis
    )


@st.composite
def stories(draw: st.DrawFn, index: int = 0) -> Story:
    return Story(
        id=f"s{index}",
        file=f"stories/s{index}.yaml",
        title="t",
        summary="s",
        quarter=Quarter(2026, draw(st.integers(1, 4))),
        date=None,
        team="T",
        owners=(),
        partners=(),
        category="automation",
        status=draw(st.sampled_from(["delivered", "in-progress"])),
        impact=(),
        tags=(),
        effort_hours=draw(st.none() | st.floats(0.5, 1e6)),
        problem="p",
        solution=None,
        outcome="o",
        metrics=tuple(draw(st.lists(metrics(), max_size=12))),
        quote=None,
        links=(),
        images=(),
        accept=(),
    )


@given(metrics())
def test_change_and_factor_agree_in_direction(m: Metric) -> None:
    f = metric_figures(m, CONFIG)
    if f.factor is not None:
        assert f.factor > 0  # null when a value is 0, never 0
        if f.regression:
            assert f.factor <= 1
        elif f.change != 0:
            assert f.factor >= 1
        if f.factor > 1:
            assert not f.regression and f.change != 0
    if f.eliminated:
        assert f.factor is None and not f.regression
    if f.change == 0:
        assert not f.regression and not f.eliminated
    if f.yearly_hours_saved:  # defined and not zero: its sign is the direction
        assert (f.yearly_hours_saved < 0) == f.regression


@given(st.lists(metrics(), max_size=12))
def test_story_hours_are_the_sum_of_its_metrics(ms: list[Metric]) -> None:
    story = Story(
        "s",
        "s.yaml",
        "t",
        "s",
        Quarter(2026, 1),
        None,
        "T",
        (),
        (),
        "automation",
        "delivered",
        (),
        (),
        None,
        "p",
        None,
        "o",
        tuple(ms),
        None,
        (),
        (),
        (),
    )
    figures = story_figures(story, CONFIG)
    parts = [f.yearly_hours_saved for f in figures.metrics if f.yearly_hours_saved is not None]
    assert math.isclose(figures.yearly_hours_saved, math.fsum(parts), rel_tol=1e-9, abs_tol=1e-6)


@settings(max_examples=60)
@given(st.lists(stories(), max_size=8))
def test_totals_equal_the_sum_of_their_delivered_stories(items: list[Story]) -> None:
    items = [Story(**{**s.__dict__, "id": f"s{i}"}) for i, s in enumerate(items)]
    figures = [story_figures(s, CONFIG) for s in items]
    for period, total in period_totals(figures, CONFIG).items():
        members = [f for f in figures if (str(f.story.quarter) == period or str(f.story.quarter.year) == period)]
        delivered = [f for f in members if f.story.delivered]
        assert total.delivered == len(delivered)
        assert total.in_progress == len(members) - len(delivered)
        assert math.isclose(
            total.yearly_hours_saved, math.fsum(f.yearly_hours_saved for f in delivered), rel_tol=1e-9, abs_tol=1e-6
        )
        assert math.isclose(
            total.estimated_hours_saved,
            math.fsum(f.estimated_hours_saved for f in delivered),
            rel_tol=1e-9,
            abs_tol=1e-6,
        )


@settings(max_examples=60)
@given(st.lists(stories(), max_size=6))
def test_no_nan_or_infinity_ever_reaches_the_export(items: list[Story]) -> None:
    items = [Story(**{**s.__dict__, "id": f"s{i}"}) for i, s in enumerate(items)]
    from storyteller.figures.periods import Selection

    data = export_data(Workspace(CONFIG, items), Selection())
    text = to_json(data)  # allow_nan=False: raises on NaN or infinity
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text)


@given(st.floats(0, MAX_MAGNITUDE), st.sampled_from(sorted(units.DURATION_ALIASES)))
def test_unit_conversion_round_trips(value: float, unit: str) -> None:
    assert math.isclose(units.from_hours(units.to_hours(value, unit), unit), value, rel_tol=1e-12, abs_tol=1e-300)


one_line = (
    st.text(
        st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
            blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\ufeff\x85",
        ),
        min_size=1,
        max_size=120,
    )
    .map(str.strip)
    .filter(bool)
    # what is refused on purpose (tag characters, emoji, runs of combining marks: test_hostile.py)
    .filter(lambda text: _bad_character(text, True) is None)
)


@settings(max_examples=150)
@given(one_line)
def test_text_fields_keep_what_the_author_wrote(title: str) -> None:
    from storyteller.format.fields import Context, Text
    from storyteller.format.source import parse

    document = yaml.safe_dump({"title": title}, allow_unicode=True, width=10_000)
    node, problems = parse(document.encode("utf-8"), "s.yaml")
    assert not problems
    ctx = Context("s.yaml")
    assert Text(120).convert(node.entries["title"], "title", ctx) == title  # type: ignore[union-attr]
    assert not ctx.problems


@given(
    st.sampled_from(["NO", "no", "on", "Off", "yes", "Y", "1:30", "010", "1.10", "0x1F", "1_000", "~a", "12e3", ".5"])
)
def test_yaml_11_surprises_stay_text_as_typed(word: str) -> None:
    from storyteller.format.fields import Context, Text
    from storyteller.format.source import parse

    node, problems = parse(f"team: {word}\n".encode(), "s.yaml")
    assert not problems
    assert Text(100).convert(node.entries["team"], "team", Context("s.yaml")) == word  # type: ignore[union-attr]


@given(st.integers(0, 10**13), st.integers(0, 4), st.sampled_from([1, -1]))
def test_rounding_a_half_goes_away_from_zero(whole: int, places: int, sign: int) -> None:
    # x = sign * (whole + 0.5) / 10**places, written exactly in decimal (as an author or the
    # export writes it): rounded, it is sign * (whole + 1) / 10**places, never to even.
    half = float(f"{'-' if sign < 0 else ''}{whole * 10 + 5}e-{places + 1}")
    away = float(f"{'-' if sign < 0 else ''}{whole + 1}e-{places}")
    assert units.round_half_away(half, places) == away


@given(st.floats(-MAX_MAGNITUDE, MAX_MAGNITUDE, allow_nan=False, allow_infinity=False), st.integers(0, 4))
def test_rounding_is_to_the_nearest_step_and_keeps_the_sign(value: float, places: int) -> None:
    rounded = units.round_half_away(value, places)
    step = 10.0**-places
    assert abs(rounded - value) <= step / 2 * (1 + 1e-9) + abs(value) * 1e-15
    assert rounded == 0 or (rounded > 0) == (value > 0)
    assert rounded == units.round_half_away(rounded, places)  # already at its step: unchanged


@settings(max_examples=60)
@given(metrics())
def test_the_export_is_the_exact_figure_rounded_half_away_to_4_places(m: Metric) -> None:
    from storyteller.figures.export import metric_record

    exact = metric_figures(m, CONFIG)
    exported = metric_record(exact)
    for key in ("change", "change_percent", "factor", "yearly_hours_saved", "yearly_money_saved"):
        value = getattr(exact, key)
        expected = None if value is None else units.round_half_away(value, 4)
        if key == "factor" and expected == 0:  # a factor is never 0: it keeps its significant digits
            expected = float(f"{value:.4g}")
        assert exported[key] == expected, key
