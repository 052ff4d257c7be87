"""Templates to HTML: one Jinja Environment, the workspace's templates before the built-in ones.

A workspace's ``templates/report.html`` replaces the built-in one, and can extend it with
``{% extends "default:report.html" %}`` to change a single block. Autoescaping is on and a
misspelt variable fails the build (StrictUndefined). Story text only ever arrives as data:
it is never compiled as a template.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import string
import traceback
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup

from storyteller import __version__
from storyteller.cache import WOFF2, read_entry
from storyteller.errors import StorytellerError
from storyteller.paths import media_type, workspace_url
from storyteller.pdf.part import WHOLE, Part
from storyteller.report.charts import FONTS, Drawing
from storyteller.report.context import ReportContext, with_rendered_charts

BUILTIN_TEMPLATES = Path(str(files("storyteller.templates")))
FONT_FACES = (
    ("Inter-Regular", 400, "normal"),
    ("Inter-Italic", 400, "italic"),
    ("Inter-Medium", 500, "normal"),
    ("Inter-SemiBold", 600, "normal"),
    ("Inter-Bold", 700, "normal"),
)


class TemplateProblem(StorytellerError):
    """A report template (usually a workspace override) could not be loaded or rendered."""


def environment(workspace_templates: Path | None) -> Environment:
    builtin = FileSystemLoader(str(BUILTIN_TEMPLATES))
    loaders: list[FileSystemLoader | PrefixLoader] = []
    if workspace_templates is not None and workspace_templates.is_dir():
        loaders.append(FileSystemLoader(str(workspace_templates)))
    loaders += [PrefixLoader({"default": builtin}, delimiter=":"), builtin]
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


def font_faces_for_pdf() -> str:
    """@font-face rules pointing at the fonts in the package (fetched by WeasyPrint)."""
    return "\n".join(
        f"@font-face {{ font-family: Inter; font-weight: {weight}; font-style: {style}; "
        f'src: url("{(FONTS / f"{name}.ttf").as_uri()}") format("truetype"); }}'
        for name, weight, style in FONT_FACES
    )


def font_faces_for_html(text: str, cache_dir: Path | None, root: Path | None = None) -> str:
    """@font-face rules with the fonts inline, cut down to the characters the report uses
    (about 25 KB a face instead of 330 KB), as WOFF2 data URIs."""
    always = string.ascii_letters + string.digits + " .,:;%$€£¥()+-−×–—·'\"?!/&@#*\u00a0\u201c\u201d…"
    chars = "".join(sorted(set(text) | set(always)))  # letters: CSS may upper-case what the text has in lower case
    rules = []
    for name, weight, style in FONT_FACES:
        data = _subset(FONTS / f"{name}.ttf", chars, cache_dir, root)
        uri = "data:font/woff2;base64," + base64.b64encode(data).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: Inter; font-weight: {weight}; font-style: {style}; "
            f'src: url("{uri}") format("woff2"); }}'
        )
    return "\n".join(rules)


def _subset(font: Path, chars: str, cache_dir: Path | None, root: Path | None) -> bytes:
    """The face ``font`` cut down to ``chars``, as WOFF2; from the cache (cache.py) when it
    holds a trustworthy copy. ``root`` is the workspace the cache lies in."""
    key = hashlib.sha256(f"{font.name}|{font.stat().st_size}|{chars}".encode()).hexdigest()[:24]
    cached = cache_dir / f"{font.stem}-{key}.woff2" if cache_dir else None
    if cached is not None and (kept := read_entry(cached, WOFF2, root or cached.parents[2])) is not None:
        return kept
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga", "calt", "tnum", "cv11", "ss01"]
    options.name_IDs = ["*"]
    loaded = subset.load_font(str(font), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(loaded)
    out = io.BytesIO()
    subset.save_font(loaded, out, options)
    data = out.getvalue()
    if cached is not None:
        from storyteller.write import write_cache

        write_cache(cached, data)
    return data


def data_uri(path: Path) -> str:
    data = path.read_bytes()
    return f"data:{media_type(path, data)};base64," + base64.b64encode(data).decode("ascii")


def render_html(
    env: Environment,
    report: ReportContext,
    mode: str,
    fonts_css: str,
    created: str = "",
    root: Path | None = None,
    part: Part = WHOLE,
) -> str:
    """The report as HTML: ``mode`` "html" inlines everything, "pdf" refers to files by URL
    (files in the workspace ``root`` by a URL relative to it; see workspace_url). ``part``:
    which pieces of the report, all of them but in a PDF laid out in parts (pdf/parts.py)."""
    image_src: Callable[[Path], str] = data_uri if mode == "html" else (lambda p: workspace_url(p, root))
    logo_src = image_src(report.logo) if report.logo else ""
    try:
        template = env.get_template("report.html")
        return template.render(
            report=report,
            mode=mode,
            fonts_css=Markup(fonts_css),  # generated here from our own font files, not from input
            image_src=image_src,
            logo_src=logo_src,
            version=__version__,
            created=created,
            part=part,
        )
    except TemplateNotFound as error:
        raise TemplateProblem(
            f"report template not found: {error.name}{_where(error, env)}; built-in templates are default:NAME"
        ) from error
    except TemplateError as error:
        raise TemplateProblem(f"report template error{_where(error, env)}: {error.message}") from error
    except RecursionError as error:
        raise TemplateProblem(
            "a report template includes or extends itself; to build on the built-in one, "
            'write {% extends "default:report.html" %} (or include "default:NAME")'
        ) from error
    except Exception as error:  # a runtime error inside a template (1/0, a bad filter argument)
        raise TemplateProblem(f"report template error{_where(error, env)}: {type(error).__name__}: {error}") from error


def html_report(env: Environment, report: ReportContext, fonts_cache: Path | None, drawing: Drawing) -> str:
    """The self-contained HTML report, rendered once. The fonts, cut down to the characters
    the report shows, and the charts' SVGs go where placeholders stood, so the fonts are
    made while the charts are still being converted."""
    import uuid

    nonce = uuid.uuid4().hex  # cannot occur in story text
    placeholder = f"/* fonts {nonce} */"
    html = render_html(env, with_rendered_charts(report, drawing.placeheld(nonce)), "html", placeholder)
    html = html.replace(placeholder, font_faces_for_html(visible_text(html), fonts_cache, drawing.root))
    drawn = drawing.drawn()
    return re.sub(nonce + r"([0-9a-f]{32})", lambda m: drawn[m[1]].data_uri, html)


def pdf_source(
    env: Environment, report: ReportContext, created: str = "", root: Path | None = None, part: Part = WHOLE
) -> str:
    """The HTML that WeasyPrint lays out for the PDF (files by URL, WeasyPrint-only CSS)."""
    return render_html(env, report, "pdf", font_faces_for_pdf(), created=created, root=root, part=part)


def _where(error: BaseException, env: Environment) -> str:
    """' (templates/report.html:3)': the template line an error came from, when Jinja knows it.

    Syntax errors carry it; an undefined variable does not, but Jinja rewrites the
    traceback so that template frames show the template's file and line."""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not (filename and line):
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith((".html", ".css"))]
        if frames:
            filename, line = frames[-1].filename, frames[-1].lineno
    if not (filename and line):
        return ""
    shown = Path(filename)
    searched = [Path(p) for loader in getattr(env.loader, "loaders", []) for p in getattr(loader, "searchpath", [])]
    for base in [*(p.parent for p in searched), Path.cwd()]:  # the workspace, then the package
        if shown.is_relative_to(base):
            shown = shown.relative_to(base)
            break
    return f" ({shown.as_posix()}:{line})"


def visible_text(html: str) -> str:
    """Roughly the characters a reader sees: for choosing which glyphs the fonts need."""
    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
    return re.sub(r"&[a-z]+;|&#\d+;", " ", text)
