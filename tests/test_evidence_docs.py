"""The evidence's record for templates (report.evidence) is documented, field by field, as the
other records of the context are (tests/test_templates.py), and the pointer is a template."""

from __future__ import annotations

import dataclasses
import re

from storyteller.evidence.pack import Evidence
from storyteller.report.context import ReportContext

from .helpers import REPO


def test_every_field_of_evidence_is_in_the_docs() -> None:
    page = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    section = re.search(r"^### Evidence\n(.*?)(?=^##)", page, re.S | re.M)
    assert section, "docs/templates.md has no section ### Evidence"
    documented = {n for row in re.findall(r"^\| (.*?) \|", section[1], re.M) for n in re.findall(r"`(\w+)`", row)}
    missing = [f.name for f in dataclasses.fields(Evidence) if f.name not in documented]
    assert not missing, f"Evidence fields not in docs/templates.md: {missing}"


def test_the_context_holds_the_evidence_and_the_template_exists() -> None:
    assert "evidence" in {f.name for f in dataclasses.fields(ReportContext)}
    assert "{% macro pointer(evidence, period_label)" in (REPO / "templates" / "evidence.html").read_text()
