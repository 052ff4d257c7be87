"""The docs keep up with the code: every command and option is documented, the quick start is true."""

from __future__ import annotations

import re
import tomllib

import pytest
import typer

from storyteller.cli import app

from .helpers import REPO

CLI_DOC = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")
ROOT = typer.main.get_command(app)


def _section(name: str) -> str:
    match = re.search(rf"^## `storyteller {name}`\n(.*?)(?=^## )", CLI_DOC, re.S | re.M)
    assert match, f"docs/cli.md has no section for `storyteller {name}`"
    return match.group(1)


COMMANDS = sorted(ROOT.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_of_every_command_is_documented(name: str) -> None:
    section = _section(name)
    command = ROOT.commands[name]  # type: ignore[attr-defined]
    for param in command.params:
        for flag in (*param.opts, *param.secondary_opts):
            if flag.startswith("-"):
                assert f"`{flag}" in section or f"{flag}`" in section, f"{name}: {flag} is not in docs/cli.md"
            else:
                assert param.name.upper() in section or f"[{param.name.upper()}" in section, (name, param.name)


def test_global_options_are_documented() -> None:
    for param in ROOT.params:
        for flag in param.opts:
            assert flag in CLI_DOC, flag


def test_every_command_is_in_the_readme() -> None:
    for name in COMMANDS:
        assert f"storyteller {name}" in README, name


def test_the_quick_start_is_two_commands_that_the_makefile_has() -> None:
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S)
    assert block, "README has no quick start code block"
    assert block.group(1).split("\n")[:-1] == ["make report", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^report:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_exit_codes_in_the_readme_match_the_cli() -> None:
    from storyteller import cli

    for code in (0, 1, 2, cli.EXIT_BUG, cli.EXIT_INTERRUPTED):
        assert re.search(rf"^\| {code} \|", README, re.M), code


def test_the_limits_in_the_security_model_are_the_codes() -> None:
    """docs/security.md's table of limits, row by row, against the constants that enforce them."""
    from storyteller import build
    from storyteller.format import fields as schema
    from storyteller.format import source, values
    from storyteller.format.story import STORY

    doc = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| [^|]+ \|$", doc, re.M))
    story = STORY
    markdown_field = story.field("problem").type
    assert isinstance(markdown_field, values.Markdown)
    expected = {
        "story file size": f"{source.MAX_FILE_BYTES // 1024 // 1024} MiB",
        "YAML nesting": f"{source.MAX_DEPTH} levels",
        "problems reported from one file's YAML": f"{source.MAX_PROBLEMS_PER_FILE}",
        "Markdown texts (`problem`, `solution`, `outcome`)": f"{markdown_field.max_length:,} characters",
        "Markdown nesting (lists, quotes, emphasis, links together)": f"{values.MAX_MARKDOWN_DEPTH} levels",
        "metrics in a story": f"{story.field('metrics').type.max_items}",  # type: ignore[attr-defined]
        "images in a story": f"{story.field('images').type.max_items}",  # type: ignore[attr-defined]
        "image file size": f"({values.MAX_IMAGE_BYTES:,} bytes)",
        "image pixels": f"{values.MAX_IMAGE_PIXELS:,}",
        "`frequency`": f"{values.MAX_EVENTS:,} a period",
        "numbers": f"10^{len(str(int(schema.MAX_MAGNITUDE))) - 1}",
        "stories in one report": f"{build.MAX_STORIES_PER_REPORT:,}",
        "PDF layout time": f"{build.PDF_TIME_LIMIT:g} s",
    }
    for label, value in expected.items():
        assert label in rows, f"docs/security.md has no limit row {label!r}"
        assert value in rows[label], f"docs/security.md says {rows[label]!r} for {label!r}; the code says {value}"


def test_every_test_the_security_model_cites_exists() -> None:
    doc = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    cited = re.findall(r"`tests/(test_\w+\.py)(?:::(\w+))?", doc)
    assert len(cited) > 10
    for file, name in cited:
        source = (REPO / "tests" / file).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in source, f"docs/security.md cites {file}::{name}, which does not exist"


def test_make_check_leaves_out_every_mark_and_make_test_none() -> None:
    """A new mark in pyproject must also be left out of `make check` and named in the README;
    `make test`, what CI runs, selects every test."""
    options = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    marks = {line.split(":", 1)[0] for line in options["markers"]}
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    fast = re.search(r"^FAST := not \((.+)\)$", makefile, re.M)
    assert fast and set(fast.group(1).split(" or ")) == marks
    assert re.search(r'^check: .*\n(\t.*\n)*\t\$\(BIN\)/python -m pytest -q -m "\$\(FAST\)"$', makefile, re.M)
    assert re.search(r'^test: .*\n\t\$\(BIN\)/python -m pytest -m ""$', makefile, re.M)
    assert " -m" not in f" {options['addopts']}"
    development = README.split("## Development", 1)[1]
    assert all(f"`{mark}`" in development for mark in marks), marks
