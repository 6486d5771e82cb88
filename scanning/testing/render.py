"""Rendering symbols and printed labels as clean grayscale pictures."""

from __future__ import annotations

import random

import segno
import zxingcpp
from PIL import Image, ImageDraw


def symbol(content: str, fmt: str, *, module: int, gs1: bool = False) -> Image.Image:
    """A symbol rendered by zxing-cpp's writer, ``module`` pixels per module."""
    barcode = zxingcpp.create_barcode(content, zxingcpp.barcode_format_from_str(fmt), gs1=gs1)
    image = zxingcpp.write_barcode_to_image(barcode, scale=module)
    height, width = image.shape[0], image.shape[1]
    pixels = bytes(memoryview(image))  # type: ignore[arg-type]
    picture = Image.frombytes("L", (width, height), pixels)
    if fmt in ("Code128", "EAN13", "EAN8", "UPCA"):
        # The writer's 1D quiet zone is tight; printed labels leave room.
        return _pad(picture, 10 * module)
    return picture


def qr_utf8(text: str, *, module: int) -> Image.Image:
    """A QR code in byte mode with UTF-8 and no ECI, the way ID cards print it."""
    code = segno.make(text, mode="byte", encoding="utf-8", micro=False, error="m")
    rows = [bytes(0 if dark else 255 for dark in row) for row in code.matrix_iter(border=4)]
    small = Image.frombytes("L", (len(rows[0]), len(rows)), b"".join(rows))
    return small.resize((small.size[0] * module, small.size[1] * module), Image.Resampling.NEAREST)


def label(
    symbols: list[Image.Image],
    *,
    rng: random.Random,
    paper: int = 250,
    ink: int = 25,
    text_lines: int = 4,
    vertical: bool = False,
) -> Image.Image:
    """A printed label: the symbols side by side (or stacked) and lines of fake text."""
    gap = 24
    if vertical:
        width = max(s.size[0] for s in symbols) + 2 * gap
        height = sum(s.size[1] for s in symbols) + gap * (len(symbols) + 1)
    else:
        width = sum(s.size[0] for s in symbols) + gap * (len(symbols) + 1)
        height = max(s.size[1] for s in symbols) + 2 * gap
    line_height = max(10, height // 12)
    text_height = text_lines * line_height * 2
    canvas = Image.new("L", (max(width, 200), height + text_height), paper)
    x, y = gap, gap
    for picture in symbols:
        canvas.paste(ink_on_paper(picture, paper, ink), (x, y))
        if vertical:
            y += picture.size[1] + gap
        else:
            x += picture.size[0] + gap
    draw = ImageDraw.Draw(canvas)
    top = height
    for line in range(text_lines):
        cursor = gap
        baseline = top + line * line_height * 2
        while cursor < canvas.size[0] - gap:
            word = rng.randint(2, 9) * line_height // 2
            draw.rectangle(
                (
                    cursor,
                    baseline,
                    min(cursor + word, canvas.size[0] - gap),
                    baseline + line_height,
                ),
                fill=ink + 60,
            )
            cursor += word + line_height // 2
    return canvas


def ink_on_paper(picture: Image.Image, paper: int, ink: int) -> Image.Image:
    """Pure black/white → the ink and paper greys of a real print."""
    return picture.point(lambda v: paper if v > 127 else ink)


def _pad(picture: Image.Image, margin: int) -> Image.Image:
    padded = Image.new("L", (picture.size[0] + 2 * margin, picture.size[1] + 2 * margin), 255)
    padded.paste(picture, (margin, margin))
    return padded
