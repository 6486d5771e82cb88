"""Measuring why a photo gave nothing, so the clerk can take a better one."""

from __future__ import annotations

from dataclasses import dataclass

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


DIM_MEAN = 50.0
"""Mean grey under which a photo counts as dim (cold room, dusk): on the field
corpus's tune split every dim photo measured 19-51, the others 92 and more."""

SOFT_SHARPNESS = 300.0
"""Laplacian variance of the reduced picture under which a photo counts as
soft (defocused, a slow shutter): the tune split's defocused cards that the
sharpening retries rescue measured 136-193, sharp photos and decoys 190-1900
(most over 400). It only decides whether the sharpening retry runs."""

_GLANCE_SIDE = 450


@dataclass(frozen=True, slots=True)
class Look:
    """A first glance at a picture: cheap measures that choose the retries."""

    mean: float
    stddev: float
    sharpness: float

    @property
    def dim(self) -> bool:
        """Dark and noisy: a light blur or zbar on the blurred picture rescues it."""
        return self.mean < DIM_MEAN

    @property
    def soft(self) -> bool:
        """Few sharp edges (a dim photo's noise makes its own): sharpening may rescue it."""
        return not self.dim and self.sharpness < SOFT_SHARPNESS


def glance(image: Image.Image) -> Look:
    """Mean, spread and sharpness of ``image`` reduced to about 450 px: 1-2 ms.

    Unlike :func:`laplacian_variance` (the hint, which needs a median filter:
    35 ms on a 1080p photo), the box reduction itself averages the noise
    away, enough to tell a defocused photo from a sharp one.
    """
    factor = max(1, round(max(image.size) / _GLANCE_SIDE))
    small = image.reduce(factor) if factor > 1 else image
    stat = ImageStat.Stat(small)
    edges = small.filter(_LAPLACIAN)
    inner = edges.crop((1, 1, max(2, edges.size[0] - 1), max(2, edges.size[1] - 1)))
    return Look(mean=stat.mean[0], stddev=stat.stddev[0], sharpness=float(ImageStat.Stat(inner).var[0]))


SLANTED_BARS = 4.5
"""How many times stronger the grey steps along one diagonal are than along the
other, in the most lopsided patch, above which the picture holds bars at
20-70°. On the first corpus its 45° cartons and EANs gave 6-17, everything
else at most 2.4; on the field corpus's tune split its turned and strongly
foreshortened cartons 16-57, codes at small angles and decoys at most 4.3
(a spreadsheet on a screen under JPEG 6.7)."""

_SLANT_PATCH = 48
_SLANT_STEP = 12


def slanted_bars(image: Image.Image) -> bool:
    """Whether ``image`` may hold a 1D code turned by 20-70°, a few milliseconds.

    zxing-cpp reads 1D codes along rows and columns (and, with its rotate
    option, at 90°): bars at 45° need the picture turned, a costly pass on
    a big, turned canvas. Bars at such an angle show as patches whose grey
    steps one pixel along one diagonal are far stronger than along the
    other; text, textures, straight bars and codes at small angles step
    about as much along both.
    """
    half = image.reduce(2) if max(image.size) > 1400 else image
    width, height = half.size
    cols, rows = max(1, width // _SLANT_PATCH), max(1, height // _SLANT_PATCH)

    def steps(dx: int) -> bytes:
        moved = half.transform(half.size, Image.Transform.AFFINE, (1, 0, dx, 0, 1, 1))
        return ImageChops.difference(half, moved).resize((cols, rows), Image.Resampling.BOX).tobytes()

    for one, other in zip(steps(1), steps(-1), strict=True):
        high, low = max(one, other), min(one, other)
        if high >= _SLANT_STEP and high > SLANTED_BARS * max(1, low):
            return True
    return False
