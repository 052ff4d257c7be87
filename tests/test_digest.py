"""`storyteller digest`: Markdown read back by a CommonMark parser, Slack JSON against Slack's
limits, the e-mail parsed back by the standard `email` package and shown in Chromium."""

from __future__ import annotations

import base64
import dataclasses
import email
import json
import re
import shutil
import subprocess
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from storyteller.build import BuildRequest, undrawn_contexts
from storyteller.cli import app
from storyteller.digest.slack import MAX_BLOCKS, MAX_FIELD, MAX_HEADER, MAX_TEXT, blocks
from storyteller.figures.periods import Quarter
from storyteller.format.config import load_config
from storyteller.format.load import load_workspace
from storyteller.report.brief import brief

from .helpers import BASE_STORY, EPOCH, RATED_CONFIG, REPO, write_workspace

CHROMIUM = Path("/usr/bin/chromium")
TOOLS = REPO / "tests" / "tools"
NAME = "northwind-logistics-2026-Q3"
HOSTILE_TITLE = "*Bold* _it_ [link](https://evil.example) @ops-team $5 and $6 | <b>x</b> `code` ~gone~ #1"


def digest(root: Path, *args: str) -> Any:
    result = CliRunner().invoke(
        app, ["digest", "--workspace", str(root), *args], env={"SOURCE_DATE_EPOCH": EPOCH}, catch_exceptions=False
    )
    return result


def _headlines() -> Any:
    config = load_config(REPO)
    return undrawn_contexts(load_workspace(config), BuildRequest(quarter=Quarter(2026, 3)))[0]


def _hostile(tmp_path: Path) -> Path:
    story = BASE_STORY.replace('"Automated SAN switch zoning"', "").replace(
        "Automated SAN switch zoning", json.dumps(HOSTILE_TITLE)
    )
    return write_workspace(tmp_path / "ws", {"2026-Q3/x.yaml": story}, RATED_CONFIG)


# ---------------------------------------------------------------------------------------
# markdown


def test_markdown_shows_the_reports_figures_and_wins() -> None:
    result = digest(REPO)
    assert result.exit_code == 0, result.output
    context = _headlines()
    html = MarkdownIt("commonmark").enable("table").render(result.stdout)
    text = re.sub(r"<[^>]+>", "", html)
    for tile in (context.headlines.money, context.headlines.hours, context.headlines.delivered):
        assert tile.value in text and tile.change.text in text
    assert context.headlines.realised.value in text
    for view in context.top_wins:
        assert view.title in text and view.highlight in text
    assert "<table>" in html and html.count("<li>") >= 3
    assert f"<code>{NAME}.pdf</code>" in html


def test_markdown_escapes_story_text(tmp_path: Path) -> None:
    result = digest(_hostile(tmp_path))
    assert result.exit_code == 0, result.output
    html = MarkdownIt("commonmark").enable("table").render(result.stdout)
    assert 'href="https://evil.example"' not in html and "<em>it</em>" not in html and "<b>" not in html
    assert "<strong>Bold</strong>" not in html and "<del>" not in html
    text = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert HOSTILE_TITLE in text  # shown as written, every character
    assert "\\@ops-team" in result.stdout and "\\$5" in result.stdout  # no mention, no GitHub math


def test_markdown_goes_to_a_file_with_output(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    result = digest(REPO, "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("### Northwind Logistics: Q3 2026 at a glance")


# ---------------------------------------------------------------------------------------
# slack


def _texts(block: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, text) of every text object in a block."""
    found = []
    if "text" in block:
        found.append(("header" if block["type"] == "header" else "text", block["text"]["text"]))
    found += [("field", f["text"]) for f in block.get("fields", [])]
    found += [("text", e["text"]) for e in block.get("elements", [])]
    return found


def _within_limits(message: dict[str, Any]) -> None:
    blocks = message["blocks"]
    assert 0 < len(blocks) <= MAX_BLOCKS
    for block in blocks:
        assert block["type"] in {"header", "section", "context", "divider"}
        assert len(block.get("fields", [])) <= 10
        for kind, text in _texts(block):
            most = {"header": MAX_HEADER, "field": MAX_FIELD, "text": MAX_TEXT}[kind]
            assert 0 < len(text) <= most, (kind, len(text))


def test_slack_is_block_kit_within_slacks_limits() -> None:
    result = digest(REPO, "--format", "slack")
    assert result.exit_code == 0, result.output
    message = json.loads(result.stdout)
    _within_limits(message)
    every = "\n".join(t for b in message["blocks"] for _, t in _texts(b))
    context = _headlines()
    for view in context.top_wins:
        assert view.title in every and view.highlight in every
    assert context.headlines.money.value in every and f"`{NAME}.pdf`" in every
    assert "shortened" not in every


def test_slack_shortens_what_passes_a_limit_and_says_so() -> None:
    """Story text reaches the brief shortened already, so only a template override or a
    future field could pass a limit: the guard is checked on a brief made too long."""
    item = brief(_headlines(), "x.pdf")
    long_win = dataclasses.replace(item.wins[0], title="W" * 4000)
    too_long = dataclasses.replace(item, organization="Org " * 60, wins=(long_win, *item.wins[1:]))
    message = {"blocks": blocks(too_long)}
    _within_limits(message)
    assert message["blocks"][0]["text"]["text"].endswith("…")
    assert "shortened (…) to fit Slack's limits" in message["blocks"][-1]["elements"][0]["text"]


def test_slack_escapes_story_text(tmp_path: Path) -> None:
    message = json.loads(digest(_hostile(tmp_path), "--format", "slack").stdout)
    every = "\n".join(t for b in message["blocks"] for _, t in _texts(b))
    assert "<b>" not in every and "&lt;b&gt;" in every
    assert "*Bold*" not in every and "*\u2060Bold*\u2060" in every  # cannot pair into bold


# ---------------------------------------------------------------------------------------
# email


@pytest.fixture(scope="module")
def eml(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    target = tmp_path_factory.mktemp("eml") / "digest.eml"
    result = digest(REPO, "--format", "email", "--output", str(target), "--to", "Board <board@example.com>")
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def _parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.slow
def test_the_email_is_related_alternative_with_png_charts(eml: bytes) -> None:
    message = _parsed(eml)
    assert not message.defects and all(not p.defects for p in message.walk())
    assert message["MIME-Version"] == "1.0"
    assert message["Subject"] == "Northwind Logistics: Q3 2026 at a glance"
    assert message["Date"] == "Mon, 21 Sep 2026 14:13:20 +0000"  # SOURCE_DATE_EPOCH
    assert message["To"] == "Board <board@example.com>"
    assert re.fullmatch(r"<digest-2026-Q3-[0-9a-f]{24}@storyteller\.invalid>", message["Message-ID"])
    assert message.get_content_type() == "multipart/related"
    assert message.get_param("type") == "multipart/alternative"
    first, *images = message.iter_parts()
    assert first.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]
    assert len(images) == 2  # the summary's charts: by category, over the quarters
    for image in images:
        assert image.get_content_type() == "image/png" and image.get_content_disposition() == "inline"
        assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    cids = {p["Content-ID"].strip("<>") for p in images}
    assert set(re.findall(r'src="cid:([^"]+)"', html)) == cids  # every cid resolves, every image is shown
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    context = _headlines()
    for view in context.top_wins:
        assert view.title in plain and view.title in html


@pytest.mark.slow
def test_the_emails_css_is_inlined(eml: bytes) -> None:
    html = _parsed(eml).get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert re.search(r'<body style="[^"]*font-family', html)
    assert re.search(r'<td class="head" style="[^"]*background: #0f4c5c', html)  # the brand colour
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    assert all(s.strip().startswith("@media") for s in styles)  # only what cannot be inlined stays


@pytest.mark.slow
def test_the_email_is_reproducible(eml: bytes, tmp_path: Path) -> None:
    target = tmp_path / "again.eml"
    digest(REPO, "--format", "email", "--output", str(target), "--to", "Board <board@example.com>")
    assert target.read_bytes() == eml


def test_the_email_goes_to_the_output_folder_by_default(tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", {"2026-Q3/x.yaml": BASE_STORY}, RATED_CONFIG)
    result = digest(root, "--format", "email")
    assert result.exit_code == 0 and result.stdout == ""
    assert _parsed((root / "output" / "2026-Q3" / "test-org-2026-Q3-digest.eml").read_bytes())["Subject"]


def test_addresses_are_checked_and_only_for_email(tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", {"2026-Q3/x.yaml": BASE_STORY}, RATED_CONFIG)
    bad = digest(root, "--format", "email", "--from", "not an address")
    assert bad.exit_code == 2 and "--from 'not an address' is not an e-mail address" in bad.output
    wrong = digest(root, "--to", "a@example.com")
    assert wrong.exit_code == 2 and "--from and --to are for --format email only" in wrong.output


@pytest.mark.browser
def test_chromium_shows_the_email_with_its_images(eml: bytes, tmp_path: Path) -> None:
    """The HTML part, each cid: swapped for its PNG part, in Debian's headless Chromium: every
    image loads, and axe-core finds no violation."""
    if not CHROMIUM.exists() or not (TOOLS / "node_modules").is_dir() or shutil.which("node") is None:
        pytest.fail("Chromium or tests/tools are missing; run `make tools`")
    message = _parsed(eml)
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    for part in message.walk():
        if part["Content-ID"]:
            uri = "data:image/png;base64," + base64.b64encode(part.get_content()).decode("ascii")
            html = html.replace("cid:" + part["Content-ID"].strip("<>"), uri)
    page = tmp_path / "email.html"
    page.write_text(html, encoding="utf-8")
    done = subprocess.run(
        ["node", "check_html.mjs", str(page), "--width", "700", "--width", "390"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=TOOLS,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["reader_problems"] == [] and found["requests"] == []
    assert found["violations"] == [], found["violations"]
