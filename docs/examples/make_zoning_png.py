"""Draw the example zoning dashboard PNG used by stories/2026-Q3/san-zoning-automation.yaml.

Only the standard library is used (zlib and struct write the PNG), so the image can be
rebuilt anywhere without installing anything:

    python3 docs/examples/make_zoning_png.py [output.png]

The chart shows the median minutes per SAN zoning request, April to September 2026.
Bars before the playbook went live (21 July) are a light tint of the brand colour; bars
from July on use the brand colour itself. The picture has no text on purpose: the
story's caption and alt text carry the words, so the image needs no fonts.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

WIDTH, HEIGHT = 800, 400

Color = tuple[int, int, int]

BACKGROUND: Color = (0xF3, 0xF5, 0xF6)
CARD: Color = (0xFF, 0xFF, 0xFF)
CARD_BORDER: Color = (0xDD, 0xE3, 0xE6)
GRID: Color = (0xE8, 0xEC, 0xEE)
AXIS: Color = (0x5F, 0x6B, 0x70)
MARKER: Color = (0xA7, 0xB1, 0xB5)
BRAND: Color = (0x0F, 0x4C, 0x5C)  # brand.primary in storyteller.yaml
BRAND_TINT: Color = (0x9F, 0xBD, 0xC4)

# Median minutes per zoning request, April to September 2026.
MONTHLY_MEDIANS: list[float] = [51, 49, 50, 38, 22, 20]
FIRST_AUTOMATED_MONTH = 3  # index of July, the month the playbook went live
Y_MAX = 60.0  # top of the value axis, in minutes

# Plot area inside the card, in pixels.
LEFT, RIGHT, TOP, BOTTOM = 80, 750, 60, 340


class Canvas:
    """An RGB pixel buffer with the few drawing operations the chart needs."""

    def __init__(self, width: int, height: int, fill: Color) -> None:
        self.width = width
        self.height = height
        self.rows = [bytearray(bytes(fill) * width) for _ in range(height)]

    def pixel(self, x: int, y: int, color: Color) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.rows[y][3 * x : 3 * x + 3] = bytes(color)

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """Fill the rectangle [x0, x1) x [y0, y1)."""
        x0, x1 = max(x0, 0), min(x1, self.width)
        run = bytes(color) * max(x1 - x0, 0)
        for y in range(max(y0, 0), min(y1, self.height)):
            self.rows[y][3 * x0 : 3 * x1] = run

    def rounded_top_rect(self, x0: int, y0: int, x1: int, y1: int, r: int, color: Color) -> None:
        """A bar with rounded top corners of radius r."""
        self.rect(x0, y0 + r, x1, y1, color)
        for y in range(y0, y0 + r):
            dy = y0 + r - y - 0.5
            for x in range(x0, x1):
                dx = max(x0 + r - x - 0.5, x - (x1 - r) + 0.5, 0.0)
                if dx * dx + dy * dy <= r * r:
                    self.pixel(x, y, color)

    def dashed_vline(self, x: int, y0: int, y1: int, color: Color, dash: int = 6) -> None:
        for y in range(y0, y1):
            if (y - y0) // dash % 2 == 0:
                self.pixel(x, y, color)

    def png(self) -> bytes:
        # Each scanline starts with its filter type; 0 (none) keeps the writer simple.
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)
        return b"".join(
            [
                b"\x89PNG\r\n\x1a\n",
                _chunk(
                    b"IHDR",
                    struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0),
                ),
                _chunk(b"IDAT", zlib.compress(raw, 9)),
                _chunk(b"IEND", b""),
            ]
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def y_of(value: float) -> int:
    return round(BOTTOM - (BOTTOM - TOP) * value / Y_MAX)


def draw() -> Canvas:
    c = Canvas(WIDTH, HEIGHT, BACKGROUND)

    # Card with a thin border and a brand-coloured accent strip along its top.
    c.rect(16, 16, WIDTH - 16, HEIGHT - 16, CARD_BORDER)
    c.rect(17, 17, WIDTH - 17, HEIGHT - 17, CARD)
    c.rect(17, 17, WIDTH - 17, 22, BRAND)

    # Horizontal grid every 10 minutes.
    for minutes in range(10, int(Y_MAX) + 1, 10):
        c.rect(LEFT, y_of(minutes), RIGHT, y_of(minutes) + 1, GRID)

    # Bars, one slot per month.
    slot = (RIGHT - LEFT) / len(MONTHLY_MEDIANS)
    bar_width = round(slot * 0.56)
    for i, value in enumerate(MONTHLY_MEDIANS):
        centre = LEFT + slot * (i + 0.5)
        x0 = round(centre - bar_width / 2)
        color = BRAND if i >= FIRST_AUTOMATED_MONTH else BRAND_TINT
        c.rounded_top_rect(x0, y_of(value), x0 + bar_width, BOTTOM, 5, color)
        c.rect(round(centre), BOTTOM, round(centre) + 1, BOTTOM + 6, AXIS)  # tick mark

    # Marker between the manual months and the months with the playbook (live from 21 July).
    c.dashed_vline(round(LEFT + slot * FIRST_AUTOMATED_MONTH), TOP - 10, BOTTOM, MARKER)

    # Axes last, so they sit on top of the grid and bars.
    c.rect(LEFT - 2, TOP - 10, LEFT, BOTTOM + 2, AXIS)
    c.rect(LEFT - 2, BOTTOM, RIGHT, BOTTOM + 2, AXIS)
    for minutes in range(0, int(Y_MAX) + 1, 10):
        c.rect(LEFT - 8, y_of(minutes), LEFT - 2, y_of(minutes) + 1, AXIS)
    return c


def main(argv: list[str]) -> int:
    default = Path(__file__).resolve().parents[2] / "stories/2026-Q3/images/zoning-dashboard.png"
    target = Path(argv[1]) if len(argv) > 1 else default
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(draw().png())
    print(f"wrote {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
