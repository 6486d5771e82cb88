"""Measuring why a photo gave nothing, so the clerk can take a better one."""

from __future__ import annotations

from PIL import Image, ImageFilter, ImageStat

from scanning.model import Hint

_MEASURE_SIDE = 640
# Thresholds measured on the test corpus (see docs/scanning.md): scaled to
# 640 px and median-filtered, sharp phone photos have a Laplacian variance of
# 100 and more (most several hundred); defocused ones that fail stay under 30.
DARK_MEAN = 45.0
BRIGHT_MEAN = 225.0
LOW_CONTRAST_STDDEV = 18.0
BLUR_LAPLACIAN_VARIANCE = 30.0
MIN_SIDE = 320

_LAPLACIAN = ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128)


def measure(image: Image.Image, *, original_size: tuple[int, int]) -> Hint | None:
    """The most likely reason ``image`` (grayscale) yielded no barcode, if measurable."""
    if min(original_size) < MIN_SIDE:
        return Hint.LOW_RESOLUTION
    small = image
    if max(image.size) > _MEASURE_SIDE:
        factor = _MEASURE_SIDE / max(image.size)
        size = (max(1, round(image.size[0] * factor)), max(1, round(image.size[1] * factor)))
        small = image.resize(size, Image.Resampling.BOX)
    stat = ImageStat.Stat(small)
    mean, stddev = stat.mean[0], stat.stddev[0]
    if mean < DARK_MEAN:
        return Hint.TOO_DARK
    if mean > BRIGHT_MEAN:
        return Hint.OVEREXPOSED
    if stddev < LOW_CONTRAST_STDDEV:
        return Hint.LOW_CONTRAST
    if laplacian_variance(small) < BLUR_LAPLACIAN_VARIANCE:
        return Hint.BLURRED
    return None


def laplacian_variance(image: Image.Image) -> float:
    """Variance of the Laplacian: low when the picture has no sharp edges.

    A 3x3 median filter first removes sensor noise, whose pixel-to-pixel
    jumps would otherwise make a defocused photo look sharp.
    """
    edges = image.filter(ImageFilter.MedianFilter(3)).filter(_LAPLACIAN)
    # The kernel's border pixels are not filtered; leave them out.
    inner = edges.crop((1, 1, max(2, edges.size[0] - 1), max(2, edges.size[1] - 1)))
    return float(ImageStat.Stat(inner).var[0])
