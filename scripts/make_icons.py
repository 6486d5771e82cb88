"""Draws the app's PNG icons (192, 512 and a 512 maskable one) with Pillow.

Run once when the icon changes (``python scripts/make_icons.py``) and commit the PNGs:
the app serves files, it does not draw them. The drawing follows ``icon.svg`` (a
syringe on the brand green); the maskable one keeps the symbol inside the central 80 %
circle that launchers never crop, on a full-bleed background.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent.parent / "pwa" / "icons"
BRAND = "#0b6e4f"
WHITE = "#ffffff"
SVG_SIZE = 512  # the coordinates below are icon.svg's
STROKES = [((150, 362), (290, 222)), ((250, 182), (330, 262)), ((270, 162), (370, 262)), ((150, 362), (110, 402))]
PLUNGER = [(360, 132), (420, 192), (390, 222), (330, 162)]


def draw(size: int, *, maskable: bool) -> Image.Image:
    scale_up = 4  # drawn large, scaled down: smooth edges without anti-aliasing support
    big = size * scale_up
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BRAND)
        symbol = 0.62  # of the width: well inside the 80 % safe circle
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 96 // SVG_SIZE, fill=BRAND)
        symbol = 0.9
    factor = big * symbol / SVG_SIZE
    offset = big * (1 - symbol) / 2

    def at(point: tuple[int, int]) -> tuple[float, float]:
        return offset + point[0] * factor, offset + point[1] * factor

    width = round(36 * factor)
    for start, end in STROKES:
        pen.line([at(start), at(end)], fill=WHITE, width=width)
        for x, y in (at(start), at(end)):
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=WHITE)
    pen.line([at(p) for p in [*PLUNGER, PLUNGER[0]]], fill=WHITE, width=width, joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    draw(192, maskable=False).save(HERE / "icon-192.png", optimize=True)
    draw(512, maskable=False).save(HERE / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(HERE / "maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
