"""PyYAML's wording, which format/source.py's message table reads, is what PyYAML says.

pyproject.toml pins PyYAML below 7 because of that table; these tests fail when an
update rewords an error, instead of authors quietly getting the generic message.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from storyteller.format import source

LOADERS = [
    pytest.param(getattr(yaml, "CSafeLoader", yaml.SafeLoader), id="libyaml"),
    pytest.param(yaml.SafeLoader, id="python"),
]
TAB = "a tab character is used for indentation; YAML needs spaces, replace the tab with spaces"
ESCAPE = "; write the character itself, or use single quotes where a backslash is meant literally"
# One file per kind of syntax error the table knows, and how storyteller's message ends.
EXAMPLES = {
    "tab before a key": ("a:\n  b: 1\n\t c: 2\n", TAB),
    "tab in a block scalar": ("a: |\n\t x\n", TAB),
    "unknown escape": ('a: "\\q"\n', ESCAPE),
    "bad hex escape": ('a: "\\x4g"\n', ESCAPE),
    "unclosed quote": (
        'title: "Faster builds\nteam: Ops\n',
        "the quote opened here is never closed; add the closing quote",
    ),
    "unclosed [": ("a: [1, 2\n", "the `[` opened here is never closed; add `]` (or quote the text)"),
    "unclosed {": ("a: {b: 1\n", "the `{` opened here is never closed; add `}` (or quote the text)"),
}


def _messages(text: str) -> list[str]:
    return [str(p) for p in source.parse(text.encode(), "x.yaml")[1]]


def _said(text: str, loader: Any) -> dict[str, str]:
    try:
        list(yaml.parse(text, Loader=loader))
    except yaml.MarkedYAMLError as error:
        return {"problem": str(error.problem or error.context or ""), "context": str(error.context or "")}
    raise AssertionError(f"PyYAML parsed {text!r}")


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(("text", "ending"), EXAMPLES.values(), ids=EXAMPLES.keys())
def test_each_kind_of_syntax_error_gets_its_message(
    monkeypatch: pytest.MonkeyPatch, loader: Any, text: str, ending: str
) -> None:
    monkeypatch.setattr(source, "_Loader", loader)
    (message,) = _messages(text)
    assert message.endswith(ending), message


def test_every_row_of_the_table_is_words_pyyaml_uses() -> None:
    """Each row matches what one of the two parsers says for one of the examples."""
    said = [_said(text, loader.values[0]) for text, _ in EXAMPLES.values() for loader in LOADERS]
    for where, words, _message in source._SYNTAX_MESSAGES:
        assert any(words in s[where] for s in said), f"no example makes PyYAML say {words!r} in its {where}"
    for words in source._POINT_AT_OPENING:
        assert any(words in s["problem"] + s["context"] for s in said), words


def test_an_error_the_table_does_not_know_keeps_its_place_and_pyyaml_s_words() -> None:
    assert _messages("title: a: b\n") == [
        "x.yaml:1:9: YAML syntax error: mapping values are not allowed in this context; "
        "check the indentation and quoting on this line"
    ]


def test_an_unclosed_quote_is_shown_where_it_opens_and_a_bad_escape_where_it_stands() -> None:
    assert _messages('title: "Faster builds\nteam: Ops\n')[0].startswith("x.yaml:1:8: ")
    assert _messages('title: "C:\\Users"\n')[0].startswith("x.yaml:1:13: ")  # at `s`: \U wants 8 hex digits
