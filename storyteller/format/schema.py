"""The JSON Schema of a story file (`storyteller schema`), made from the story's declaration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storyteller.format.story import STORY

SCHEMA_URL = "https://storyteller.example/schema/story-1.json"


def story_json_schema(choices: dict[str, Sequence[str]]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a story file, for editors and other tools."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_URL,
        "title": "storyteller story",
        "description": "One improvement an operations team delivered: the problem, what was done, "
        "the outcome and before/after metrics (story format version 1.1).",
        **STORY.json(choices),
    }
