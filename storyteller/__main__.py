"""`python -m storyteller` runs the command line."""

from __future__ import annotations

from storyteller.cli import run

if __name__ == "__main__":
    run()
