"""The naive peer: the report a user would write by hand with the same libraries.

Each story's YAML is read with ``yaml.safe_load``; its metrics become an Altair bar chart,
converted by ``vl_convert.vegalite_to_svg`` and inlined as ``<svg>`` into a plain Jinja
template with the story's Markdown; WeasyPrint then writes the PDF. No cache, no worker
processes, one pass. The benchmark compares storyteller's cold PDF build with it.

    python bench/naive.py WORKSPACE OUT.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Innovation report</title>
<style>
@page { size: A4; margin: 20mm; @bottom-right { content: counter(page) " / " counter(pages); } }
body { font-family: sans-serif; font-size: 10pt; }
h2 { break-before: page; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ccc; padding: 2pt 4pt; text-align: left; }
svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>Innovation report</h1>
<p>{{ stories | length }} stories.</p>
{% for s in stories %}
<h2>{{ s.title }}</h2>
<p><em>{{ s.summary }}</em></p>
<p>{{ s.team }} · {{ s.category }} · {{ s.quarter }}</p>
<table><tr><th>Metric</th><th>Before</th><th>After</th><th>Unit</th></tr>
{% for m in s.metrics %}<tr><td>{{ m.name }}</td><td>{{ m.before }}</td><td>{{ m.after }}</td><td>{{ m.unit }}</td></tr>
{% endfor %}</table>
{{ s.chart | safe }}
<h3>Problem</h3>{{ s.problem | safe }}
<h3>Solution</h3>{{ s.solution | safe }}
<h3>Outcome</h3>{{ s.outcome | safe }}
{% endfor %}
</body></html>
"""


def main(workspace: Path, out: Path) -> None:
    import altair as alt
    import jinja2
    import vl_convert
    import yaml
    from markdown_it import MarkdownIt
    from weasyprint import HTML

    md = MarkdownIt()
    stories = []
    for path in sorted((workspace / "stories").rglob("*.yaml")):
        story = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows = [
            {"metric": m["name"], "when": when, "value": m[when.lower()]}
            for m in story["metrics"]
            for when in ("Before", "After")
        ]
        chart = (
            alt.Chart(alt.Data(values=rows))
            .mark_bar()
            .encode(y=alt.Y("metric:N", title=None), yOffset="when:N", x=alt.X("value:Q"), color="when:N")
            .properties(width=340, title=story["title"])
        )
        story["chart"] = vl_convert.vegalite_to_svg(chart.to_dict())
        for part in ("problem", "solution", "outcome"):
            story[part] = md.render(story.get(part) or "")
        stories.append(story)
    html = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(stories=stories)
    HTML(string=html, base_url=workspace.as_uri() + "/").write_pdf(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/naive.py WORKSPACE OUT.pdf")
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]))
