"""Template overrides and untrusted story text, end to end: real builds of workspaces in tmp_path.

Builds use ``--format html`` unless the PDF is the point. docs/templates.md describes what is
tested here; its worked example is read from the page itself, so the page stays true.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from storyteller.cli import app

from .helpers import BASE_STORY, EPOCH, RATED_CONFIG, REPO, build, normalise, write_workspace

NAME = "test-org-2026-Q3"

IN_PROGRESS = """\
title: Tiered log archive
summary: Logs older than 30 days move to cheaper storage automatically.
quarter: 2026-Q3
team: Observability
category: proactive-problem-management
status: in-progress
problem: |
  The log cluster fills up every six weeks.
outcome: |
  The first two indices moved.
"""

HOSTILE = """\
title: Hostile text in every Markdown field
summary: "A summary with {{ 7*7 }} and <b>bold</b> in it"
quarter: 2026-Q3
team: Red Team
category: automation
problem: |
  Template syntax: {{ 7*7 }}

  A raw tag: {% raw %} and a statement {% if true %}yes{% endif %}

  <script>alert(1)</script>

  <img src=x onerror=alert(1)>
solution: |
  Bad links: [x](javascript:alert(1)) [y](data:text/html,hi) [z](file:///etc/passwd)

  Disguised: [w](JaVaScRiPt:alert(2)) [v](java&#115;cript:alert(3)) <javascript:alert(4)>

  Good links: [ok](https://example.com) and [m](mailto:a@example.com)
outcome: |
  Still {{ 7*7 }} and not the number.
metrics:
  - name: Hands-on time per request
    unit: minutes
    before: 50
    after: 20
    frequency: 40 per month
"""


def _workspace(root: Path, templates: dict[str, str] | None = None, stories: dict[str, str] | None = None) -> Path:
    """A workspace with the base story (and ``stories``, by id) in 2026-Q3 and the given templates."""
    stories = {f"2026-Q3/{name}.yaml": text for name, text in {"san-zoning": BASE_STORY, **(stories or {})}.items()}
    return write_workspace(root, stories, RATED_CONFIG, templates)


def _build(ws: Path, formats: str = "html") -> str:
    """Build 2026-Q3 and return the HTML report."""
    build(ws, "--format", formats)
    return (ws / "output" / "2026-Q3" / f"{NAME}.html").read_text(encoding="utf-8")


def _reports(ws: Path) -> list[str]:
    """Every report file under output/, ignoring the cache."""
    out = ws / "output"
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".cache" not in p.parts)


def _docs_example() -> str:
    """The worked example of docs/templates.md: the code block after its marker comment."""
    page = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- worked example: templates/report.html -->\s*```[\w+-]*\n(.*?)```", page, re.S)
    assert found, "docs/templates.md lost its worked example"
    return found.group(1)


FOOTER_ONLY = """\
{% extends "default:report.html" %}
{% block footer %}
<footer class="colophon"><p>Questions about {{ report.period_label }}: infraops@example.com</p></footer>
{% endblock %}
"""


def _split_footer(html: str) -> tuple[str, str, str]:
    before, rest = html.split('<footer class="colophon">', 1)
    footer, after = rest.split("</footer>", 1)
    return before, footer, after


def test_an_override_extending_the_default_changes_one_block_and_keeps_the_rest(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", stories={"log-archive": IN_PROGRESS})
    plain = _build(ws)
    (ws / "templates").mkdir()
    (ws / "templates" / "report.html").write_text(FOOTER_ONLY, encoding="utf-8")
    custom = _build(ws)

    plain_before, plain_footer, plain_after = _split_footer(normalise(plain))
    before, footer, after = _split_footer(normalise(custom))
    assert "<p>Questions about Q3 2026: infraops@example.com</p>" in footer
    assert "<p>Test Org" in plain_footer and plain_footer not in normalise(custom)  # the default footer is gone
    assert before == plain_before and after == plain_after  # every other block is exactly as before
    for kept in ('class="cover"', 'id="summary"', 'id="story-san-zoning"', 'id="in-progress"', 'id="appendix"'):
        assert kept in before


@pytest.mark.slow
def test_the_worked_example_in_the_docs_changes_the_html_and_the_pdf(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", {"report.html": _docs_example()})
    html = _build(ws, "html,pdf")
    notice = "Confidential: for Test Org staff only. Do not forward."
    assert f'<p class="cover-notice">{notice}</p>' in html
    assert 'class="cover-title">Infrastructure Operations Innovation Report</h1>' in html  # the rest of the cover
    assert "Questions about this report: infraops@example.com" in html
    assert "Made with storyteller" not in html

    reader = PdfReader(ws / "output" / "2026-Q3" / f"{NAME}.pdf")
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    assert notice in pages[0]  # on the cover page itself
    assert "Questions about this report: infraops@example.com" in pages[-1]
    assert not any("Made with storyteller" in page for page in pages)


def test_overrides_of_story_macros_and_of_the_css_are_picked_up(tmp_path: Path) -> None:
    story_html = """\
        {#- Wraps the built-in story macro and replaces the brief one. -#}
        {% import "default:story.html" as base %}
        {% macro chart(item, css_class="") -%}{{ base.chart(item, css_class) }}{%- endmacro %}
        {% macro story(s, image_src) -%}
        <div class="house-story" data-team="{{ s.team }}">{{ base.story(s, image_src) }}</div>
        {%- endmacro %}
        {% macro brief(s) -%}
        <article class="brief house-brief" id="{{ s.anchor }}"><h3 class="brief-title">Coming soon: {{ s.title }}</h3></article>
        {%- endmacro %}
        """
    report_css = """\
        {% include "default:report.css" %}
        .story-title { color: rebeccapurple; }
        """
    ws = _workspace(
        tmp_path / "ws", {"story.html": story_html, "report.css": report_css}, stories={"log-archive": IN_PROGRESS}
    )
    html = _build(ws)
    assert (
        '<div class="house-story" data-team="Storage Operations"><article class="story" id="story-san-zoning"' in html
    )
    assert "Coming soon: Tiered log archive</h3></article>" in html and 'class="brief-summary"' not in html
    assert ".story-title { color: rebeccapurple; }" in html
    assert ".cover-band {" in html  # the built-in stylesheet is still there, included by the override


def test_a_misspelt_variable_fails_the_build_naming_the_template_and_line(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path / "ws",
        {
            "report.html": """\
            {% extends "default:report.html" %}
            {% block footer %}
            <footer class="colophon"><p>{{ report.titel }}</p></footer>
            {% endblock %}
            """
        },
    )
    earlier = ws / "output" / "2026-Q3" / f"{NAME}.html"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("the earlier good report", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "storyteller", "build", "--workspace", str(ws)],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("storyteller: ")
    assert re.search(r"templates/report\.html\W+(line\s+)?3\b", lines[0]), lines[0]  # the template and its line
    assert "titel" in lines[0]
    assert earlier.read_text(encoding="utf-8") == "the earlier good report"
    assert _reports(ws) == [f"2026-Q3/{NAME}.html"]  # no PDF, no second HTML


def test_a_misspelt_variable_in_a_macro_names_story_html(tmp_path: Path) -> None:
    story_html = """\
        {% import "default:story.html" as base %}
        {% macro chart(item, css_class="") -%}{{ base.chart(item, css_class) }}{%- endmacro %}
        {% macro story(s, image_src) -%}
        <h3>{{ s.titel }}</h3>
        {%- endmacro %}
        {% macro brief(s) -%}{{ base.brief(s) }}{%- endmacro %}
        """
    ws = _workspace(tmp_path / "ws", {"story.html": story_html})
    result = CliRunner().invoke(app, ["build", "--format", "html", "--workspace", str(ws)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert re.search(r"templates/story\.html\W+(line\s+)?4\b", lines[0]), lines[0]
    assert not (ws / "output" / "2026-Q3").exists()


def test_story_text_is_data_never_a_template_and_its_markdown_is_safe(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", stories={"hostile": HOSTILE})
    html = _build(ws)
    article = html.split('id="story-hostile"', 1)[1].split("</article>", 1)[0]

    # Never rendered as a template: printed literally, not evaluated.
    assert "<p>Template syntax: {{ 7*7 }}</p>" in article and "Template syntax: 49" not in html
    assert "<p>Still {{ 7*7 }} and not the number.</p>" in article and "Still 49" not in html
    assert "<p>A raw tag: {% raw %} and a statement {% if true %}yes{% endif %}</p>" in article
    assert "A summary with {{ 7*7 }} and &lt;b&gt;bold&lt;/b&gt; in it" in article
    assert "<b>bold" not in html

    # Raw HTML is disabled: shown as text, never as elements or attributes.
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert not re.search(r"<[^<>]*\sonerror\s*=", html, re.I)
    assert not re.search(r"<img[^>]*\ssrc=[\"']?x", html)

    # Links keep only http, https and mailto.
    hrefs = re.findall(r"""href\s*=\s*["']?([^"'\s>]*)""", html, re.I)
    assert not [h for h in hrefs if re.match(r"\s*(javascript|data|file|vbscript):", h, re.I)], hrefs
    assert 'href="https://example.com"' in article and 'href="mailto:a@example.com"' in article
    assert all(h.startswith(("#", "https://", "http://", "mailto:")) for h in hrefs), hrefs


def _documented(section: str) -> set[str]:
    """The names in the first column of a docs table: `title`, `summary`, `team` in one row."""
    return {name for row in re.findall(r"^\| (.*?) \|", section, re.M) for name in re.findall(r"`(\w+)`", row)}


def test_every_field_a_template_can_use_is_in_the_docs() -> None:
    """docs/templates.md has a table for each record of the context, with each of its fields:
    an override's author finds every name there, and a new field cannot go undocumented."""
    import dataclasses

    from storyteller.report.appendix import Appendix, AppendixRow, Formula
    from storyteller.report.charts import Chart, Palette
    from storyteller.report.context import Period, ReportContext
    from storyteller.report.sections import (
        Categories,
        CategoryView,
        Change,
        Headline,
        Headlines,
        QuarterFigures,
        Trend,
        Win,
    )
    from storyteller.report.views import MetricRow, StoryView

    page = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (\w+)\n(.*?)(?=^##)", page, re.S | re.M))
    records = (ReportContext, Period, Headlines, Headline, Change, Win, Categories, CategoryView, Trend, QuarterFigures)
    records += (Appendix, AppendixRow, Formula, StoryView, MetricRow, Chart, Palette)
    for record in records:
        assert record.__name__ in sections, f"docs/templates.md has no section ### {record.__name__}"
        missing = [f.name for f in dataclasses.fields(record) if f.name not in _documented(sections[record.__name__])]
        assert not missing, f"{record.__name__} fields not in docs/templates.md: {missing}"
    assert "tiles" in _documented(sections["Headlines"])  # a property, the one way to loop over the tiles


def test_a_placeholder_is_marked_in_the_html_and_the_pdf_never_shown_silently(tmp_path: Path) -> None:
    story = BASE_STORY.replace(
        "summary: Zoning requests now run through a reviewed playbook.",
        'summary: "TODO: one sentence on what is better now."',
    ).replace("team: Storage Operations", "team: Your team")
    story = story.replace("  Requests are closed the same day.", "  TODO: what is better now, for whom?")
    ws = _workspace(tmp_path / "ws", stories={"san-zoning": story})
    html = _build(ws, "html,pdf")
    tip = "placeholder text from storyteller new: replace it in the story file"
    label = '<span class="placeholder-label">placeholder</span>'
    article = html.split('id="story-san-zoning"', 1)[1].split("</article>", 1)[0]
    assert f'<p class="story-summary"><span class="placeholder" title="{tip}">{label} TODO: one sentence' in article
    assert f'<span class="team"><span class="placeholder" title="{tip}">{label} Your team</span>' in article
    assert f'<div class="placeholder placeholder-block" title="{tip}">{label}<p>TODO: what is better now' in article
    appendix = html.split('id="appendix"', 1)[1]
    assert f'<td><span class="placeholder" title="{tip}">{label} Your team</span></td>' in appendix
    pages = PdfReader(ws / "output" / "2026-Q3" / f"{NAME}.pdf").pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "PLACEHOLDER TODO: one sentence on what is better now." in text
    assert "PLACEHOLDER Your team" in text and "PLACEHOLDER TODO: what is better now, for whom?" in text
