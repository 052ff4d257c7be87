"""The parts of a PDF laid out in parts (pdf/parts.py) joined into one PDF, with pikepdf (qpdf).

Each part is a complete tagged PDF from WeasyPrint. Joined, they are one document as if
WeasyPrint had laid it out whole: the pages in order; one structure tree (WeasyPrint builds
it page by page, so the parts' trees follow one another under one Document); one name tree
of link destinations, so that a link reaches a page in any part; the bookmarks as one
outline; the running heads and page numbers, laid out apart on sheets, drawn over each page
as artifacts; and the front part's metadata. Nothing here lays out anything.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from storyteller.pdf.attach import Attachment, embed
from storyteller.pdf.whole import LaidOut
from storyteller.workers import log_here

LINK_SCHEME = "storyteller-anchor:"  # pdf/parts.py's links between parts: an id anywhere in the report


def join(
    parts: Sequence[LaidOut],
    heads: LaidOut,
    numbers: Sequence[LaidOut],
    attachments: Sequence[Attachment] = (),
    created: str = "",
) -> bytes:
    """One PDF of ``parts`` (the front part first). ``heads``: a sheet of running heads for
    each named page, in the order the names first occur; ``numbers``: the page-number sheets
    of every page, in order; ``attachments``: the files embedded in it (pdf/attach.py), dated
    ``created``."""
    import pikepdf

    out = pikepdf.new()
    sources = [pikepdf.open(io.BytesIO(part.pdf)) for part in parts]
    offsets = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)  # destinations are made below
        for source in sources:
            offsets.append(len(out.pages))
            out.pages.extend(source.pages)
    pages = [page.obj for page in out.pages]
    dropped = _destinations(out, parts, offsets, pages)
    if "/StructTreeRoot" in sources[0].Root:
        _join_structure(out, sources, offsets, pages, dropped)
    _outline(out, parts, offsets, pages)
    _sheets(out, pages, [name for part in parts for name in part.names], heads, numbers)
    front = sources[0]
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):  # XMP: the PDF/UA identification
        if key in front.Root:
            out.Root[key] = _copied(out, front, front.Root[key])
    for key, value in front.docinfo.items():
        out.docinfo[key] = _copied(out, front, value)
    if attachments:
        embed(out, attachments, created)
    data = io.BytesIO()
    out.save(
        data,
        min_version=front.pdf_version,
        deterministic_id=True,  # the same parts make the same bytes
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        fix_metadata_version=False,  # the XMP stays as WeasyPrint wrote it
    )
    return data.getvalue()


def _copied(out: Any, source: Any, value: Any) -> Any:
    """``value`` of the PDF ``source``, copied into ``out`` (qpdf copies indirect objects only)."""
    import pikepdf

    if isinstance(value, pikepdf.String):
        return pikepdf.String(bytes(value))
    if isinstance(value, pikepdf.Name) or not isinstance(value, pikepdf.Object):
        return value
    return out.copy_foreign(value if value.is_indirect else source.make_indirect(value))


def _join_structure(
    out: Any, sources: Sequence[Any], offsets: Sequence[int], pages: Sequence[Any], dropped: set[tuple[int, int]]
) -> None:
    """One structure tree: the Document elements' children one after the other, and one parent
    tree, each part's keys moved past the keys of the parts before. The ``dropped`` link
    annotations leave the tree: their Link elements keep their text, as in WeasyPrint's
    tree for a link it drops."""
    from pikepdf import Array, Dictionary, Name

    root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    root.K = Array([document])
    numbers: list[Any] = []
    shift = 0
    for source, offset, count in zip(sources, offsets, [len(s.pages) for s in sources], strict=True):
        tree = out.copy_foreign(source.Root.StructTreeRoot)
        for element in tree.K:  # WeasyPrint's tree: one Document element
            for child in element.K:
                child.P = document
                document.K.append(child)
        pairs = list(tree.ParentTree.Nums)
        keys = [int(key) for key in pairs[::2]]
        for key, value in zip(keys, pairs[1::2], strict=True):
            if isinstance(value, Dictionary) and _drop_links(value, dropped):
                continue  # the key was the dropped annotation's
            numbers += [key + shift, value]
        for page in pages[offset : offset + count]:
            if "/StructParents" in page:
                page.StructParents = int(page.StructParents) + shift
            for annotation in page.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift
        shift += max(keys, default=-1) + 1
    root.ParentTree = out.make_indirect(Dictionary(Nums=Array(numbers)))
    root.ParentTreeNextKey = shift
    out.Root.StructTreeRoot = root


def _drop_links(element: Any, dropped: set[tuple[int, int]]) -> bool:
    """Take the references to dropped annotations out of a Link element; whether there were any."""
    from pikepdf import Array, Dictionary

    kids = element.get("/K")
    listed = list(kids) if isinstance(kids, Array) else [] if kids is None else [kids]
    kept = [k for k in listed if not (isinstance(k, Dictionary) and "/Obj" in k and k.Obj.objgen in dropped)]
    if len(kept) == len(listed):
        return False
    element.K = Array(kept)
    return True


def _destinations(
    out: Any, parts: Sequence[LaidOut], offsets: Sequence[int], pages: Sequence[Any]
) -> set[tuple[int, int]]:
    """Every id's destination, the first of each as WeasyPrint keeps it, and every link
    between parts made a link to one. A link to an id that is nowhere is dropped, with the
    complaint WeasyPrint makes when it drops one; returns the dropped annotations."""
    from pikepdf import Array, Dictionary, Name, String

    dropped: set[tuple[int, int]] = set()
    found: dict[str, Any] = {}
    for part, offset in zip(parts, offsets, strict=True):
        for name, page, x, y in part.anchors:
            if name not in found:
                found[name] = Array([pages[offset + page], Name.XYZ, x, y, 0])
    for page in pages:
        kept = []
        for annotation in page.get("/Annots", ()):
            action = annotation.get("/A")
            if action is not None and action.get("/S") == Name.URI and str(action.URI).startswith(LINK_SCHEME):
                target = unquote(str(action.URI)[len(LINK_SCHEME) :])
                if target not in found:
                    log_here("weasyprint", logging.ERROR, f"No anchor #{target} for internal URI reference")
                    dropped.add(annotation.objgen)
                    continue
                del annotation["/A"]
                annotation.Dest = String(target)
                if "/Contents" in annotation:  # what WeasyPrint gives a link inside one document
                    annotation.Contents = String(target)
            kept.append(annotation)
        if "/Annots" in page and len(kept) != len(page.Annots):
            if kept:
                page.Annots = Array(kept)
            else:
                del page["/Annots"]
    if found:
        flat: list[Any] = []
        for name in sorted(found):  # a name tree is sorted; WeasyPrint sorts the same way
            flat += [String(name), found[name]]
        out.Root.Names = Dictionary(Dests=Dictionary(Names=Array(flat)))
    return dropped


def _outline(out: Any, parts: Sequence[LaidOut], offsets: Sequence[int], pages: Sequence[Any]) -> None:
    """The bookmarks of every part as one outline, nested by level as WeasyPrint nests them
    (weasyprint.anchors.make_page_bookmark_tree and pdf.anchors.add_outlines)."""
    from pikepdf import Array, Dictionary, Name, String

    Tree = list[tuple[str, Any, list[Any], str]]
    roots: Tree = []
    last_by_depth: list[Tree] = [roots]
    skipped: list[int] = []
    previous = 0
    for part, offset in zip(parts, offsets, strict=True):
        for page, level, label, x, y, state in part.bookmarks:
            if level > previous:
                skipped.append(level - previous - 1)
            else:
                depth = level
                while depth < previous:
                    depth += 1 + skipped.pop()
                if depth > previous:
                    skipped.append(depth - previous - 1)
            previous = level
            depth = level - sum(skipped)
            children: Tree = []
            last_by_depth[depth - 1].append((label, Array([pages[offset + page], Name.XYZ, x, y, 0]), children, state))
            del last_by_depth[depth:]
            last_by_depth.append(children)

    def add(items: Tree, parent: Any) -> tuple[list[Any], int]:
        count = len(items)
        made: list[Any] = []
        for title, destination, children, state in items:
            item = out.make_indirect(Dictionary(Title=String(title), Dest=destination, Parent=parent))
            kids, kids_count = add(children, item)
            item.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                item.Prev = made[-1]
                made[-1].Next = item
            if kids:
                item.First, item.Last = kids[0], kids[-1]
            made.append(item)
        return made, count

    if roots:
        outlines = out.make_indirect(Dictionary())
        made, count = add(roots, outlines)
        outlines.Count, outlines.First, outlines.Last = count, made[0], made[-1]
        out.Root.Outlines = outlines


def _sheets(out: Any, pages: Sequence[Any], names: Sequence[str], heads: LaidOut, numbers: Sequence[LaidOut]) -> None:
    """Each page's running heads and page number, drawn over it as a pagination artifact (they
    are not part of the structure tree), from Form XObjects made of the sheets' pages."""
    import pikepdf

    heads_pdf = pikepdf.open(io.BytesIO(heads.pdf))
    head_of = {name: i for i, name in enumerate(dict.fromkeys(names))}
    head_forms = [out.copy_foreign(page.as_form_xobject()) for page in heads_pdf.pages]
    number_pdfs = [pikepdf.open(io.BytesIO(sheets.pdf)) for sheets in numbers]
    number_pages = [page for pdf in number_pdfs for page in pdf.pages]
    if len(number_pages) != len(pages) or len(head_forms) != len(head_of):
        raise ValueError(f"{len(number_pages)} page-number sheets and {len(head_forms)} heads for {len(pages)} pages")
    for index, (page, name) in enumerate(zip(pages, names, strict=True)):
        resources = page.Resources  # one dictionary for all the pages of a part
        if "/XObject" not in resources:
            resources.XObject = pikepdf.Dictionary()
        xobjects = resources.XObject
        head, number = f"/StHead{head_of[name]}", f"/StPage{index}"
        xobjects[head] = head_forms[head_of[name]]
        xobjects[number] = out.copy_foreign(number_pages[index].as_form_xobject())
        wrapped = pikepdf.Page(page)
        wrapped.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
        wrapped.contents_add(
            pikepdf.Stream(out, f"Q\n/Artifact <</Type /Pagination>> BDC\n{head} Do\n{number} Do\nEMC\n".encode())
        )
