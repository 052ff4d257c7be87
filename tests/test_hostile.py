"""The hostile-input corpus: stories written to break, trick or leak, and what storyteller does.

Each case is a workspace and an expected outcome: either *rejected* (exit 1, every problem
line `path:line:column: ...`, no traceback, nothing written) or *accepted and rendered
harmlessly* in both the HTML and the PDF (see tests/harmless.py for what that means). The
fields that get script tags, and the type confusions, are derived from the model
(storyteller/format/story.py), so a new field is covered without editing this file.

Every case runs `storyteller build` in one Python process under an audit hook
(tests/audited.py), which also gives the figures the issue asks for:

    python -m tests.test_hostile --report
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from storyteller.format.fields import ListOf, Number, Text, Type
from storyteller.format.record import Record
from storyteller.format.story import STORY

from . import harmless
from .helpers import (
    BASE,
    CONFIG,
    billion_laughs,
    dump,
    full_story,
    in_every_text_field,
    invoke,
    padded,
    set_path,
    story_values,
    text_fields,
    vary,
    walk,
    with_line,
    write_workspace,
)

STORY_FILE = "stories/2026-Q3/x.yaml"
TOKEN = "canary-" + secrets.token_hex(8)  # never in any output; the corpus's outside files hold it
MIB = 1024 * 1024

# ---------------------------------------------------------------------------------------
# Story positions


def node_position(text: str, path: str) -> tuple[int, int]:
    """Line and column of the value at ``path`` in YAML ``text``."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            node = node.value[int(part[1:-1])]
        else:
            node = next(v for k, v in node.value if k.value == part)
    return node.start_mark.line + 1, node.start_mark.column + 1


# ---------------------------------------------------------------------------------------
# Cases


@dataclass
class Case:
    name: str
    make: Callable[[Path], None]  # fills the workspace folder
    rejected: bool
    problems: tuple[str, ...] = ()  # rejected: regexes, each matching a problem line
    shows: tuple[str, ...] = ()  # accepted: text the reader must see, as text, in HTML and PDF
    hidden: tuple[str, ...] = ()  # accepted: text that must appear nowhere in what a reader sees
    check: Callable[[Path], None] | None = None  # anything else to assert afterwards


def story_text(text: str | bytes, config: str = CONFIG, name: str = "2026-Q3/x.yaml") -> Callable[[Path], None]:
    def make(root: Path) -> None:
        write_workspace(root, {name: text}, config)

    return make


def rejected(name: str, make: Callable[[Path], None], *problems: str, **extra: Any) -> Case:
    return Case(name, make, True, problems, **extra)


def accepted(name: str, make: Callable[[Path], None], shows: tuple[str, ...] = (), **extra: Any) -> Case:
    return Case(name, make, False, shows=shows, **extra)


def link(url: str) -> str:
    return with_line("category: automation", f'links:\n  - title: Read more\n    url: "{url}"')


def image(path: str) -> str:
    return with_line("category: automation", f'images:\n  - path: "{path}"\n    alt: A picture')


def markdown(text: str) -> str:
    """BASE with ``text`` as the story's `problem` (a Markdown field)."""
    block = "\n".join("  " + line if line else "" for line in text.splitlines())
    return vary("problem: |\n  Every zoning request meant typing by hand.", "problem: |\n" + block)


def workspace_with(files: dict[str, bytes], text: str) -> Callable[[Path], None]:
    """BASE-like story ``text`` plus files (relative to the workspace)."""

    def make(root: Path) -> None:
        write_workspace(root, {"2026-Q3/x.yaml": text})
        for relative, data in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    return make


def with_link(relative: str, target: Callable[[Path], str], text: str) -> Callable[[Path], None]:
    """A workspace whose ``relative`` path is a symbolic link to ``target(root)``."""

    def make(root: Path) -> None:
        write_workspace(root, {"2026-Q3/x.yaml": text})
        place = root / relative
        place.parent.mkdir(parents=True, exist_ok=True)
        place.symlink_to(target(root))

    return make


def outside(root: Path) -> Path:
    """The corpus's folder outside every workspace (a sibling), holding the canary files."""
    return root.parent / "outside"


def make_outside(base: Path) -> None:
    place = base / "outside"
    place.mkdir(parents=True, exist_ok=True)
    (place / "canary.png").write_bytes(harmless.png(1, 1, rows=b"\x00\x00") + TOKEN.encode())
    (place / "canary.txt").write_text(TOKEN + "\n", encoding="utf-8")
    (place / "secret.yaml").write_text(vary("team: Storage Operations", f"team: {TOKEN}"), encoding="utf-8")
    (place / "stories").mkdir(exist_ok=True)
    (place / "stories" / "s.yaml").write_text(vary("team: Storage Operations", f"team: {TOKEN}"), encoding="utf-8")


# Payloads short enough for every free-text field (tags hold 40 characters).
SCRIPT = "<script>alert('x')</script>"
EVENT = "<img src=x onerror=alert(1)>"
BREAK_DOUBLE = '"><svg onload=alert(1)>'
BREAK_SINGLE = "'><b onmouseover=alert(1)>x"
TEMPLATE = "{{ 7*191 }} {% raw %} ${7*191}"
STYLE = "</style><style>*{color:red}</style>"
ENTITY = "&lt;script&gt;alert(2)&lt;/script&gt;"
COMMENT = "<!-- x --><![CDATA[ y ]]>"


def payload_cases() -> list[Case]:
    cases = []
    for name, payload in [
        ("script-tag", SCRIPT),
        ("event-handler", EVENT),
        ("attribute-breakout-double-quote", BREAK_DOUBLE),
        ("attribute-breakout-single-quote", BREAK_SINGLE),
        ("style-breakout", STYLE),
        ("html-entities", ENTITY),
        ("comment-and-cdata", COMMENT),
    ]:
        cases.append(accepted(f"{name}-in-every-text-field", in_every_text_field(payload), (payload,)))
    cases.append(
        accepted("template-syntax-in-every-text-field", in_every_text_field(TEMPLATE), (TEMPLATE,), hidden=("1337",))
    )
    return cases


JS_LINKS = """\
[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c]( javascript:alert(1)) [d](<javascript:alert(1)>)
[e](&#106;avascript:alert(1)) [f](jav&#x09;ascript:alert(1)) [g](java%0ascript:alert(1))
[h](\\javascript:alert(1)) <javascript:alert(1)> [i][ref]

[ref]: javascript:alert(1)
"""
OTHER_SCHEMES = """\
[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [b](file:///etc/passwd)
[c](vbscript:msgbox(1)) [d](FILE://localhost/etc/shadow) <file:///etc/passwd> <data:text/html,x>
[e](ftp://example.com/x) [f](//evil.example.com/x) [g](smb://server/share)
"""
RAW_HTML = """\
<script>alert(1)</script>

<iframe src="https://evil.example.com"></iframe>

<form action="https://evil.example.com"><input name=x></form>

<meta http-equiv="refresh" content="0;url=https://evil.example.com">

<base href="https://evil.example.com/"> <object data="x.swf"></object> <embed src="x">

<svg><script>alert(1)</script></svg> <math><mi>x</mi></math>

<style>body { background: url(file:///etc/passwd) }</style>

Inline <b onmouseover="alert(1)">bold</b> and <a href="javascript:alert(1)">a link</a>.
"""
IMAGES = """\
![remote](https://evil.example.com/track.png) ![local](file:///etc/passwd)
![svg](data:image/svg+xml,<svg/onload=alert(1)>) ![ref][img]

[img]: http://169.254.169.254/latest/meta-data/
"""
TITLE_BREAKOUT = """\
[a](https://example.com "title\\" onmouseover=\\"alert(1)") [b](https://example.com 'x\\' onclick=alert(1) ')
[c](https://example.com/"><script>alert(1)</script>) <https://example.com/"onmouseover="alert(1)>
"""


def markdown_cases() -> list[Case]:
    return [
        accepted("markdown-javascript-links", story_text(markdown(JS_LINKS)), ("alert(1)",)),
        accepted("markdown-data-file-and-other-scheme-links", story_text(markdown(OTHER_SCHEMES)), ("/etc/passwd",)),
        accepted(
            "markdown-raw-html",
            story_text(markdown(RAW_HTML)),
            ("<script>alert(1)</script>", '<b onmouseover="alert(1)">'),
        ),
        accepted(  # images are off: what was an image is a link, or text
            "markdown-images-remote-and-file", story_text(markdown(IMAGES)), ("![local](file:///etc/passwd)",)
        ),
        accepted("markdown-link-title-breakout", story_text(markdown(TITLE_BREAKOUT))),
        accepted(
            "markdown-zero-width-characters",
            story_text(markdown("Amount and \u200bzero\u200b width, a soft\u00adhyphen, a zero\u200dwidth joiner.\n")),
            ("Amount",),
        ),
        accepted(  # two combining marks on a letter, as Vietnamese has; the emoji is refused (text_cases)
            "unicode-mixed-scripts",
            story_text(
                vary("title: Automated SAN switch zoning", "title: unicode-ok שלום مرحبا 漢字 Việt Z̸͑a̷l̵g̶o ✓ ★ →")
            ),
            ("unicode-ok",),
        ),
        accepted(
            "metric-name-of-100-unbroken-letters",
            story_text(vary("  - name: Processing time per zoning request", "  - name: " + "M" * 100)),
        ),  # where it stands on the page: tests/test_unicode_layout.py
        accepted(
            "markdown-long-unbroken-word",
            story_text(markdown("w" * 5000 + "\n")),
            ("wwwwwwwwww",),
        ),
        accepted(
            "markdown-field-at-its-size-limit",
            story_text(markdown(("Typing by hand. " * 1250)[:20_000].rstrip() + "\n")),
            ("Typing by hand.",),
        ),
    ]


def deep_markdown(kind: str, depth: int) -> str:
    if kind == "quotes":
        return ">" * depth + " deep\n"
    if kind == "lists":
        return "\n".join("  " * i + "- level" for i in range(depth)) + "\n"
    return "*" * depth + "emphasis" + "*" * depth + " " + "[" * depth + "link" + "]" * depth + "\n"


NESTS = r"x\.yaml:6:10: problem: its Markdown nests \d+ levels deep \(.*\); the limit is 16, flatten it"
PIXELS = r"x\.yaml:7:11: images\[0\]\.path: images/{} is {} pixels; the limit is 25,000,000 pixels, scale it down"


def limit_cases() -> list[Case]:
    """Markdown nesting (WeasyPrint recursed to death on 1,000 nested <em> before the limit)
    and image pixels: a small file that would decode to gigabytes in a browser or WeasyPrint."""

    def bomb(root: Path) -> None:  # made when the case runs: 400 million pixels in about 50 KB
        png = harmless.png(20_000, 20_000, depth=1)
        workspace_with({"stories/2026-Q3/images/bomb.png": png}, image("images/bomb.png"))(root)

    claims = harmless.png(1_000_000, 1_000_000, rows=b"\x00\x00")  # a header that lies, tiny data
    return [
        rejected("markdown-nested-quotes-1000-deep", story_text(markdown(deep_markdown("quotes", 1000))), NESTS),
        rejected("markdown-nested-lists-100-deep", story_text(markdown(deep_markdown("lists", 100))), NESTS),
        rejected("markdown-nested-emphasis-and-brackets", story_text(markdown(deep_markdown("inline", 2000))), NESTS),
        rejected(
            "png-decompression-bomb",
            bomb,
            PIXELS.format("bomb.png", "20,000 x 20,000"),
        ),
        rejected(
            "png-header-claims-huge-size",
            workspace_with({"stories/2026-Q3/images/huge.png": claims}, image("images/huge.png")),
            PIXELS.format("huge.png", "1,000,000 x 1,000,000"),
        ),
    ]


def link_cases() -> list[Case]:
    not_allowed = r"links\[0\]\.url: `{}:` URLs are not allowed; use an https, http or mailto link"
    return [
        rejected("link-javascript-url", story_text(link("javascript:alert(1)")), not_allowed.format("javascript")),
        rejected(
            "link-javascript-mixed-case", story_text(link("  JaVaScRiPt:alert(1)")), not_allowed.format("javascript")
        ),
        rejected("link-javascript-with-tab", story_text(link("java\\tscript:alert(1)")), r"links\[0\]\.url: contains"),
        rejected("link-data-url", story_text(link("data:text/html;base64,PHNjcmlwdD4=")), not_allowed.format("data")),
        rejected("link-file-url", story_text(link("file:///etc/passwd")), not_allowed.format("file")),
        rejected("link-vbscript-url", story_text(link("vbscript:msgbox(1)")), not_allowed.format("vbscript")),
        rejected("link-scheme-relative-url", story_text(link("//evil.example.com/x")), "a URL without a scheme"),
        accepted(
            "link-url-with-markup-characters",
            story_text(link('https://example.com/\\"><script>alert(1)</script>')),
            ("Read more",),
        ),
        accepted("link-mailto-with-markup", story_text(link("mailto:a@example.com?subject=<b>hi</b>")), ("Read more",)),
    ]


def fifo(relative: str, text: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        write_workspace(root, {"2026-Q3/x.yaml": text})
        place = root / relative
        place.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(place)

    return make


def folder(relative: str, text: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        write_workspace(root, {"2026-Q3/x.yaml": text})
        (root / relative).mkdir(parents=True)

    return make


def sparse(relative: str, head: bytes, size: int, text: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        write_workspace(root, {"2026-Q3/x.yaml": text})
        place = root / relative
        place.parent.mkdir(parents=True, exist_ok=True)
        with open(place, "wb") as handle:
            handle.write(head)
            handle.truncate(size)

    return make


OUTSIDE = r"images\[0\]\.path: .* points outside the workspace; keep images inside it"
RELATIVE = r"images\[0\]\.path: must be a path relative to this file, inside the workspace"
REMOTE = r"images\[0\]\.path: remote images are not allowed"
NOT_IMAGE = r"images\[0\]\.path: .* is not a PNG or JPEG file"
NOT_REGULAR = r"images\[0\]\.path: .* is not a regular file"


def image_cases() -> list[Case]:
    canary = "../../../outside/canary.png"
    return [
        rejected("image-dot-dot-to-outside", story_text(image(canary)), OUTSIDE),
        rejected("image-deep-dot-dot-to-dev-urandom", story_text(image("../" * 30 + "dev/urandom")), OUTSIDE),
        rejected("image-absolute-path", story_text(image("/etc/passwd")), RELATIVE),
        rejected("image-absolute-dev-zero", story_text(image("/dev/zero")), RELATIVE),
        rejected("image-home-path", story_text(image("~/.ssh/id_rsa")), RELATIVE),
        rejected(
            "image-symlink-to-outside",
            with_link("stories/2026-Q3/images/a.png", lambda r: outside(r) / "canary.png", image("images/a.png")),
            OUTSIDE,
        ),
        rejected(
            "image-symlink-to-dev-zero",
            with_link("stories/2026-Q3/images/z.png", lambda r: Path("/dev/zero"), image("images/z.png")),
            OUTSIDE,
        ),
        rejected(
            "image-symlink-loop",
            with_link(
                "stories/2026-Q3/images/loop.png",
                lambda r: r / "stories/2026-Q3/images/loop.png",
                image("images/loop.png"),
            ),
            r"images\[0\]\.path: ",
        ),
        rejected("image-fifo", fifo("stories/2026-Q3/images/pipe.png", image("images/pipe.png")), NOT_REGULAR),
        rejected("image-directory", folder("stories/2026-Q3/images/dir.png", image("images/dir.png")), NOT_REGULAR),
        rejected("image-remote-https", story_text(image("https://evil.example.com/x.png")), REMOTE),
        rejected("image-metadata-service-url", story_text(image("http://169.254.169.254/latest/meta-data/")), REMOTE),
        rejected("image-file-url", story_text(image("file:///etc/passwd")), REMOTE),
        rejected("image-data-url", story_text(image("data:image/png;base64,iVBORw0KGgo=")), REMOTE),
        rejected(
            "image-text-named-png",
            workspace_with({"stories/2026-Q3/images/a.png": b"just text, not an image\n"}, image("images/a.png")),
            NOT_IMAGE,
        ),
        rejected(
            "image-svg-with-script-named-png",
            workspace_with(
                {
                    "stories/2026-Q3/images/a.png": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
                },
                image("images/a.png"),
            ),
            NOT_IMAGE,
        ),
        rejected(
            "image-svg-file",
            workspace_with(
                {"stories/2026-Q3/images/a.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'},
                image("images/a.svg"),
            ),
            r"images\[0\]\.path: .* is not a PNG or JPEG file",
        ),
        rejected(
            "image-empty-file-named-png",
            workspace_with({"stories/2026-Q3/images/a.png": b""}, image("images/a.png")),
            NOT_IMAGE,
        ),
        rejected(
            "image-over-10-mib",
            sparse("stories/2026-Q3/images/big.png", b"\x89PNG\r\n\x1a\n", 11 * MIB, image("images/big.png")),
            r"images\[0\]\.path: .* is 11,534,336 bytes; the limit is 10,485,760",
        ),
    ]


PYTHON_TAG = '!!python/object/apply:os.system ["touch {marker}"]'


def python_tag_case() -> Case:
    def make(root: Path) -> None:
        text = vary("title: Automated SAN switch zoning", "title: " + PYTHON_TAG.format(marker=root / "pwned"))
        write_workspace(root, {"2026-Q3/x.yaml": text})

    def check(root: Path) -> None:
        assert not (root / "pwned").exists(), "the Python tag ran"

    return rejected(
        "python-object-apply-tag",
        make,
        r"title: YAML tags \(!!python/object/apply:os\.system\) are not allowed",
        check=check,
    )


def yaml_cases() -> list[Case]:
    return [
        python_tag_case(),
        rejected(
            "python-name-tag",
            story_text(vary("team: Storage Operations", "team: !!python/name:os.system")),
            r"team: YAML tags \(!!python/name:os\.system\) are not allowed",
        ),
        rejected(
            "custom-include-tag",
            story_text(vary("team: Storage Operations", "team: !include ../../../outside/secret.yaml")),
            r"team: YAML tags \(!include\) are not allowed",
        ),
        rejected("alias-bomb", story_text(billion_laughs()), r"a: anchors \(&a\) are not supported"),
        rejected(
            "merge-key-alias",
            story_text(BASE + "quote: &q {text: hi}\nextra:\n  <<: *q\n"),
            r"quote: anchors \(&q\) are not supported",
        ),
        rejected(
            "duplicate-key",
            story_text(BASE + "title: Second title\n"),
            r"title: `title` appears twice \(lines 1 and 15\); keep one of them",
        ),
        rejected(
            "duplicate-nested-key",
            story_text(BASE + "    before: 5\n"),
            r"metrics\[0\]\.before: `before` appears twice \(lines 13 and 15\)",
        ),
        rejected(  # found by test_fuzz: an AssertionError, storyteller's "internal error", exit 3
            "empty-quarter-and-no-date",
            story_text(vary("quarter: 2026-Q3", "quarter:")),
            r"x\.yaml:3:9: quarter: is empty; write it as 2026-Q3 \(or give the go-live `date`\)",
        ),
        rejected(
            "empty-quarter-and-empty-date",
            story_text(vary("quarter: 2026-Q3", "quarter:\ndate:")),
            r"x\.yaml:3:9: quarter: is empty; write it as 2026-Q3",
        ),
        rejected(  # was accepted: a delivered story with no metric in the report
            "empty-metrics-on-a-delivered-story",
            story_text(BASE[: BASE.index("metrics:")] + "metrics:\n"),
            r"x\.yaml:10:9: metrics: a delivered story needs at least one metric",
        ),
        rejected("two-documents", story_text(BASE + "---\ntitle: x\n"), "a file holds one YAML document"),
        rejected(
            "yaml-nested-100-deep",
            story_text(BASE + "tags: " + "[" * 100 + "]" * 100 + "\n"),
            r"tags(\[0\])+: nesting is deeper than 32 levels",
        ),
        rejected(
            "yaml-nested-10000-deep",
            story_text(BASE + "tags: " + "[" * 10_000 + "]" * 10_000 + "\n"),
            "YAML syntax error: exceeded maximum nesting depth",
        ),
        rejected(
            "file-over-1-mib", story_text(padded(BASE, 2 * MIB)), r"the file is 2,097,152 bytes; the limit is 1,048,576"
        ),
        rejected(
            "title-of-10000-characters",
            story_text(vary("title: Automated SAN switch zoning", "title: " + "x" * 10_000)),
            "title: is 10000 characters long; the limit is 120",
        ),
        rejected(
            "markdown-over-its-limit",
            story_text(markdown("y" * 20_001 + "\n")),
            "problem: is 20001 characters long; the limit is 20000",
        ),
        rejected(
            "list-of-10000-tags",
            story_text(BASE + "tags: [" + ", ".join(["t"] * 10_000) + "]\n"),
            r"tags: has 10000 items; the limit is 20",
        ),
        rejected(
            "number-of-400-digits",
            story_text(vary("before: 50", "before: " + "9" * 400)),
            r"metrics\[0\]\.before: 9+.* is too large",
        ),
        rejected(
            "number-nan",
            story_text(vary("before: 50", "before: .nan")),
            r"metrics\[0\]\.before: `\.nan` is not a finite number",
        ),
        rejected(
            "number-infinity",
            story_text(vary("after: 20", "after: -.inf")),
            r"metrics\[0\]\.after: `-\.inf` is not a finite number",
        ),
    ]


def character_cases() -> list[Case]:
    title = "title: Automated SAN switch zoning"
    return [
        rejected(
            "windows-path-in-double-quotes",
            story_text(vary(title, 'title: "C:\\Users\\me"')),
            r"x\.yaml:1:13: YAML syntax error: did not find expected hexdecimal number; write the character itself",
        ),
        rejected(
            "ansi-escape-in-title",
            story_text(vary(title, 'title: "\\e[2J\\e[31mred\\e]0;pwned\\a"')),
            r"title: contains the control character U\+001B; remove it",
        ),
        rejected(  # found by test_fuzz: the date's text was echoed raw, escape sequence and all
            "ansi-escape-in-a-date",
            story_text(with_line("quarter: 2026-Q3", 'date: "\\e]0;pwned\\a"')),
            r'date: "\\u001b\]0;pwned\\u0007" is not a date',
        ),
        rejected(
            "ansi-escape-in-a-number",
            story_text(vary("before: 50", 'before: "\\e[2J"')),
            r'metrics\[0\]\.before: expected a number, found the text "\\u001b\[2J"',
        ),
        rejected(
            "ansi-escape-in-a-key",
            story_text(BASE + '"\\e[2Jkey": x\n'),
            r"\\u001b\[2Jkey` is not a story field",
        ),
        rejected("nul-byte", story_text(BASE.encode() + b"tags: [a\x00b]\n"), r"control character U\+0000"),
        rejected(
            "bidi-override-in-title",
            story_text(vary(title, "title: Safe \u202eexe.txt")),
            r"title: contains the bidirectional control U\+202E; remove it",
        ),
        rejected(
            "bidi-isolate-in-team",
            story_text(vary("team: Storage Operations", "team: Storage \u2066Ops\u2069")),
            r"team: contains the bidirectional control U\+2066; remove it",
        ),
        rejected(
            "control-character-in-markdown",
            story_text(markdown("bell \x07 and backspace \x08\n")),
            r"control character U\+0007|problem: contains the control character U\+0007",
        ),
        rejected(
            "lone-surrogate-escape",
            story_text(vary(title, 'title: "broken \\ud800 text"')),
            r"x\.yaml:1:18: YAML syntax error: found invalid Unicode character escape code; write the character itself",
        ),
        rejected(
            "lone-surrogate-bytes",
            story_text(vary(title, "title: broken ").encode().replace(b"broken ", b"broken \xed\xa0\x80")),
            r"the file is not UTF-8 text: byte 0xED",
        ),
        rejected(
            "latin-1-file", story_text(vary(title, "title: Caf\u00e9").encode("latin-1")), "the file is not UTF-8 text"
        ),
        rejected("utf-16-file", story_text(BASE.encode("utf-16")), "the file is not UTF-8 text"),
        rejected(
            "line-separator-in-title",
            story_text(vary(title, "title: one\u2028two")),
            r"contains the line separator U\+2028, which YAML reads as a line break",
        ),
    ]


METRIC_LINES = "  - name: Processing time per zoning request\n    unit: minutes\n    before: 50\n    after: 20\n"
TOO_SMALL = r"is too small; a number is 0 or at least 0\.000000001 \(10\^-9\), use a smaller unit or 0"


def bound_cases() -> list[Case]:
    """Stories that passed `validate --strict` and then crashed `build` with exit 3 (issue 17),
    refused now where the number or year enters, with the bound and the fix."""
    quarter = "quarter: 2026-Q3"
    return [
        rejected(
            "saving-of-1e-20-seconds-with-1000-effort-hours",
            story_text(
                vary(
                    METRIC_LINES,
                    "  - name: x\n    unit: seconds\n    before: 0.00000000000000000002\n"
                    "    after: 0.00000000000000000001\n    frequency: 1 per year\n",
                    vary("category: automation", "category: automation\neffort_hours: 1000"),
                )
            ),
            r"x\.yaml:1[34]:13: metrics\[0\]\.before: 0\.00000000000000000002 " + TOO_SMALL,
        ),
        rejected(
            "factor-of-5e28-accepted-as-large",
            story_text(vary("after: 20", "after: 1e-27\n    accept: [large-factor]")),
            r"x\.yaml:14:12: metrics\[0\]\.after: 1e-27 " + TOO_SMALL,
        ),
        rejected(
            "before-of-5e-324-hours",
            story_text(vary("before: 50", "before: 5e-324", vary("unit: minutes", "unit: hours"))),
            r"x\.yaml:13:13: metrics\[0\]\.before: 5e-324 " + TOO_SMALL,
        ),
        rejected(
            "regression-of-1e-300-to-1e12",
            story_text(vary("after: 20", "after: 1e12", vary("before: 50", "before: 1e-300"))),
            r"metrics\[0\]\.before: 1e-300 " + TOO_SMALL,
        ),
        rejected(
            "before-of-4401-digits",
            story_text(vary("before: 50", "before: 1" + "0" * 4400)),
            r"x\.yaml:13:13: metrics\[0\]\.before: 1000+… is too large; the limit is 1,000,000,000,000 \(10\^12\)",
        ),
        rejected(
            "before-of-16-significant-digits",
            story_text(vary("before: 50", "before: 50.00000000000001")),
            r"metrics\[0\]\.before: 50\.00000000000001 has 16 significant digits; the limit is 15, round it",
        ),
        rejected(
            "in-progress-story-in-9999-Q4",
            story_text(vary(quarter, "quarter: 9999-Q4\nstatus: in-progress")),
            r"x\.yaml:3:10: quarter: \"9999-Q4\" is not a quarter; write it as YYYY-Qn from 2000-Q1 to 2099-Q4",
        ),
        rejected(
            "quarter-0000-Q1",
            story_text(vary(quarter, "quarter: 0000-Q1")),
            r"x\.yaml:3:10: quarter: \"0000-Q1\" is not a quarter; write it as YYYY-Qn from 2000-Q1 to 2099-Q4",
        ),
        rejected(
            "date-in-year-10000-range",
            story_text(vary(quarter, "date: 9999-12-31")),
            r"x\.yaml:3:7: date: 9999-12-31 is outside 2000-01-01\.\.2099-12-31; check the year",
        ),
        rejected(
            "quarter-in-arabic-indic-digits",
            story_text(vary(quarter, "quarter: \u0662\u0660\u0662\u0666-Q4")),
            r"x\.yaml:3:10: quarter: \"\u0662\u0660\u0662\u0666-Q4\" is not a quarter",
        ),
        rejected(
            "date-in-arabic-indic-digits",
            story_text(vary(quarter, "date: \u0662\u0660\u0662\u0666-\u0660\u0668-\u0661\u0664")),
            r"x\.yaml:3:7: date: .* is not a date; write it as YYYY-MM-DD",
        ),
        rejected(
            "frequency-in-arabic-indic-digits",
            story_text(vary("after: 20", "after: 20\n    frequency: \u0664\u0660 per month")),
            r"metrics\[0\]\.frequency: .* is not a frequency",
        ),
        rejected(
            "hours-per-fte-of-1e-300",
            story_text(BASE, config=CONFIG + "hours_per_fte: 1e-300\n"),
            r"storyteller\.yaml:2:16: hours_per_fte: must be at least 1, found 1e-300",
        ),
        rejected(
            "effort-hours-over-a-million",
            story_text(vary("category: automation", "category: automation\neffort_hours: 1000001")),
            r"x\.yaml:6:15: effort_hours: must be at most 1000000, found 1000001",
        ),
    ]


def text_cases() -> list[Case]:
    """Unicode that changes what a reader sees (issue 17), refused in every text field at the
    character's own line and column."""
    title = "title: Automated SAN switch zoning"
    return [
        rejected(  # renders as "Cost was $500,000 only."
            "markdown-right-to-left-override",
            story_text(markdown("Every zoning request.\nCost was \u202e000,005$\u202c only.\n")),
            r"x\.yaml:8:12: problem: contains the bidirectional control U\+202E; remove it",
        ),
        rejected(
            "markdown-left-to-right-mark",
            story_text(markdown("Amount \u200e50\n")),
            r"x\.yaml:7:10: problem: contains the bidirectional control U\+200E; remove it",
        ),
        rejected(
            "arabic-letter-mark-in-a-quote",
            story_text(BASE + "quote:\n  text: said \u061cso\n"),
            r"x\.yaml:16:14: quote\.text: contains the bidirectional control U\+061C; remove it",
        ),
        rejected(
            "tag-characters-in-title",
            story_text(vary(title, "title: Automated\U000e0069\U000e0067\U000e006e zoning")),
            r"x\.yaml:1:17: title: contains the invisible tag character U\+E0069; remove it",
        ),
        rejected(
            "tag-characters-in-markdown",
            story_text(markdown("Hidden \U000e0041\U000e0042 text\n")),
            r"x\.yaml:7:10: problem: contains the invisible tag character U\+E0041; remove it",
        ),
        rejected(  # drew a bar across the page and its header
            "500-combining-marks-on-one-letter",
            story_text(markdown("Z" + "\u0336\u0351" * 250 + "algo\n")),
            r"x\.yaml:7:4: problem: contains more than 4 combining marks on one character; keep at most 4",
        ),
        rejected(
            "five-combining-marks-in-a-team",
            story_text(vary("team: Storage Operations", "team: Sto\u0301\u0302\u0303\u0304\u0305rage")),
            r"x\.yaml:4:10: team: contains more than 4 combining marks on one character; keep at most 4",
        ),
        rejected(
            "emoji-in-title",
            story_text(vary(title, "title: Launch \U0001f680 zoning")),
            r"x\.yaml:1:15: title: contains the emoji U\+1F680, which the PDF cannot draw; write a word instead",
        ),
        rejected(
            "emoji-in-markdown",
            story_text(markdown("Done \u2705 today\n")),
            r"x\.yaml:7:8: problem: contains the emoji U\+2705, which the PDF cannot draw; write a word instead",
        ),
        rejected(
            "bidi-control-in-an-organization",
            story_text(BASE, config="organization: Acme \u202eCorp\n"),
            r"storyteller\.yaml:1:20: organization: contains the bidirectional control U\+202E; remove it",
        ),
    ]


def two_stories(first: str, second: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        write_workspace(root, {first: BASE, second: BASE})

    return make


def file_cases() -> list[Case]:
    return [
        rejected(  # the path of a problem was printed raw: a line break split it, a bidi control reordered it
            "file-name-with-escape-line-break-and-bidi",
            story_text(vary("quarter: 2026-Q3", "quarter: 2026-Q9"), name="2026-Q3/a\x1b[2J\nb\u202ec.yaml"),
            r"^stories/2026-Q3/a\\u001b\[2J\\u000ab\\u202ec\.yaml:1:1: the file name has control, invisible or bidi ",
        ),
        rejected(
            "story-symlink-to-outside",
            with_link("stories/2026-Q3/ext.yaml", lambda r: outside(r) / "secret.yaml", BASE),
            r"stories/2026-Q3/ext\.yaml:1:1: is a link to a file outside the workspace",
        ),
        rejected(
            "story-folder-symlink-to-outside",
            with_link("stories/shared", lambda r: outside(r) / "stories", BASE),
            r"stories/shared:1:1: is a link to a folder outside the workspace",
        ),
        rejected(
            "story-symlink-to-dev-zero",
            with_link("stories/2026-Q3/zero.yaml", lambda r: Path("/dev/zero"), BASE),
            r"stories/2026-Q3/zero\.yaml:1:1: is a link to a file outside the workspace",
        ),
        rejected(
            "story-fifo",
            fifo("stories/2026-Q3/pipe.yaml", BASE),
            r"stories/2026-Q3/pipe\.yaml:1:1: is not a regular file",
        ),
        rejected(
            "config-stories-folder-outside",
            story_text(BASE, config=CONFIG + "stories: ../outside/stories\n"),
            r"storyteller\.yaml:\d+:\d+: stories: ",
        ),
        rejected(
            "config-logo-outside",
            story_text(BASE, config=CONFIG + "brand:\n  logo: ../outside/canary.png\n"),
            r"storyteller\.yaml:3:9: brand\.logo: .* points outside the workspace",
        ),
        rejected(  # a file name reaches terminals, CI logs and exports: ESC and bidi are refused there
            "file-name-with-escape-and-bidi",
            two_stories("2026-Q3/a\x1b[2J\u202e.yaml", "2026-Q3/b.yaml"),
            r"2026-Q3/a\\u001b\[2J\\u202e\.yaml:1:1: the file name has control, invisible or bidi characters",
        ),
        accepted(
            "story-file-name-with-markup",
            story_text(BASE, name='2026-Q3/x" onmouseover="alert(1)\'><script>alert(2)<\\script>.yaml'),
            ("Automated SAN switch zoning",),
        ),
        accepted(
            "numbers-at-their-extremes",
            story_text(vary("after: 20", "after: 0.000000001", vary("before: 50", "before: 1000000000000"))),
            ("Automated SAN switch zoning",),
        ),
        accepted(  # was "1e+28 breaks Babel" in spirit: a payback of about 10^38 weeks, formatted in full
            "payback-at-its-extreme",
            story_text(
                vary(
                    METRIC_LINES,
                    "  - name: A saving of 10^-20 seconds\n    unit: seconds\n    before: 1.00000000000001e-6\n"
                    "    after: 0.000001\n    frequency: 0.001 per year\n",
                    vary("category: automation", "category: automation\neffort_hours: 1000000"),
                )
            ),
            ("A saving of 10^-20 seconds",),
        ),
        accepted(  # was "∞× worse" and `"factor": 0.0`
            "regression-at-its-extreme",
            story_text(
                vary(
                    "after: 20", "after: 1000000000000\n    accept: [large-factor]", vary("before: 50", "before: 1e-9")
                )
            ),
            ("Automated SAN switch zoning",),
            hidden=("\u221e",),
        ),
        accepted(
            "upper-case-extension",
            story_text(vary("title: Automated SAN switch zoning", "title: Read from UP.YAML"), name="2026-Q3/UP.YAML"),
            ("Read from UP.YAML",),
        ),
    ]


# Every type confusion of every field, derived from the model.


def confusions(kind: Type) -> list[tuple[str, Any]]:
    """Values of the wrong kind for a field of type ``kind``, each of which must be refused."""
    if isinstance(kind, Record):
        return [("text", "just text"), ("list", ["a", "b"])]
    if isinstance(kind, ListOf):
        return [("text", "just text"), ("mapping", {"a": "b"})]
    wrong: list[tuple[str, Any]] = [("mapping", {"a": "b"}), ("list", ["a", "b"])]
    if isinstance(kind, Number):
        wrong += [("text", "fifty"), ("yes-no", True), ("quoted-number", "50"), ("date", "2026-07-15")]
    elif not isinstance(kind, Text) or (kind.pattern and not re.fullmatch(kind.pattern, "42")):
        wrong += [("number", 42)]  # a bare number is no date, choice, URL, path or frequency
    return wrong


def confusion_cases() -> list[Case]:
    cases = []
    for path, spec in walk(STORY):
        for label, value in confusions(spec.type):
            story = full_story()
            set_path(story, path, value)
            text = dump(story)
            line, column = node_position(text, path)
            field_pattern = re.escape(path)
            cases.append(
                rejected(
                    f"type-{path}-as-{label}",
                    story_values(story),
                    rf"{re.escape(STORY_FILE)}:{line}:{column}: {field_pattern}: ",
                )
            )
    return cases


def all_cases() -> list[Case]:
    return [
        *payload_cases(),
        *markdown_cases(),
        *limit_cases(),
        *link_cases(),
        *image_cases(),
        *yaml_cases(),
        *character_cases(),
        *bound_cases(),
        *text_cases(),
        *file_cases(),
        *confusion_cases(),
    ]


CASES = all_cases()
BY_NAME = {case.name: case for case in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"

# ---------------------------------------------------------------------------------------
# Running the corpus: every case's workspace, one audited process


@dataclass
class Corpus:
    """The corpus's results. Rejected cases run one build each; the accepted cases are the
    stories of one shared workspace (ACCEPTED), built once, because a PDF render takes seconds."""

    base: Path
    results: dict[str, dict[str, Any]]
    verdicts: dict[str, harmless.Verdict] = field(default_factory=dict)

    def root(self, case: Case) -> Path:
        return self.base / (ACCEPTED if not case.rejected else case.name)

    def result(self, case: Case) -> dict[str, Any]:
        return self.results[ACCEPTED if not case.rejected else case.name]


ACCEPTED = "accepted"
# The shared workspace's config carries payloads too (the config is trusted, but its text is
# still escaped): the organization names the report file, the title heads it, a label heads a section.
ACCEPTED_CONFIG = dump({"organization": SCRIPT, "title": TEMPLATE, "categories": {"automation": BREAK_DOUBLE}})


def gather(case: Case, scratch: Path, shared: Path) -> None:
    """Move an accepted case's stories into the shared workspace, under a folder of its own."""
    case.make(scratch)
    for path in sorted((scratch / "stories").rglob("*")):
        if path.is_dir():
            continue
        relative = path.relative_to(scratch / "stories")
        name = f"{case.name}.yaml" if relative.name == "x.yaml" else relative.name  # ids must be unique
        target = shared / "stories" / case.name / relative.parent / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())


def run_corpus(base: Path, cases: list[Case] = CASES) -> Corpus:
    make_outside(base)
    shared = base / ACCEPTED
    write_workspace(shared, {}, ACCEPTED_CONFIG)
    jobs = [{"name": ACCEPTED, "argv": ["build", "--workspace", str(shared)], "cwd": str(shared)}]
    for case in cases:
        if not case.rejected:
            gather(case, base / "scratch" / case.name, shared)
            continue
        root = base / case.name
        case.make(root)
        jobs.append({"name": case.name, "argv": ["build", "--workspace", str(root)], "cwd": str(root)})
    corpus = Corpus(base, harmless.run_audited(jobs, base))
    created: set[str] = set()
    for job in jobs:
        corpus.verdicts[job["name"]] = harmless.classify(
            corpus.results[job["name"]]["events"], Path(job["cwd"]), created
        )
    return corpus


def figures(corpus: Corpus) -> dict[str, int]:
    """The issue's figures: cases, tracebacks, reads and writes outside, network, canary leaks."""
    results, verdicts = corpus.results, corpus.verdicts
    rejected = [c for c in CASES if c.rejected and c.name in results]
    return {
        "cases": len(rejected) + sum(not c.rejected for c in CASES),
        "builds": len(results),
        "tracebacks": sum(traceback_in(r) for r in results.values()),
        "reads outside the workspace": sum(len(v.outside_reads) for v in verdicts.values()),
        "writes outside the workspace": sum(len(v.outside_writes) for v in verdicts.values()),
        "network attempts": sum(len(v.network) for v in verdicts.values()),
        "canary leaks": sum(TOKEN in r["stdout"] + r["stderr"] for r in results.values())
        + sum(leaks(corpus.base / name) for name in results),
    }


def traceback_in(result: dict[str, Any]) -> bool:
    output = result["stdout"] + result["stderr"]
    return "Traceback" in output or result["exit"] in ("uncaught", 3) or "internal error" in output


def leaks(root: Path) -> int:
    """How many files under the workspace's output/ hold the canary token."""
    out = root / "output"
    return sum(TOKEN.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file()) if out.is_dir() else 0


checked_outputs = functools.cache(harmless.check_outputs)  # the accepted cases share one build


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    ran = run_corpus(tmp_path_factory.mktemp("hostile"))
    harmless.FIGURES.update(figures(ran))
    return ran


# ---------------------------------------------------------------------------------------
# Tests


def test_the_corpus_has_at_least_40_cases_of_each_outcome_kind() -> None:
    kept = [c for c in CASES if not c.name.startswith("type-")]
    assert len(kept) >= 40
    assert sum(not c.rejected for c in CASES) >= 20
    assert len(CASES) - len(kept) >= 100  # type confusions


def test_the_full_example_story_is_valid_so_each_confusion_changes_one_thing(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    story_values(full_story())(root)
    result = invoke(root)
    assert result.exit_code == 0, result.output


def test_every_text_field_of_the_model_gets_the_payloads() -> None:
    fields = text_fields(SCRIPT)
    free = [p for p, s in walk(STORY) if isinstance(s.type, Text) and not s.type.pattern]
    assert set(free) <= set(fields), set(free) - set(fields)
    for payload in (EVENT, BREAK_DOUBLE, BREAK_SINGLE, TEMPLATE, STYLE, ENTITY, COMMENT):
        assert set(free) <= set(text_fields(payload)), payload


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(corpus: Corpus, case: Case) -> None:
    result = corpus.result(case)
    root = corpus.root(case)
    verdict = corpus.verdicts[root.name]
    output = result["stdout"] + result["stderr"]
    assert not traceback_in(result), output
    assert verdict.outside_reads == [], verdict.outside_reads
    assert verdict.outside_writes == [], verdict.outside_writes
    assert verdict.network == [], verdict.network
    assert harmless.unexpected_processes(verdict) == []
    assert TOKEN not in output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", output), (
        "a control character or a bidi control reached the terminal"
    )
    assert leaks(root) == 0
    if case.rejected:
        assert result["exit"] == 1, output
        lines = result["stderr"].splitlines()
        assert lines and re.fullmatch(r"\d+ problems? in \d+ files?", lines[-1]), output
        for line in lines[:-1]:
            assert re.match(r"[^:]+:\d+:\d+: ", line), f"not path:line:column: {line!r}"
        for pattern in case.problems:
            assert any(re.search(pattern, line) for line in lines[:-1]), f"{pattern!r} not in:\n{result['stderr']}"
        built = [p for p in (root / "output").rglob("*") if p.suffix in (".html", ".pdf")]
        assert built == [], "a rejected workspace wrote a report"
    else:
        assert result["exit"] == 0, output
        problems, html_text, pdf_text = checked_outputs(root)
        assert problems == []
        for text in case.shows:
            assert text in html_text, f"{text!r} is not shown as text in the HTML"
            assert harmless.squeeze(text) in harmless.squeeze(pdf_text), f"{text!r} is not text in the PDF"
        for text in case.hidden:
            assert text not in html_text and text not in pdf_text
    if case.check is not None:
        case.check(root)


@pytest.mark.slow
def test_the_figures(corpus: Corpus) -> None:
    numbers = figures(corpus)
    assert numbers["cases"] == len(CASES)
    assert numbers["builds"] == sum(c.rejected for c in CASES) + 1
    assert {k: v for k, v in numbers.items() if k not in ("cases", "builds")} == dict.fromkeys(
        [
            "tracebacks",
            "reads outside the workspace",
            "writes outside the workspace",
            "network attempts",
            "canary leaks",
        ],
        0,
    ), harmless.summary_line(numbers)


def main() -> None:
    """`python -m tests.test_hostile --report`: run the corpus and print its figures."""
    if sys.argv[1:] != ["--report"]:
        raise SystemExit("usage: python -m tests.test_hostile --report")
    with tempfile.TemporaryDirectory(prefix="storyteller-hostile-") as folder:
        ran = run_corpus(Path(folder))
        print(harmless.summary_line(figures(ran)))
        rejected_cases = sum(c.rejected for c in CASES)
        print(f"  {rejected_cases} rejected with path:line, {len(CASES) - rejected_cases} accepted and rendered")


if __name__ == "__main__":
    main()


# The checks themselves must be able to fail: each kind of harm, planted, is caught.


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<p onclick=alert(1)>x</p>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" java\tscript:alert(1)">x</a>',
        '<a href="file:///etc/passwd">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<img src="https://evil.example.com/x.png">',
        '<img src="file:///etc/passwd">',
        '<iframe src="https://x"></iframe>',
        '<meta http-equiv="refresh" content="0;url=https://x">',
        '<base href="https://x/">',
        "<svg onload=alert(1)>",
        '<form action="https://x"></form>',
    ],
)
def test_the_html_check_catches_planted_harm(html: str) -> None:
    assert harmless.check_html(f"<p>ok</p>{html}").problems != []


def test_the_html_check_passes_the_report_template_own_links() -> None:
    html = '<a href="#summary">s</a><a href="https://x">x</a><a href="mailto:a@b">m</a><img src="data:image/png;base64,AA">'
    assert harmless.check_html(html).problems == []


def test_the_pdf_check_catches_planted_links(tmp_path: Path) -> None:
    from weasyprint import HTML

    pdf = tmp_path / "planted.pdf"
    links = '<a href="javascript:alert(1)">js</a> <a href="file:///etc/passwd">file</a> <a href="https://ok">ok</a>'
    HTML(string=f"<p>{links} visible words</p>").write_pdf(pdf)
    problems, text = harmless.check_pdf(pdf)
    assert any("javascript:" in p for p in problems) and any("file:" in p for p in problems), problems
    assert not any("https://ok" in p for p in problems)
    assert "visible words" in text


def test_list_shows_story_text_as_text_not_as_terminal_markup(tmp_path: Path) -> None:
    """`storyteller list` prints with Rich, which reads `[bold]` or `[link=...]` as markup: a team
    could make a clickable terminal link (OSC 8) or restyle the table."""
    from typer.testing import CliRunner

    from storyteller.cli import app

    team = "[link=https://evil.example/]Ops[/link] [red]Storage"
    root = write_workspace(tmp_path, {"2026-Q3/[bold]x.yaml": vary("team: Storage Operations", f'team: "{team}"')})
    result = CliRunner().invoke(app, ["list", "--workspace", str(root)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "[bold]x" in result.output
    assert "[link=" in result.output and "[red]" in result.output
    assert "\x1b]8;" not in result.output


def test_csv_export_makes_formulas_text(tmp_path: Path) -> None:
    """A title or metric name a spreadsheet would run as a formula opens as text (OWASP's CSV
    injection advice); the JSON export keeps the text as written."""
    import csv
    import io
    import json

    from typer.testing import CliRunner

    from storyteller.cli import app

    story = vary("title: Automated SAN switch zoning", 'title: "=HYPERLINK(\\"https://evil.example\\",\\"Open\\")"')
    story = vary("  - name: Processing time per zoning request", "  - name: \"@SUM(1+1)*cmd|' /C calc'!A0\"", story)
    root = write_workspace(tmp_path, {"2026-Q3/x.yaml": vary("team: Storage Operations", "team: -ops", story)})
    runner = CliRunner()
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["export", "-f", "csv", "-w", str(root)]).stdout)))
    assert rows[0]["title"] == '\'=HYPERLINK("https://evil.example","Open")'
    assert rows[0]["metric_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert rows[0]["team"] == "'-ops"
    assert float(rows[0]["metric_before"]) == 50  # numbers stay numbers
    data = json.loads(runner.invoke(app, ["export", "-w", str(root)]).stdout)
    assert data["stories"][0]["title"] == '=HYPERLINK("https://evil.example","Open")'
