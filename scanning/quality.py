"""Measuring why a photo gave nothing, so the clerk can take a better one."""

from __future__ import annotations

from PIL import Image, ImageChops, ImageFilter, ImageStat

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


BARS_NEAR_MATRIX = 3.5
"""Edges within four DataMatrix sides of one, per edge of the DataMatrix itself,
above which a carton label's bars are taken to be there. On the field corpus's
tune split (2026-12-01) vial photos gave 1.4-2.9, carton labels 4.3-18 (one
label under glare 2.7)."""

_AROUND = 4.0


def bars_near(image: Image.Image, box: tuple[float, float, float, float]) -> bool:
    """Whether the picture around the DataMatrix at ``box`` is as busy as a logistics label's bars.

    A GS1 DataMatrix read alone is usually a vial, which has nothing more to
    read, or a carton label whose GS1-128 bars the pass missed. Bars are
    dense, long edges: counted (at half size, where noise is averaged) in
    the neighbourhood of the code and compared with the code's own edges,
    with the code's own contrast as the edge threshold. It costs about a
    millisecond, so a vial no longer pays a search for bars it does not have.
    """
    half = image.reduce(2)
    left, top, right, bottom = (v / 2 for v in box)
    width, height = right - left, bottom - top
    code = (round(left), round(top), round(right), round(bottom))
    if code[2] - code[0] < 4 or code[3] - code[1] < 4:
        return True  # too small to judge: look
    low, high = _spread(half.crop(code))
    threshold = max(8, (high - low) // 3)
    window = (
        max(0, round(left - _AROUND * width)),
        max(0, round(top - _AROUND * height)),
        min(half.size[0], round(right + _AROUND * width)),
        min(half.size[1], round(bottom + _AROUND * height)),
    )
    area = half.crop(window)
    across = ImageChops.difference(area, area.transform(area.size, Image.Transform.AFFINE, (1, 0, 1, 0, 1, 0)))
    down = ImageChops.difference(area, area.transform(area.size, Image.Transform.AFFINE, (1, 0, 0, 0, 1, 1)))
    edges = ImageChops.lighter(across, down).point(lambda v: 255 if v > threshold else 0)
    everywhere = edges.histogram()[255]
    inside = edges.crop((code[0] - window[0], code[1] - window[1], code[2] - window[0], code[3] - window[1]))
    own = inside.histogram()[255]
    return (everywhere - own) > BARS_NEAR_MATRIX * max(1, own)


def _spread(image: Image.Image) -> tuple[int, int]:
    """The 10th and 90th percentile grey of ``image``."""
    histogram = image.histogram()
    total = sum(histogram)
    low = high = None
    running = 0
    for grey, count in enumerate(histogram):
        running += count
        if low is None and running >= 0.1 * total:
            low = grey
        if running >= 0.9 * total:
            high = grey
            break
    return low or 0, high if high is not None else 255
