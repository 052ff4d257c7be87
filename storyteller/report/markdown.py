"""Story Markdown to safe HTML: no raw HTML, no images, links to http, https and mailto only.

markdown-it-py does the parsing (CommonMark); this module only narrows what it may emit.
Headings inside a story are demoted below the story's own heading, so they never enter the
report's outline or the PDF bookmarks.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markupsafe import Markup

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(ALLOWED_SCHEMES)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "maxNesting": 40})
    md.disable(["image"])  # a remote image would be a request from the report; images are declared fields
    md.validateLink = _validate_link  # type: ignore[method-assign]

    def heading_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        level = min(6, int(tokens[idx].tag[1]) + 3)
        return f'<h{level} class="md-heading">'

    def heading_close(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        level = min(6, int(tokens[idx].tag[1]) + 3)
        return f"</h{level}>"

    def link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "noopener noreferrer")
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("heading_open", heading_open)
    md.add_render_rule("heading_close", heading_close)
    md.add_render_rule("link_open", link_open)
    return md


def depth(text: str) -> int:
    """How deeply ``text`` nests: block levels (lists, items, quotes) plus inline levels
    (emphasis, links) inside the deepest paragraph. Stops counting at the parser's limit."""
    deepest = 0
    for token in _parser().parse(text):
        inline = max((child.level + 1 for child in token.children or ()), default=0)
        deepest = max(deepest, token.level + inline)
    return deepest


@lru_cache(maxsize=4096)  # the live preview renders every story again after each edit
def render(text: str) -> Markup:
    """Render story Markdown; what is not allowed comes out as plain, escaped text."""
    return Markup(_parser().render(text))


def link_href(url: str) -> str:
    """A story's ``links`` URL as an href: normalised as markdown-it does links in story text
    (characters that a URL may not hold, such as ``"`` or ``<``, percent-encoded)."""
    return normalizeLink(url)
