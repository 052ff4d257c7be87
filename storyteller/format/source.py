"""Reads YAML text into located nodes, safely: no tags, no anchors or aliases, no objects.

PyYAML's event parser (the C one where it is built) gives us every scalar exactly as the
author typed it, with its line and column. The model, not YAML 1.1's resolver, decides
what a scalar means, so ``NO`` in a text field stays ``NO`` and ``010`` is never 8.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
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


# ---------------------------------------------------------------------------------------
# Events to nodes


@dataclass
class _Open:
    """A list or mapping whose end event has not come yet; mapping children alternate key, value."""

    container: Seq | Map
    children: list[Node]
    path: str  # its field path, e.g. `metrics[0]`
    refused: bool  # it had a tag: it becomes a REFUSED scalar when it closes


class _Stop(Exception):
    """Ends the event stream early; ``root`` is what the file reads as."""

    def __init__(self, root: Node | None) -> None:
        self.root = root


@dataclass
class _Tree:
    """Turns PyYAML's events into nodes, refusing tags, anchors, aliases and extra documents.

    One method per kind of event (see _HANDLERS). A refused node is replaced by a REFUSED
    scalar, so the model does not report it a second time as a wrong type. Problems of this
    kind are capped per file so that a flood of aliases stays cheap."""

    builder: _Builder
    stack: list[_Open] = field(default_factory=list)
    root: Node | None = None
    documents: int = 0

    def document(self, _event: Any, line: int, column: int) -> None:
        self.documents += 1
        if self.documents > 1:
            self.builder.problem(
                line, column, "a file holds one YAML document; remove the second `---` and what follows"
            )
            raise _Stop(self.root)

    def alias(self, event: yaml.AliasEvent, line: int, column: int) -> None:
        self._refuse(line, column, f"aliases (*{event.anchor}) are not supported; write the value out", self._path())
        self._add(Scalar("", REFUSED, line, column))

    def scalar(self, event: yaml.ScalarEvent, line: int, column: int) -> None:
        refused = self._refused(event, line, column, self._path())
        self._add(Scalar(event.value, REFUSED if refused else event.style or "", line, column))

    def start(self, event: yaml.CollectionStartEvent, line: int, column: int) -> None:
        path = self._path()
        refused = self._refused(event, line, column, path)
        if len(self.stack) >= MAX_DEPTH:
            self.builder.problem(line, column, f"nesting is deeper than {MAX_DEPTH} levels", path)
            raise _Stop(None)
        container = Seq([], line, column) if isinstance(event, yaml.SequenceStartEvent) else Map({}, {}, line, column)
        self.stack.append(_Open(container, [], path, refused))

    def end(self, _event: Any, _line: int, _column: int) -> None:
        top = self.stack.pop()
        container = top.container
        if isinstance(container, Seq):
            container.items = top.children
        else:
            _fill_map(container, top.children, self.builder, top.path)
        self._add(Scalar("", REFUSED, container.line, container.column) if top.refused else container)

    def _add(self, node: Node) -> None:
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node

    def _path(self) -> str:
        """The field path (`metrics[0].unit`) of the node about to be added."""
        if not self.stack:
            return ""
        top = self.stack[-1]
        if isinstance(top.container, Seq):
            return f"{top.path}[{len(top.children)}]"
        if len(top.children) % 2 == 0:  # a key: its path is the mapping's own
            return top.path
        key = top.children[-1]
        name = key.value if isinstance(key, Scalar) else "?"
        return f"{top.path}.{name}" if top.path else name

    def _refused(self, event: yaml.ScalarEvent | yaml.CollectionStartEvent, line: int, column: int, path: str) -> bool:
        """Report an anchor or a tag on the node; whether the node itself is refused (a tag)."""
        if event.anchor is not None:
            self._refuse(line, column, f"anchors (&{event.anchor}) are not supported; write the value out", path)
        if event.tag is not None and event.tag != "!":
            self._refuse(line, column, f"YAML tags ({_tag(event.tag)}) are not allowed; remove the tag", path)
            return True
        return False

    def _refuse(self, line: int, column: int, message: str, path: str) -> None:
        problems = self.builder.problems
        self.builder.problem(line, column, message, path)
        if len(problems) >= MAX_PROBLEMS_PER_FILE - 1:
            self.builder.problem(
                problems[-1].line,
                problems[-1].column,
                f"stopped after {MAX_PROBLEMS_PER_FILE} problems in this file; fix these first",
            )
            raise _Stop(None)


# The events that make nodes; the rest (stream start and end, document end) carry nothing.
_HANDLERS: dict[type[yaml.Event], Callable[[_Tree, Any, int, int], None]] = {
    yaml.DocumentStartEvent: _Tree.document,
    yaml.AliasEvent: _Tree.alias,
    yaml.ScalarEvent: _Tree.scalar,
    yaml.SequenceStartEvent: _Tree.start,
    yaml.MappingStartEvent: _Tree.start,
    yaml.SequenceEndEvent: _Tree.end,
    yaml.MappingEndEvent: _Tree.end,
}


def _build(text: str, builder: _Builder) -> Node | None:
    """The file's root node (None for an empty file or one it cannot use); problems go to ``builder``."""
    text = _odd_breaks(text, builder)
    tree = _Tree(builder)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            handler = _HANDLERS.get(type(event))
            if handler is not None:
                mark = event.start_mark
                assert mark is not None  # the parser marks every event
                handler(tree, event, mark.line + 1, mark.column + 1)
    except _Stop as stop:
        return stop.root
    except yaml.MarkedYAMLError as error:
        builder.problem(*_syntax_problem(error, text))
        return None
    except yaml.reader.ReaderError as error:
        line, column = _position(text, error.position)
        builder.problem(line, column, f"the control character U+{error.character:04X} is not allowed; remove it")
        return None
    except yaml.YAMLError as error:  # pragma: no cover - PyYAML marks every error it raises
        builder.problem(1, 1, f"YAML error: {error}")
        return None
    if isinstance(tree.root, Scalar) and tree.root.is_null:
        return None
    return tree.root


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


# ---------------------------------------------------------------------------------------
# PyYAML's syntax errors, as storyteller words them
#
# The one place that reads PyYAML's English: the words below are those of PyYAML 6.x, from
# libyaml (the C parser used where it is built) and from PyYAML's own Python parser, which
# word some errors differently (pyproject.toml pins PyYAML below 7 for this). A message
# that no row knows still names path:line:column and PyYAML's own words (_UNKNOWN).

# Words in an error's problem or context saying the parser gave up far from the cause (often
# at the end of the file): the problem then points at where the bracket or quote was opened.
# A bad escape is the exception: it is shown where it stands.
_POINT_AT_OPENING = (
    "end of stream",  # "found unexpected end of stream"
    "flow",  # "while parsing a flow sequence" / "a flow mapping"
    "quoted scalar",  # "while scanning a quoted scalar"
)

_TAB = "a tab character is used for indentation; YAML needs spaces, replace the tab with spaces"
_ESCAPE = (
    "YAML syntax error: {problem}; write the character itself, or use single quotes "
    "where a backslash is meant literally"
)
# (where PyYAML says it, the words it uses, what storyteller says): the first row that
# matches wins. "problem" is PyYAML's problem (its context when it has none), and fills
# {problem}. Control characters are not here: both parsers raise a ReaderError for them.
_SYNTAX_MESSAGES: tuple[tuple[str, str, str], ...] = (
    ("problem", "\\t", _TAB),  # Python parser: "found character '\t' that cannot start any token" (a backslash and t)
    ("problem", "tab", _TAB),  # libyaml: "found a tab character that violates indentation"
    ("problem", "escape", _ESCAPE),  # "found unknown escape character", "... Unicode character escape code"
    ("problem", "hexdecimal", _ESCAPE),  # libyaml: "did not find expected hexdecimal number"
    ("problem", "hexadecimal", _ESCAPE),  # Python: "expected escape sequence of 2 hexadecimal numbers"
    ("context", "quoted scalar", "YAML syntax error: the quote opened here is never closed; add the closing quote"),
    (
        "context",
        "flow sequence",
        "YAML syntax error: the `[` opened here is never closed; add `]` (or quote the text)",
    ),
    (
        "context",
        "flow mapping",  # {{ and }} are the braces themselves (str.format)
        "YAML syntax error: the `{{` opened here is never closed; add `}}` (or quote the text)",
    ),
)
_UNKNOWN = "YAML syntax error: {problem}{context}; check the indentation and quoting on this line"


def _syntax_problem(error: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """Line, column and message of a syntax error."""
    problem = str(error.problem or error.context or "not valid YAML")
    context = str(error.context or "")
    mark = error.problem_mark
    said = str(error.problem or "") + context
    if (
        error.context_mark is not None
        and not _bad_escape(str(error.problem))
        and any(words in said for words in _POINT_AT_OPENING)
    ):
        mark = error.context_mark
    mark = mark or error.context_mark
    if mark is None:
        return 1, 1, _syntax_message(problem, context, bool(error.problem), tab=text[:1] == "\t")
    tab = text[mark.index : mark.index + 1] == "\t"
    if text[mark.index : mark.index + 1] == "%" and "cannot start any token" in problem:
        return mark.line + 1, mark.column + 1, _quote_percent(text, mark.index)
    return mark.line + 1, mark.column + 1, _syntax_message(problem, context, bool(error.problem), tab)


def _quote_percent(text: str, index: int) -> str:
    """`unit: %` unquoted: YAML reserves `%` at the start of a value (for directives). Say how
    the line reads quoted: `quote it: unit: "%"`."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    key = re.sub(r"^(-\s+)+", "", text[start:index].strip())  # `- unit:` in a list reads `unit:`
    value = text[index : end if end >= 0 else len(text)].split(" #")[0].strip().replace('"', '\\"')
    return f'YAML syntax error: a value cannot start with `%` unquoted; quote it: {key} "{value}"'


def _bad_escape(problem: str) -> bool:
    """Whether PyYAML's problem is a backslash escape in a double-quoted scalar."""
    return any(words in problem for _where, words, message in _SYNTAX_MESSAGES if message == _ESCAPE)


def _syntax_message(problem: str, context: str, has_problem: bool, tab: bool) -> str:
    """What storyteller says for PyYAML's ``problem`` and ``context`` (``tab``: the error is at a tab)."""
    if tab:
        return _TAB
    said = {"problem": problem, "context": context}
    for where, words, message in _SYNTAX_MESSAGES:
        if words in said[where]:
            return message.format(problem=problem)
    return _UNKNOWN.format(problem=problem, context=f" ({context})" if context and has_problem else "")


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
