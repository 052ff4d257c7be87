"""How much the evidence (storyteller/evidence: the stories, config and figures attached to the
PDF) adds to a PDF: the same build with and without the attachments and the appendix's
pointer, each in a fresh process, dated by SOURCE_DATE_EPOCH.

    .venv/bin/python bench/evidence_size.py              # the example workspace's latest quarter
    .venv/bin/python bench/evidence_size.py --stories 1000  # the benchmark's annual review
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EPOCH = "1790000000"


def _build(workspace: Path, out: Path, attach: bool, args: list[str]) -> None:
    """One build, in this process: without the evidence when ``attach`` is false."""
    from typer.testing import CliRunner

    from storyteller import build
    from storyteller.cli import app

    if not attach:
        build.attach_evidence = lambda _ws, every, _today, _name: (every, {c.period.key: () for c in every})
    command = ["build", "-w", str(workspace), "-f", "pdf", "--quiet", "--time-limit", "0", "-o", str(out), *args]
    result = CliRunner().invoke(app, command, env={"SOURCE_DATE_EPOCH": EPOCH})
    if result.exit_code != 0:
        raise SystemExit(result.output[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=0, help="a generated workspace of this many stories")
    parser.add_argument("--one", nargs=3, metavar=("WORKSPACE", "OUT", "ATTACH"), help=argparse.SUPPRESS)
    known, rest = parser.parse_known_args()
    if known.one:
        workspace, out, attach = known.one
        _build(Path(workspace), Path(out), attach == "yes", rest)
        return
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        if known.stories:
            sys.path.insert(0, str(HERE))
            from workspace import generate

            workspace, args = generate(root / "ws", known.stories), ["--year", "2026"]
        else:
            workspace, args = root / "ws", []
            workspace.mkdir()
            shutil.copy(REPO / "storyteller.yaml", workspace)
            shutil.copytree(REPO / "stories", workspace / "stories")
        sizes = {}
        for attach in ("no", "yes"):
            out = root / f"out-{attach}"
            subprocess.run([sys.executable, __file__, "--one", str(workspace), str(out), attach, *args], check=True)
            sizes[attach] = next(out.rglob("*.pdf")).stat().st_size
    grown = sizes["yes"] - sizes["no"]
    print(
        f"{f'{known.stories:,} stories' if known.stories else 'the example workspace'}: {sizes['no']:,} bytes "
        f"without the evidence, {sizes['yes']:,} with it: "
        f"+{grown:,} bytes, +{100 * grown / sizes['no']:.1f}%"
    )


if __name__ == "__main__":
    main()
