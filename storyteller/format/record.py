"""A record declared once: a frozen dataclass whose fields carry their YAML declaration.

A story, a metric, a quote, a link, an image, storyteller.yaml and its `brand` are each one
class body (story.py, config.py). ``declare(...)`` gives a field its type (and so its rule),
its help text, its example and its default; ``record(cls, noun, *rules)`` reads the class
back as a `Record`: the validator of the YAML mapping, its JSON Schema and its rows in the
docs. `Record.build` turns the checked values into the typed object. Adding a field is one
``declare`` line; the validator, `storyteller schema`, docs/story-format.md and the
attribute that report/ and figures/ read all follow from it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, dataclass_transform

from storyteller.errors import printable
from storyteller.format.fields import INVALID, Context, Type, refused, suggest
from storyteller.format.source import Map, Node, Scalar, describe

T = TypeVar("T")

_FIELD = "storyteller.field"  # dataclass field metadata: the field's declaration
_LOCATED = "storyteller.located"  # dataclass field metadata: read from the mapping node itself


@dataclass(frozen=True)
class Field:
    """One declared field: its name, type, whether it is required, and its documentation.

    ``default`` is what a key the file leaves out means, as the JSON Schema and the docs show
    it (None: nothing). ``convert`` turns the checked value into the attribute (a quarter's
    text into a `Quarter`); ``absent`` makes the attribute of a key the file leaves out
    (None: the type's empty value, e.g. an empty tuple for a list).
    """

    name: str
    type: Type
    description: str
    example: Any
    required: bool = False
    required_note: str = ""
    default: Any = None
    convert: Callable[[Any], Any] | None = None
    absent: Callable[[], Any] | None = None

    def typed(self, value: Any, node: Node | None) -> Any:
        """The attribute of a checked value."""
        value = self.type.typed(value, node)
        return value if self.convert is None else self.convert(value)

    def missing(self) -> Any:
        """The attribute of a key the file leaves out."""
        return self.type.empty if self.absent is None else self.absent()


def declare(
    type: Type,
    description: str,
    example: Any = dataclasses.MISSING,
    *,
    required: bool = False,
    required_note: str = "",
    default: Any = dataclasses.MISSING,
    default_factory: Callable[[], Any] | None = None,
    absent: Any = dataclasses.MISSING,
    convert: Callable[[Any], Any] | None = None,
) -> Any:
    """A dataclass field declared as a YAML field (a field specifier, like `dataclasses.field`).

    ``default`` is both what the file's missing key means and the constructor's default
    (storyteller.yaml: `Config(root=...)` is the config of an empty file). ``absent`` is what
    a missing key means where the constructor keeps every argument (a story and a metric are
    built with all their fields, positionally in tests). ``default_factory`` makes the
    attribute of a missing key without showing a default in the schema or the docs. The
    ``example`` is the default unless it is given.
    """
    shown = default if default is not dataclasses.MISSING else absent
    if example is dataclasses.MISSING:
        assert shown is not dataclasses.MISSING, "a field without a default needs an example"
        example = shown
    spec = Field(
        "",  # the attribute's name, filled in by record()
        type,
        description,
        example,
        required,
        required_note,
        None if shown is dataclasses.MISSING else shown,
        convert,
    )
    if default is not dataclasses.MISSING:
        value = spec.typed(default, None)
        return dataclasses.field(default=value, metadata={_FIELD: dataclasses.replace(spec, absent=lambda: value)})
    if default_factory is not None:
        spec = dataclasses.replace(spec, absent=default_factory)
        return dataclasses.field(default_factory=default_factory, metadata={_FIELD: spec})
    if absent is not dataclasses.MISSING:
        implied = spec.typed(absent, None)
        spec = dataclasses.replace(spec, absent=lambda: implied)
    return dataclasses.field(metadata={_FIELD: spec})


def located(
    read: Callable[[Map], Any], *, default_factory: Callable[[], Any] | None = None, compare: bool = True
) -> Any:
    """A dataclass field read from the mapping node itself (where it stands), not from a key."""
    if default_factory is None:
        return dataclasses.field(metadata={_LOCATED: read}, compare=compare)
    return dataclasses.field(default_factory=default_factory, metadata={_LOCATED: read}, compare=compare)


@dataclass_transform(frozen_default=True, field_specifiers=(declare, located, dataclasses.field))
def declared(cls: type[T]) -> type[T]:
    """Make ``cls`` a frozen dataclass whose `declare`d fields `record` can read back."""
    return dataclass(frozen=True)(cls)


def places_of(node: Map) -> dict[str, tuple[int, int]]:
    """Where each key's value stands in the file: (line, column)."""
    return {key: (value.line, value.column) for key, value in node.entries.items()}


def location(node: Map, key: str) -> Node:
    """The node of ``key`` for a problem message, or the mapping itself when it is absent."""
    return node.entries.get(key, node)


def joined(where: str, key: str) -> str:
    """The path of ``key`` inside the record at ``where`` (`metrics[0].unit`, or `title` at the top)."""
    return f"{where}.{key}" if where else key


class Rule(Protocol):
    """A rule across a record's fields: the validator runs `check`, and `schema` says the same
    rule in JSON Schema (nothing where JSON Schema cannot say it; the rule says why)."""

    def check(self, values: dict[str, Any], node: Map, ctx: Context, where: str) -> None: ...

    def schema(self) -> Sequence[dict[str, Any]]: ...


@dataclass(frozen=True)
class Record(Type, Generic[T]):
    """A mapping with declared fields; unknown keys are errors with a suggestion."""

    noun: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...]
    make: type[T]

    def field(self, name: str) -> Field:
        return self._by_name[name]

    @functools.cached_property
    def _by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @functools.cached_property
    def _located(self) -> tuple[tuple[str, Callable[[Map], Any]], ...]:
        """The attributes read from the mapping node itself, with how to read each."""
        every = dataclasses.fields(self.make)  # type: ignore[arg-type]  # make is a declared dataclass
        return tuple((a.name, a.metadata[_LOCATED]) for a in every if _LOCATED in a.metadata)

    def convert(self, node: Node, where: str, ctx: Context) -> Any:
        if not isinstance(node, Map):
            return ctx.problem(node, where, f"expected a mapping of fields, found {describe(node)}")
        names = list(self._by_name)
        values: dict[str, Any] = {}
        meant: set[str] = set()  # fields an unknown key was probably meant to be
        for key, value in node.entries.items():
            path = joined(where, printable(key))
            if key not in names:
                hint = suggest(key, names)
                meant.update(n for n in names if hint == f"; did you mean `{n}`?")
                ctx.problem(node.keys[key], path, f"`{printable(key)}` is not a {self.noun} field{hint}")
                continue
            spec = self.field(key)
            if refused(value):
                values[key] = INVALID
                continue
            if isinstance(value, Scalar) and value.is_null:
                if spec.required:
                    ctx.problem(value, path, f"is required but empty; write it ({spec.description})")
                    values[key] = INVALID
                elif spec.type.empty_hint:
                    values[key] = ctx.problem(value, path, f"is empty; {spec.type.empty_hint}")
                continue
            values[key] = spec.type.convert(value, path, ctx)
        for spec in self.fields:
            if spec.required and spec.name not in node.entries and spec.name not in meant:
                ctx.problem(node, joined(where, spec.name), f"is missing; add `{spec.name}:` ({spec.description})")
                values[spec.name] = INVALID
            elif spec.required and spec.name not in node.entries:
                values[spec.name] = INVALID
        for rule in self.rules:
            rule.check(values, node, ctx, where)
        return values

    def build(self, values: dict[str, Any], node: Map, **given: Any) -> T:
        """The typed object of values `convert` found no problem in.

        ``given`` holds the attributes that come from neither the file nor the node (a
        story's id and file, the config's workspace root)."""
        attributes = dict(given)
        for spec in self.fields:
            present = spec.name in values
            attributes[spec.name] = (
                spec.typed(values[spec.name], node.entries.get(spec.name)) if present else spec.missing()
            )
        for name, read in self._located:
            attributes[name] = read(node)
        return self.make(**attributes)

    def typed(self, value: Any, node: Node | None) -> Any:
        assert isinstance(node, Map)  # a nested record's values come from a mapping
        return self.build(value, node)

    def describe(self) -> str:
        return f"{self.noun} (see its fields)"

    def json(self, choices: dict[str, Sequence[str]]) -> dict[str, Any]:
        properties = {}
        for spec in self.fields:
            schema = spec.type.json(choices)
            schema["description"] = spec.description
            if spec.default is not None:
                schema["default"] = spec.default
            schema["examples"] = [spec.example]
            properties[spec.name] = schema
        result: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        required = [f.name for f in self.fields if f.required]
        if required:
            result["required"] = required
        extra = [part for rule in self.rules for part in rule.schema()]
        if extra:
            result["allOf"] = extra
        return result


def record(make: type[T], noun: str, *rules: Rule) -> Record[T]:
    """The `Record` of a `declared` class: its declared fields in class order, and its rules."""
    fields = tuple(
        dataclasses.replace(attribute.metadata[_FIELD], name=attribute.name)
        for attribute in dataclasses.fields(make)  # type: ignore[arg-type]  # a declared class is a dataclass
        if _FIELD in attribute.metadata
    )
    return Record(noun, fields, rules, make)
