"""The deck's template: the built-in design (python-pptx's default, widened to 16:9 and set in
Inter) or the workspace's corporate template (`deck_template:`), and the layout each role of
a slide uses (`deck_layouts:`). A missing layout or a template that is not a presentation is
a problem in storyteller.yaml, never a traceback."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu

from storyteller.errors import Problem, ProblemsFound
from storyteller.format.config import CONFIG_NAME, DECK_ROLES, MAX_TEMPLATE_BYTES, Config, relative
from storyteller.format.source import Map, parse, read_limited

DEFAULT_LAYOUTS = {
    "title": "Title Slide",
    "section": "Section Header",
    "content": "Title and Content",
    "two-content": "Two Content",
}
WIDE = (Emu(12_192_000), Emu(6_858_000))  # 13.333 x 7.5 inches: 16:9
FONT = "Inter"
MAX_UNPACKED_BYTES = 200 * 2**20
_PRESENTATION = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
_TEMPLATE = b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"


@dataclass
class Template:
    """An open presentation to add slides to, and the layout of each role."""

    presentation: Any  # pptx.presentation.Presentation (python-pptx ships no type information)
    layouts: dict[str, Any]
    corporate: bool  # a workspace's template: its own fonts, colours and placeholders' places
    title_size: float = 44.0  # points: the master's title style (PowerPoint's default when it says none)


def open_template(config: Config) -> Template:
    """The workspace's template, or the built-in design when it names none."""
    if config.deck_template is None:
        presentation = _default()
        return Template(presentation, _layouts(presentation, config, DEFAULT_LAYOUTS), corporate=False)
    presentation = _corporate(config)
    for slide_id in list(presentation.slides._sldIdLst):  # a template's example slides are not ours
        presentation.part.drop_rel(slide_id.rId)
        presentation.slides._sldIdLst.remove(slide_id)
    layouts = _layouts(presentation, config, DEFAULT_LAYOUTS)
    return Template(presentation, layouts, corporate=True, title_size=_title_size(presentation))


def _title_size(presentation: Any) -> float:
    """The size of the master's titles, from its title style."""
    sizes = presentation.slide_master._element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz")
    return int(sizes[0]) / 100 if sizes and str(sizes[0]).isdigit() and int(sizes[0]) > 0 else 44.0


def _problem(config: Config, key: str, message: str, role: str = "") -> ProblemsFound:
    line, column = _place(config, key, role) or config.locations.get(key, (1, 1))
    return ProblemsFound([Problem(CONFIG_NAME, line, column, f"{key}.{role}" if role else key, message)])


def _place(config: Config, key: str, role: str) -> tuple[int, int] | None:
    """Where ``key``'s entry ``role`` stands in storyteller.yaml (the config keeps only the top keys' places)."""
    if not role:
        return None
    data, problem = read_limited(config.root / CONFIG_NAME, config.root, CONFIG_NAME)
    node = parse(data, CONFIG_NAME)[0] if problem is None else None
    mapping = node.entries.get(key) if isinstance(node, Map) else None
    entry = mapping.entries.get(role) if isinstance(mapping, Map) else None
    return (entry.line, entry.column) if entry is not None else None


def _corporate(config: Config) -> Any:
    """The workspace's template, read once (the config checked that it lies inside the workspace)."""
    path = config.deck_template
    assert path is not None
    shown = relative(path, config.root)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as error:
        raise _problem(config, "deck_template", f"cannot read {shown}: {error.strerror}") from None
    try:
        return Presentation(io.BytesIO(_as_presentation(data)))
    except Exception as error:  # python-pptx, lxml and zipfile raise many kinds for a damaged file
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise _problem(
            config,
            "deck_template",
            f"{shown} is not a PowerPoint presentation or template ({reason}); open it in PowerPoint or "
            "LibreOffice and save it again as .pptx or .potx",
        ) from None


def _as_presentation(data: bytes) -> bytes:
    """A .potx as python-pptx opens it: the same package, declared as a presentation."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        if sum(info.file_size for info in source.infolist()) > MAX_UNPACKED_BYTES:
            raise ValueError(f"it unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB")  # a zip bomb, or no template
        types = source.read("[Content_Types].xml")
        if _TEMPLATE not in types:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                body = source.read(info)
                is_types = info.filename == "[Content_Types].xml"
                target.writestr(info, types.replace(_TEMPLATE, _PRESENTATION) if is_types else body)
        return out.getvalue()


def _layouts(presentation: Any, config: Config, defaults: dict[str, str]) -> dict[str, Any]:
    """The layout of each role: the one `deck_layouts:` names, else the one of the built-in name."""
    by_name = {layout.name: layout for layout in presentation.slide_layouts}
    chosen = dict(config.deck_layouts)
    result = {}
    for role in DECK_ROLES:
        name = chosen.get(role, defaults[role])
        if name not in by_name:
            known = ", ".join(f"`{n}`" for n in by_name) or "none"
            how = "name another" if role in chosen else "name the one to use"
            raise _problem(
                config,
                "deck_layouts" if role in chosen or config.deck_template is None else "deck_template",
                f"the template has no layout `{name}` for {role} slides; its layouts: {known}; "
                f"{how} with `deck_layouts: {{{role}: ...}}` in {CONFIG_NAME}",
                role if role in chosen else "",
            )
        result[role] = by_name[name]
    return result


def _default() -> Any:
    """python-pptx's default template, made 16:9 and set in the bundled Inter."""
    presentation: Any = Presentation()
    ratio = WIDE[0] / presentation.slide_width
    presentation.slide_width, presentation.slide_height = WIDE
    shapes = [*presentation.slide_master.shapes]
    shapes += [p for layout in presentation.slide_layouts for p in layout.placeholders if p._element.xfrm is not None]
    for shape in shapes:
        shape.left, shape.width = Emu(round(shape.left * ratio)), Emu(round(shape.width * ratio))
    theme = presentation.slide_master.part.part_related_by(RT.THEME)
    theme._blob = re.sub(rb'(<a:latin typeface=")[^"]*"', rb"\g<1>" + FONT.encode() + b'"', theme.blob)
    return presentation
