"""The files attached to a PDF, read as untrusted input: a PDF handed to `storyteller verify`
may come from anyone.

Only what storyteller writes is accepted: embedded files uncompressed or compressed with
Flate (no other filter, no predictor), each decompressed into a buffer that stops at its
limit (2 MiB for a story or the config, 32 MiB for figures.json), so a stream that
inflates to gigabytes (a zip bomb) costs at most that; names that are text (UTF-16 after its
byte order mark, or UTF-8, with no control, invisible or bidi character), relative, without
`..`, each at most once. Everything else is an EvidenceError naming the file and what is
wrong with it, never a traceback.
"""

from __future__ import annotations

import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from storyteller.errors import StorytellerError, printable

MAX_PDF_BYTES = 1 << 30  # a 1,000-story annual review is a few tens of MB
MAX_FILE_BYTES = 32 << 20  # figures.json of 2,000 stories is about 8 MB
MAX_SOURCE_BYTES = 2 << 20  # a story file or storyteller.yaml: the format allows 1 MiB
MAX_TOTAL_BYTES = 256 << 20  # every attachment together, decompressed
MAX_FILES = 20_000
MAX_NAME = 500


class EvidenceError(StorytellerError):
    """The PDF carries no evidence storyteller can read: the message says why."""


def read_attachments(pdf: Path) -> dict[str, bytes]:
    """Every file attached to ``pdf``, by name, decompressed within the limits."""
    import pikepdf

    shown = printable(str(pdf), limit=200)
    try:
        size = pdf.stat().st_size
    except OSError as error:
        raise EvidenceError(f"cannot read {shown}: {error.strerror}") from None
    if size > MAX_PDF_BYTES:
        raise EvidenceError(f"{shown} is {size:,} bytes; storyteller verifies PDFs of at most {MAX_PDF_BYTES:,}")
    try:
        with pikepdf.open(pdf) as document:
            return _files(document, shown)
    except pikepdf.PasswordError:
        raise EvidenceError(f"{shown} is encrypted; storyteller's PDFs never are") from None
    except (pikepdf.PdfError, OSError, ValueError, TypeError, KeyError, AttributeError, RuntimeError) as error:
        if isinstance(error, EvidenceError):
            raise
        reason = printable(str(error).splitlines()[0] if str(error) else type(error).__name__)
        raise EvidenceError(f"cannot read the attachments of {shown}: {reason}") from None


def _files(document: Any, shown: str) -> dict[str, bytes]:
    import pikepdf

    names = document.Root.get("/Names")
    tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
    if tree is None:
        return {}
    files: dict[str, bytes] = {}
    total = 0
    for _key, spec in pikepdf.NameTree(tree).items():
        if len(files) >= MAX_FILES:
            raise EvidenceError(f"{shown} has more than {MAX_FILES:,} attachments; storyteller attaches fewer")
        if not isinstance(spec, pikepdf.Dictionary):
            raise EvidenceError(f"{shown} has an attachment that is not a file specification")
        name = _name(spec, shown)
        if name in files:
            raise EvidenceError(f"{shown} has two attachments named {name}")
        streams = spec.get("/EF")
        stream = streams.get("/UF", streams.get("/F")) if isinstance(streams, pikepdf.Dictionary) else None
        if not isinstance(stream, pikepdf.Stream):
            raise EvidenceError(f"the attachment {name} of {shown} holds no file")
        most = MAX_SOURCE_BYTES if name.lower().endswith((".yaml", ".yml")) else MAX_FILE_BYTES
        files[name] = _contents(stream, min(most, MAX_TOTAL_BYTES - total), name, shown)
        total += len(files[name])
    return files


def _name(spec: Any, shown: str) -> str:
    """The attachment's name (UF, else F) if it is a relative path storyteller could have written:
    UTF-16 after its byte order mark, or UTF-8 (storyteller writes nothing else)."""
    value = spec.get("/UF", spec.get("/F"))
    raw = bytes(value) if value is not None else b""
    try:
        name = raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("utf-8")
        name.encode("utf-8")  # a lone surrogate from UTF-16 that is not text
    except UnicodeError:
        name = "\ufffd"
    if not name or "\ufffd" in name or printable(name, limit=None) != name:
        escaped = printable(repr(raw) if raw else "(none)")
        raise EvidenceError(
            f"{shown} has an attachment whose name is not plain text ({escaped}); "
            "storyteller never writes one: this PDF was made or changed by something else"
        )
    path = PurePosixPath(name)
    if len(name) > MAX_NAME or path.is_absolute() or any(p in ("", ".", "..") for p in name.split("/")):
        raise EvidenceError(
            f"{shown} has an attachment named {name}, which is not a path inside a workspace; "
            "storyteller never writes one: this PDF was made or changed by something else"
        )
    return name


def _contents(stream: Any, limit: int, name: str, shown: str) -> bytes:
    """The stream's bytes, decompressed, refused past ``limit`` bytes."""
    import pikepdf

    filters = stream.get("/Filter")
    listed = list(filters) if isinstance(filters, pikepdf.Array) else [] if filters is None else [filters]
    if len(listed) > 1 or (listed and listed[0] != pikepdf.Name.FlateDecode) or stream.get("/DecodeParms"):
        raise EvidenceError(
            f"the attachment {name} of {shown} is encoded with {', '.join(str(f) for f in listed) or 'parameters'}; "
            "storyteller writes attachments compressed with /FlateDecode only"
        )
    declared = stream.get("/Length")
    if not isinstance(declared, int) or declared > limit:
        raise EvidenceError(
            f"the attachment {name} of {shown} is {f'{declared:,}' if isinstance(declared, int) else 'of no'} bytes "
            f"long; storyteller reads attachments of at most {limit:,}"
        )
    raw = stream.read_raw_bytes()
    if not listed:
        data = bytes(raw)
    else:
        inflate = zlib.decompressobj()
        try:
            data = inflate.decompress(bytes(raw), limit + 1)
        except zlib.error as error:
            raise EvidenceError(f"the attachment {name} of {shown} is damaged: {error}") from None
    if len(data) > limit:
        raise EvidenceError(
            f"the attachment {name} of {shown} is larger than {limit:,} bytes once decompressed; "
            "storyteller's attachments are far smaller, so it was not read"
        )
    return data
