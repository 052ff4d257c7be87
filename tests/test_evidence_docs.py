"""The evidence's record for templates (report.evidence) is documented, field by field, as the
other records of the context are (tests/test_templates.py), and the pointer is a template."""

from __future__ import annotations

import dataclasses
import re

from storyteller.evidence.pack import Evidence

from .helpers import REPO


def test_every_field_of_evidence_is_in_the_docs() -> None:
    page = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    section = re.search(r"^### Evidence\n(.*?)(?=^##)", page, re.S | re.M)
    assert section, "docs/templates.md has no section ### Evidence"
    documented = {n for row in re.findall(r"^\| (.*?) \|", section[1], re.M) for n in re.findall(r"`(\w+)`", row)}
    missing = [f.name for f in dataclasses.fields(Evidence) if f.name not in documented]
    assert not missing, f"Evidence fields not in docs/templates.md: {missing}"


def test_the_pointer_names_what_is_attached_and_the_command() -> None:
    from storyteller.report.render import environment

    pointer = environment(None).get_template("evidence.html").module.pointer  # type: ignore[attr-defined]
    both = Evidence(1, 2, True, ("storyteller.yaml", "figures.json", "figures.csv"), "acme-2026-Q3.pdf")
    text = " ".join(re.sub(r"<[^>]+>", "", str(pointer(both, "Q3 2026"))).split())
    assert "the 1 story file of Q3 2026 and 2 of earlier quarters (the trend counts them)" in text
    assert "and storyteller.yaml, figures.json and figures.csv: every figure" in text
    assert "run storyteller verify acme-2026-Q3.pdf: it recomputes each figure" in text
    alone = Evidence(3, 0, False, ("figures.json",), "acme-2026-Q3.pdf")
    text = " ".join(re.sub(r"<[^>]+>", "", str(pointer(alone, "Q3 2026"))).split())
    assert "the SHA-256 of the 3 story files" in text and "(attach_sources: false)" in text
    assert "run storyteller verify acme-2026-Q3.pdf --workspace PATH against the workspace" in text
