"""Reads YAML text into located nodes, safely: no tags, no anchors or aliases, no objects.

PyYAML's event parser (the C one where it is built) gives us every scalar exactly as the
author typed it, with its line and column. The model, not YAML 1.1's resolver, decides
what a scalar means, so ``NO`` in a text field stays ``NO`` and ``010`` is never 8.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from storyteller.errors import Problem, printable
from storyteller.paths import real_file

try:  # The C parser is about 9 times faster; fall back to pure Python where it is missing.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
REFUSED = "refused"  # the style of a node replaced after a problem (a tag, an alias)


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

    @property
    def refused(self) -> bool:
        return self.style == REFUSED


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
    text = printable(text.replace("\n", " "))
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


def read_limited(path: Path, root: Path, shown: str) -> tuple[bytes, Problem | None]:
    """Read a file of the workspace, refusing what is not a regular file inside it or is too big."""
    try:
        resolved = Path(real_file(path))
        if not resolved.is_relative_to(real_file(root)):
            what = "is a link to a file outside the workspace" if path.is_symlink() else "is outside the workspace"
            return b"", Problem(shown, 1, 1, "", f"{what}; copy the story into its stories folder")
        info = os.stat(resolved)
        if not stat.S_ISREG(info.st_mode):
            return b"", Problem(
                shown, 1, 1, "", "is not a regular file (a folder, device or pipe); use an ordinary file"
            )
        if info.st_size > MAX_FILE_BYTES:
            return b"", Problem(
                shown,
                1,
                1,
                "",
                f"the file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB): move long text or images out of it",
            )
        with open(resolved, "rb") as handle:
            # Sized by the file: read(MAX_FILE_BYTES + 1) made a 1 MiB buffer for every story
            # (0.28 s of a 1,000-story validate). A file that grew since stat is read on.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(MAX_FILE_BYTES + 1 - len(data))
            return data, None
    except OSError as error:
        return b"", Problem(shown, 1, 1, "", f"cannot be read: {error.strerror}")
    except RuntimeError:  # pathlib's report of a symlink loop
        return b"", Problem(shown, 1, 1, "", "is a symbolic link that points to itself; replace it with the file")


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


# YAML reads these as line breaks, but editors and `grep` do not: line numbers would drift.
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
_BREAK_NAMES = {
    "\x85": "next-line character U+0085",
    "\u2028": "line separator U+2028",
    "\u2029": "paragraph separator U+2029",
}
MAX_PROBLEMS_PER_FILE = 20  # of the reader's own kind (aliases, tags): a flood stays short


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _odd_breaks(text: str, builder: _Builder) -> str:
    """Report characters that YAML takes for line breaks (pasted from web pages or Word), and
    blank them out so the rest of the file parses with the line numbers an editor shows."""
    for match in _YAML_ONLY_BREAKS.finditer(text):
        line, column = _position(text, match.start())
        builder.problem(
            line,
            column,
            f"contains the {_BREAK_NAMES[match.group()]}, which YAML reads as a line break; "
            "replace it with a space or a normal line break",
        )
    return _YAML_ONLY_BREAKS.sub(" ", text)


def _child_path(stack: list[tuple[Seq | Map, list[Node], str]]) -> str:
    """The field path (`metrics[0].unit`) of the node about to be added under the stack's top."""
    if not stack:
        return ""
    container, children, path = stack[-1]
    if isinstance(container, Seq):
        return f"{path}[{len(children)}]"
    if len(children) % 2 == 0:  # a key: its path is the mapping's own
        return path
    key = children[-1]
    name = key.value if isinstance(key, Scalar) else "?"
    return f"{path}.{name}" if path else name


class _TooMany(Exception):
    pass


def _build(text: str, builder: _Builder) -> Node | None:
    """Turn the event stream into nodes, refusing tags, anchors, aliases and extra documents.

    A refused node is replaced by a REFUSED scalar, so the model does not report it a second
    time as a wrong type. Problems are capped per file so that a flood of aliases stays cheap.
    """
    text = _odd_breaks(text, builder)
    stack: list[tuple[Seq | Map, list[Node], str]] = []
    refused: list[bool] = []
    root: Node | None = None
    documents = 0

    def refuse(line: int, column: int, message: str, where: str) -> None:
        builder.problem(line, column, message, where)
        if len(builder.problems) >= MAX_PROBLEMS_PER_FILE - 1:
            raise _TooMany

    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            assert mark is not None  # the parser marks every event
            line, column = mark.line + 1, mark.column + 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    builder.problem(
                        line, column, "a file holds one YAML document; remove the second `---` and what follows"
                    )
                    return root
                continue
            where = _child_path(stack)
            if isinstance(event, yaml.AliasEvent):
                refuse(line, column, f"aliases (*{event.anchor}) are not supported; write the value out", where)
                node: Node = Scalar("", REFUSED, line, column)
            elif isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                bad = False
                if event.anchor is not None:
                    refuse(line, column, f"anchors (&{event.anchor}) are not supported; write the value out", where)
                if event.tag is not None and event.tag != "!":
                    refuse(line, column, f"YAML tags ({_tag(event.tag)}) are not allowed; remove the tag", where)
                    bad = True
                if isinstance(event, yaml.ScalarEvent):
                    node = Scalar(event.value, REFUSED if bad else event.style or "", line, column)
                else:
                    if len(stack) >= MAX_DEPTH:
                        builder.problem(line, column, f"nesting is deeper than {MAX_DEPTH} levels", where)
                        return None
                    container: Seq | Map = (
                        Seq([], line, column)
                        if isinstance(event, yaml.SequenceStartEvent)
                        else Map({}, {}, line, column)
                    )
                    stack.append((container, [], where))
                    refused.append(bad)
                    continue
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                container, children, path = stack.pop()
                if isinstance(container, Seq):
                    container.items = children
                else:
                    _fill_map(container, children, builder, path)
                node = container
                if refused.pop():
                    node = Scalar("", REFUSED, container.line, container.column)
            else:
                continue
            if stack:
                stack[-1][1].append(node)
            else:
                root = node
    except _TooMany:
        builder.problem(
            builder.problems[-1].line,
            builder.problems[-1].column,
            f"stopped after {MAX_PROBLEMS_PER_FILE} problems in this file; fix these first",
        )
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        context = error.context_mark
        where_from = str(error.problem or "") + str(error.context or "")
        # An unclosed bracket or quote shows up where the parser gives up (often the end of
        # the file); point at where it was opened instead. A bad escape inside a quote is
        # shown where it stands.
        if (
            context is not None
            and not _bad_escape(str(error.problem))
            and ("end of stream" in where_from or "flow" in where_from or "quoted scalar" in where_from)
        ):
            mark = context
        mark = mark or context
        index = mark.index if mark else 0
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        builder.problem(line, column, _syntax_message(error, text, index))
        return None
    except yaml.reader.ReaderError as error:
        line, column = _position(text, error.position)
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


def _fill_map(container: Map, children: list[Node], builder: _Builder, path: str) -> None:
    for key, value in zip(children[::2], children[1::2], strict=True):
        if not isinstance(key, Scalar) or key.is_null:
            builder.problem(key.line, key.column, "a key must be a plain word such as `title`")
            continue
        first = container.keys.get(key.value)
        if first is not None:
            builder.problem(
                key.line,
                key.column,
                f"`{printable(key.value)}` appears twice (lines {first.line} and {key.line}); keep one of them",
                f"{path}.{key.value}" if path else key.value,
            )
            continue
        container.keys[key.value] = key
        container.entries[key.value] = value


def _bad_escape(problem: str) -> bool:
    """Whether libyaml's (or PyYAML's) problem is a backslash escape in a double-quoted scalar."""
    return "escape" in problem or "hexdecimal" in problem or "hexadecimal" in problem


def _syntax_message(error: yaml.MarkedYAMLError, text: str, index: int) -> str:
    problem = str(error.problem or error.context or "not valid YAML")
    context = str(error.context or "")
    if "\\t" in problem or "tab" in problem or text[index : index + 1] == "\t":
        return "a tab character is used for indentation; YAML needs spaces, replace the tab with spaces"
    if "special characters are not allowed" in problem or "unacceptable character" in problem:
        return f"YAML syntax error: {problem}; remove the control character"
    if _bad_escape(problem):  # "\ud800" (half of a pair), "\q", "C:\Users" in double quotes
        return (
            f"YAML syntax error: {problem}; write the character itself, or use single quotes "
            "where a backslash is meant literally"
        )
    if "quoted scalar" in context:
        return "YAML syntax error: the quote opened here is never closed; add the closing quote"
    if "flow sequence" in context:
        return "YAML syntax error: the `[` opened here is never closed; add `]` (or quote the text)"
    if "flow mapping" in context:
        return "YAML syntax error: the `{` opened here is never closed; add `}` (or quote the text)"
    extra = f" ({context})" if context and error.problem else ""
    return f"YAML syntax error: {problem}{extra}; check the indentation and quoting on this line"


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
