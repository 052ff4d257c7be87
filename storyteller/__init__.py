"""storyteller: operations teams' improvement stories in, quarterly value reports out."""

from __future__ import annotations

__version__ = "0.1.0"
