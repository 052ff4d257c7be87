"""Rules that depend on a metric's unit, each declared once for the validator and the JSON Schema.

A rule names the unit families it is about (durations, percent, count, currencies); its
`check` asks `units.family` of the metric's unit, and its `schema` lists every unit of those
families, so the two cannot drift apart. Messages are formatted with the `unit`, the
`value` and the `family`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from storyteller.figures import units
from storyteller.figures.units import Family
from storyteller.format.fields import Context
from storyteller.format.record import joined, location
from storyteller.format.source import Map
from storyteller.format.values import unit_pattern


def unit_names(families: Sequence[Family]) -> list[str]:
    """Every unit of ``families`` in lower case (and currency codes in capitals), family by
    family in the order of `Family`; `Family.OTHER` (any other word) cannot be listed, so a rule
    about it cannot be said in JSON Schema. The schema matches the words in any case
    (`unit_pattern`), as `units.family` does."""
    assert Family.OTHER not in families
    names = {
        Family.DURATION: sorted(units.DURATION_ALIASES),
        Family.PERCENT: sorted(units.PERCENT_UNITS),
        Family.COUNT: sorted(units.COUNT_UNITS),
        Family.CURRENCY: sorted(units.currency_codes()),
    }
    return [name for family in Family if family in families for name in names.get(family, [])]


class UnitRule(Protocol):
    """One rule of `UnitRules`: checked with the metric's (valid) unit, said in JSON Schema about it."""

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str, unit: str) -> None: ...

    def schema(self, unit: str) -> dict[str, Any]: ...


def _units(families: Sequence[Family]) -> dict[str, Any]:
    return {"pattern": f"^(?:{unit_pattern(families)})$"}


def _is(unit: str, families: Sequence[Family]) -> dict[str, Any]:
    return {"properties": {unit: _units(families)}}


@dataclass(frozen=True)
class UnitRules:
    """The rules of a record about the unit in its field ``unit``; they run once the unit is
    valid (a missing or bad unit is already reported, and the rules would only repeat it)."""

    unit: str
    rules: tuple[UnitRule, ...]

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str) -> None:
        unit = values.get(self.unit)
        if not isinstance(unit, str):
            return
        for rule in self.rules:
            rule.check(values, node, ctx, where, unit)

    def schema(self) -> Sequence[dict[str, Any]]:
        return [rule.schema(self.unit) for rule in self.rules]


@dataclass(frozen=True)
class Needed:
    """``field`` must be given, except for a unit of ``unless``: there ``implied(unit)`` is its value."""

    field: str
    unless: tuple[Family, ...]
    implied: Callable[[str], Any]
    message: str
    # A message of its own for a family, where the fix is specific to it (a percentage).
    messages: tuple[tuple[Family, str], ...] = ()

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str, unit: str) -> None:
        kind = units.family(unit)
        if self.field not in node.entries and kind not in self.unless:
            message = dict(self.messages).get(kind, self.message)
            values[self.field] = ctx.problem(node, joined(where, self.field), message.format(unit=unit))
        values.setdefault(self.field, self.implied(unit))  # left out, or given empty

    def schema(self, unit: str) -> dict[str, Any]:
        return {"if": _is(unit, self.unless), "else": {"required": [self.field]}}


@dataclass(frozen=True)
class Bounds:
    """For a unit of ``families``, each of ``fields`` lies within ``minimum``..``maximum``."""

    fields: tuple[str, ...]
    families: tuple[Family, ...]
    message: str
    minimum: float | None = None
    maximum: float | None = None

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str, unit: str) -> None:
        family = units.family(unit)
        if family not in self.families:
            return
        for key in self.fields:
            value = values.get(key)
            if not isinstance(value, (int, float)):
                continue
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                message = self.message.format(unit=unit, value=value, family=family.value)
                values[key] = ctx.problem(location(node, key), joined(where, key), message)

    def schema(self, unit: str) -> dict[str, Any]:
        bounds = {
            name: limit for name, limit in (("minimum", self.minimum), ("maximum", self.maximum)) if limit is not None
        }
        return {"if": _is(unit, self.families), "then": {"properties": {key: dict(bounds) for key in self.fields}}}


@dataclass(frozen=True)
class OnlyFor:
    """``field`` may be given only for a unit of ``families`` (with ``never``: never for one)."""

    field: str
    families: tuple[Family, ...]
    message: str
    never: bool = False

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str, unit: str) -> None:
        if self.field in node.entries and (units.family(unit) in self.families) == self.never:
            message = self.message.format(unit=unit)
            values[self.field] = ctx.problem(location(node, self.field), joined(where, self.field), message)

    def schema(self, unit: str) -> dict[str, Any]:
        allowed = _units(self.families)
        return {
            "if": {"required": [self.field]},
            "then": {"properties": {unit: {"not": allowed} if self.never else allowed}},
        }


@dataclass(frozen=True)
class NotBoth:
    """``first`` and ``second`` exclude each other; the problem is placed on ``second``."""

    first: str
    second: str
    message: str

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str, unit: str) -> None:
        if self.first in node.entries and self.second in node.entries:
            at = location(node, self.second)
            values[self.second] = ctx.problem(at, joined(where, self.second), self.message.format(unit=unit))

    def schema(self, unit: str) -> dict[str, Any]:
        return {"not": {"required": [self.first, self.second]}}


@dataclass(frozen=True)
class NeededWith:
    """For a unit of ``families``, ``field`` must be given when ``given`` is; without ``given``
    it is ``implied``. (A duration `per` a period must say whether it is hands-on work.)"""

    field: str
    given: str
    families: tuple[Family, ...]
    implied: Any
    message: str

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str, unit: str) -> None:
        if self.field in values or units.family(unit) not in self.families:
            return  # given (a bad value is reported already), or not about this unit
        if self.given in node.entries:
            values[self.field] = ctx.problem(
                location(node, self.field), joined(where, self.field), self.message.format(unit=unit)
            )
        else:
            values[self.field] = self.implied

    def schema(self, unit: str) -> dict[str, Any]:
        return {
            "if": {"allOf": [_is(unit, self.families), {"required": [self.given]}]},
            "then": {"required": [self.field]},
        }


@dataclass(frozen=True)
class Requires:
    """``field`` needs ``other`` beside it (`each` needs the `per` its count is measured over)."""

    field: str
    other: str
    message: str

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str, unit: str) -> None:
        if self.field in node.entries and self.other not in node.entries:
            at = location(node, self.field)
            values[self.field] = ctx.problem(at, joined(where, self.field), self.message.format(unit=unit))

    def schema(self, unit: str) -> dict[str, Any]:
        return {"if": {"required": [self.field]}, "then": {"required": [self.other]}}
