"""The example deck as LibreOffice Impress shows it: converted headless to PDF (it opens, with
no repair, every slide a page, every chart drawn), then each page rendered with Poppler and
looked at: ink on every slide and none in the strip along its edges, where only an overflowing
shape would put any. The PNGs stay in the test's folder for a person to look at too."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation

from .helpers import REPO, build, copy_example

pytestmark = [pytest.mark.office, pytest.mark.slow]

NAME = "northwind-logistics-2026-Q3"
EDGE = 6  # pixels at 60 dpi along each side of a slide that no shape of the built-in design reaches
BAND = 24  # the cover's band along the left edge: 0.35 inches, 21 pixels


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} ({package}) is not installed; run `make tools` (or `make test`), which installs it")
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The example deck, its PDF from LibreOffice and a PNG per page."""
    soffice, pdftoppm = _tool("soffice", "libreoffice-impress"), _tool("pdftoppm", "poppler-utils")
    folder = tmp_path_factory.mktemp("deck-render")
    root = copy_example(folder / "ws")
    build(root, "--format", "pptx")
    deck = root / "output" / "2026-Q3" / f"{NAME}.pptx"
    home = folder / "home"  # a profile of its own, and the bundled Inter as the deck names it
    (home / ".fonts").mkdir(parents=True)
    for font in (REPO / "storyteller" / "fonts").glob("*.ttf"):
        shutil.copy(font, home / ".fonts")
    env = {**os.environ, "HOME": str(home), "SAL_USE_VCLPLUGIN": "svp"}
    result = subprocess.run(
        [soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(folder), str(deck)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = folder / f"{NAME}.pdf"
    assert result.returncode == 0 and pdf.is_file(), result.stdout + result.stderr
    subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf), str(folder / "slide")], check=True, timeout=300)
    return deck, sorted(folder.glob("slide-*.png"))


def test_libreoffice_shows_every_slide(rendered: tuple[Path, list[Path]]) -> None:
    deck, pages = rendered
    assert len(pages) == len(Presentation(str(deck)).slides)
    for page in pages:
        with Image.open(page) as image:
            width, height = image.size
            assert abs(width / height - 16 / 9) < 0.01, image.size  # 16:9 (Poppler rounds: 801 x 450 at 60 dpi)
            grey = image.convert("L")
            low, high = grey.getextrema()
            assert high - low > 100, f"{page.name} is blank"


def test_nothing_reaches_the_edges_of_a_slide(rendered: tuple[Path, list[Path]]) -> None:
    """Nothing drawn along the edges but the built-in design's full-bleed backgrounds: the cover's
    band on the left and the section slides' colour, which fill their whole edge."""
    _, pages = rendered
    for page in pages:
        with Image.open(page) as image:
            grey = image.convert("L")
            width, height = grey.size
            width -= 1 if width % 16 else 0  # Poppler's rounding: an extra column of white (801 pixels)
            strips = {
                "top": grey.crop((BAND, 0, width, EDGE)),
                "bottom": grey.crop((BAND, height - EDGE, width, height)),
                "right": grey.crop((width - EDGE, 0, width, height)),
            }
            for side, strip in strips.items():
                low, high = strip.getextrema()
                assert high - low < 40, f"{page.name}: something reaches the {side} edge"


def test_the_charts_are_drawn(rendered: tuple[Path, list[Path]]) -> None:
    """The overview slide's charts come out as charts (many pixels of the brand colour), not as
    LibreOffice's empty frame of a chart it could not read."""
    _, pages = rendered
    with Image.open(pages[2]) as image:
        brand = (0x0F, 0x4C, 0x5C)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        near = sum(n for n, c in colours if all(abs(a - b) < 24 for a, b in zip(c, brand, strict=True)))
        assert near > image.width * image.height * 0.03
