"""The retry passes tried, in order, when the first pass finds nothing.

Each pass is a picture derived from the photo plus the engine to run on it.
The order was tuned on the corpus (bench/scan.py): the passes that rescue
most photos per millisecond come first, so a small time budget still gets
the best of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps

Transform = Callable[[float, float], tuple[float, float]]
"""Maps a point of a pass's picture back to the working picture."""


@dataclass(frozen=True, slots=True)
class View:
    """A picture to decode and how its coordinates map back."""

    image: Image.Image
    to_working: Transform


def identity(x: float, y: float) -> tuple[float, float]:
    """The working picture itself."""
    return x, y


def scaled(image: Image.Image, factor: float) -> View:
    """``image`` resized by ``factor`` (bicubic when enlarging)."""
    size = (max(1, round(image.size[0] * factor)), max(1, round(image.size[1] * factor)))
    method = Image.Resampling.BICUBIC if factor > 1 else Image.Resampling.BOX
    fx = image.size[0] / size[0]
    fy = image.size[1] / size[1]
    return View(image.resize(size, method), lambda x, y: (x * fx, y * fy))


def squashed(view: View, rows: int, *, across: bool = False) -> View:
    """``view``'s picture with every ``rows`` rows (``across``: columns) averaged into one.

    Bars lose nothing along their height, while sensor noise and grain are
    averaged away (σ/√rows): dim, noisy carton bars read again. Rows suit
    upright bars, columns bars lying on their side.
    """
    image = view.image
    width, height = image.size
    size = (max(1, width // rows), height) if across else (width, max(1, height // rows))
    small = image.resize(size, Image.Resampling.BOX)
    fx, fy = width / size[0], height / size[1]
    back = view.to_working
    return View(small, lambda x, y: back(x * fx, y * fy))


def rotated(image: Image.Image, degrees: float) -> View:
    """``image`` turned counter-clockwise, canvas enlarged, filled with white.

    zxing-cpp scans 1D codes along rows and columns only; a carton label
    photographed at 30-60° needs the picture turned.
    """
    turned = image.rotate(degrees, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    cx, cy = image.size[0] / 2, image.size[1] / 2
    tx, ty = turned.size[0] / 2, turned.size[1] / 2
    rad = math.radians(degrees)
    cos, sin = math.cos(rad), math.sin(rad)

    def back(x: float, y: float) -> tuple[float, float]:
        # Pillow turns counter-clockwise on screen (y down); undo around centres.
        dx, dy = x - tx, y - ty
        return cx + dx * cos - dy * sin, cy + dx * sin + dy * cos

    return View(turned, back)


def filtered(image: Image.Image, how: Callable[[Image.Image], Image.Image]) -> View:
    """``image`` through a pixel filter that keeps its geometry."""
    return View(how(image), identity)


def stretch_contrast(image: Image.Image) -> Image.Image:
    """Full black-to-white range: rescues faded prints and low-contrast photos."""
    return ImageOps.autocontrast(image, cutoff=1)


def equalize(image: Image.Image) -> Image.Image:
    """Histogram equalisation: rescues codes in the shadow of a bright glare."""
    return ImageOps.equalize(image)


def sharpen(image: Image.Image) -> Image.Image:
    """Unsharp mask: restores module edges softened by slight defocus."""
    return image.filter(ImageFilter.UnsharpMask(radius=2, percent=200, threshold=2))


def sharpen_twice(image: Image.Image) -> Image.Image:
    """The unsharp mask applied twice: restores a strong defocus (2 px and more)."""
    return sharpen(sharpen(image))


def smooth(image: Image.Image) -> Image.Image:
    """A light blur: removes sensor noise and JPEG blocks that break finder patterns."""
    return image.filter(ImageFilter.GaussianBlur(1.2))


def invert(image: Image.Image) -> Image.Image:
    """Light-on-dark codes (laser-etched vials, dark-mode screens) as dark-on-light."""
    return ImageOps.invert(image)


def threshold(image: Image.Image) -> Image.Image:
    """Black and white at the mid-grey of a contrast-stretched picture."""
    stretched = ImageOps.autocontrast(image, cutoff=2)
    return stretched.point(lambda v: 255 if v > 127 else 0)


Box = tuple[float, float, float, float]
"""left, top, right, bottom in the working picture."""


def region(image: Image.Image, box: Box, *, margin: float, side: int, most: float = 3.0) -> View | None:
    """The crop of ``box`` grown by ``margin`` of its size, enlarged towards ``side`` px.

    Enlarged by at most ``most`` times (bicubic), never reduced; ``None``
    when the crop would be empty.
    """
    width, height = box[2] - box[0], box[3] - box[1]
    left = max(0, round(box[0] - margin * width))
    top = max(0, round(box[1] - margin * height))
    right = min(image.size[0], round(box[2] + margin * width))
    bottom = min(image.size[1], round(box[3] + margin * height))
    if right - left < 8 or bottom - top < 8:
        return None
    crop = image.crop((left, top, right, bottom))
    factor = min(most, max(1.0, side / max(crop.size)))
    if factor > 1.01:
        size = (round(crop.size[0] * factor), round(crop.size[1] * factor))
        crop = crop.resize(size, Image.Resampling.BICUBIC)
    fx, fy = (right - left) / crop.size[0], (bottom - top) / crop.size[1]
    return View(crop, lambda x, y: (left + x * fx, top + y * fy))


def refiltered(view: View, how: Callable[[Image.Image], Image.Image]) -> View:
    """``view``'s picture through a pixel filter, mapped back as ``view`` is."""
    return View(how(view.image), view.to_working)
