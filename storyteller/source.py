"""Reads YAML text into located nodes, safely: no tags, no anchors or aliases, no objects.

PyYAML's event parser (the C one where it is built) gives us every scalar exactly as the
author typed it, with its line and column. The model, not YAML 1.1's resolver, decides
what a scalar means, so ``NO`` in a text field stays ``NO`` and ``010`` is never 8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from storyteller.errors import Problem

try:  # The C parser is about 9 times faster; fall back to pure Python where it is missing.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass
class Scalar:
    """A scalar as typed: ``style`` is ``""`` for plain, else the quote or block indicator."""

    value: str
    style: str
    line: int
    column: int

    @property
    def is_null(self) -> bool:
        return self.style == "" and self.value in _NULLS


@dataclass
class Seq:
    items: list[Node]
    line: int
    column: int


@dataclass
class Map:
    """A mapping; ``keys`` holds each key's own node so problems can point at the key."""

    entries: dict[str, Node]
    keys: dict[str, Scalar]
    line: int
    column: int


Node = Scalar | Seq | Map


def describe(node: Node) -> str:
    """How a node reads to an author, for messages ('a list', 'the text "NO"')."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    if node.is_null:
        return "nothing"
    return f'"{_short(node.value)}"'


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


@dataclass
class _Builder:
    path: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, column: int, message: str, field_path: str = "") -> None:
        self.problems.append(Problem(self.path, line, column, field_path, message))


def parse(data: bytes, path: str) -> tuple[Node | None, list[Problem]]:
    """Parse one story or config file. Returns the root node (None if unusable) and problems."""
    builder = _Builder(path)
    if len(data) > MAX_FILE_BYTES:
        builder.problem(
            1,
            1,
            f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB): "
            "move long text or images out of it",
        )
        return None, builder.problems
    text = _decode(data, builder)
    if text is None:
        return None, builder.problems
    root = _build(text, builder)
    if root is None and not builder.problems:
        builder.problem(1, 1, "the file is empty; run `storyteller new` for a commented example")
    return root, builder.problems


def _decode(data: bytes, builder: _Builder) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        builder.problem(
            line,
            column,
            f"the file is not UTF-8 text: byte 0x{data[error.start]:02X} at offset {error.start} "
            "cannot be decoded; save the file as UTF-8",
        )
        return None


def _build(text: str, builder: _Builder) -> Node | None:
    """Turn the event stream into nodes, refusing tags, anchors, aliases and extra documents."""
    stack: list[tuple[Seq | Map, list[Node]]] = []
    root: Node | None = None
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            assert mark is not None  # the parser marks every event
            line, column = mark.line + 1, mark.column + 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    builder.problem(
                        line,
                        column,
                        "a file holds one YAML document; remove the second `---` and what follows",
                    )
                    return root
                continue
            if isinstance(event, yaml.AliasEvent):
                builder.problem(
                    line,
                    column,
                    f"aliases (*{event.anchor}) are not supported; write the value out",
                )
                node: Node = Scalar("", "", line, column)
            elif isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if event.anchor is not None:
                    builder.problem(
                        line,
                        column,
                        f"anchors (&{event.anchor}) are not supported; write the value out",
                    )
                if event.tag is not None and event.tag != "!":
                    builder.problem(
                        line,
                        column,
                        f"YAML tags ({_tag(event.tag)}) are not allowed; remove the tag",
                    )
                if isinstance(event, yaml.ScalarEvent):
                    node = Scalar(event.value, event.style or "", line, column)
                else:
                    if len(stack) >= MAX_DEPTH:
                        builder.problem(line, column, f"nesting is deeper than {MAX_DEPTH} levels")
                        return None
                    container: Seq | Map = (
                        Seq([], line, column)
                        if isinstance(event, yaml.SequenceStartEvent)
                        else Map({}, {}, line, column)
                    )
                    stack.append((container, []))
                    continue
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                container, children = stack.pop()
                if isinstance(container, Seq):
                    container.items = children
                else:
                    _fill_map(container, children, builder)
                node = container
            else:
                continue
            if stack:
                stack[-1][1].append(node)
            else:
                root = node
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        index = mark.index if mark else 0
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        builder.problem(line, column, _syntax_message(error, text, index))
        return None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        builder.problem(
            line,
            column,
            f"the control character U+{error.character:04X} is not allowed; remove it",
        )
        return None
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML marks every error it raises
        builder.problem(1, 1, f"YAML error: {error}")
        return None
    if isinstance(root, Scalar) and root.is_null:
        return None
    return root


def _tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _fill_map(container: Map, children: list[Node], builder: _Builder) -> None:
    for key, value in zip(children[::2], children[1::2], strict=True):
        if not isinstance(key, Scalar) or key.is_null:
            builder.problem(key.line, key.column, "a key must be a plain word such as `title`")
            continue
        first = container.keys.get(key.value)
        if first is not None:
            builder.problem(
                key.line,
                key.column,
                f"`{key.value}` appears twice (lines {first.line} and {key.line}); keep one of them",
                key.value,
            )
            continue
        container.keys[key.value] = key
        container.entries[key.value] = value


def _syntax_message(error: yaml.MarkedYAMLError, text: str, index: int) -> str:
    problem = str(error.problem or error.context or "not valid YAML")
    if "\\t" in problem or "tab" in problem or text[index : index + 1] == "\t":
        return "a tab character is used for indentation; YAML needs spaces, replace the tab with spaces"
    if "special characters are not allowed" in problem or "unacceptable character" in problem:
        return f"YAML syntax error: {problem}; remove the control character"
    context = f" ({error.context})" if error.context and error.problem else ""
    return f"YAML syntax error: {problem}{context}; check the indentation and quoting on this line"


_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def plain_data(node: Node | None) -> Any:
    """The node as plain data under YAML 1.2's core schema, which is what editors and JSON
    Schema tools see (storyteller itself converts by field type instead)."""
    if node is None:
        return None
    if isinstance(node, Map):
        return {key: plain_data(value) for key, value in node.entries.items()}
    if isinstance(node, Seq):
        return [plain_data(item) for item in node.items]
    if node.style != "":
        return node.value
    text = node.value
    if node.is_null:
        return None
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text.lower() in (".inf", "+.inf", "-.inf", ".nan"):
        return float(text.replace(".", "", 1))
    return text
