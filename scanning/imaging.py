"""Turning uploaded bytes into a grayscale picture the decoders can read.

Pillow does the work; this module adds the guards an upload endpoint needs
(pixel limit before decoding, typed errors) and the cheap tricks that make
phone photos fast to scan (JPEG draft decoding to grayscale at a reduced scale).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from scanning.errors import CorruptImageError, ImageTooLargeError, NotAnImageError

DEFAULT_MAX_PIXELS = 50_000_000
"""Larger than any phone camera (a 48 MP sensor), far below a decompression bomb."""

DEFAULT_WORKING_SIDE = 2048
"""Longest side the first pass works on. Phone photos of 12 MP are scanned at
about half size: zxing-cpp finds codes there faster, and the full resolution
is kept for a retry when small codes were lost."""


@dataclass(frozen=True, slots=True)
class Photo:
    """A decoded upload: the working picture and how it maps to the original.

    ``image`` is grayscale (mode ``L``), EXIF-oriented, with its longest side at
    most the working side. ``scale`` is working pixels per original pixel (≤ 1).
    ``width``/``height`` are the original size after EXIF orientation.
    """

    image: Image.Image
    width: int
    height: int
    scale: float
    source: bytes


def open_photo(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    working_side: int | None = DEFAULT_WORKING_SIDE,
) -> Photo:
    """Decode ``data`` into a :class:`Photo`.

    Raises :class:`NotAnImageError`, :class:`CorruptImageError` or
    :class:`ImageTooLargeError` (checked from the header, before any pixel is
    decoded, so a decompression bomb costs nothing).
    """
    image = _open(data, max_pixels=max_pixels)
    stored_size = image.size  # before draft() shrinks a JPEG
    scale = 1.0
    if working_side and max(image.size) > working_side:
        scale = working_side / max(image.size)
    if image.format == "JPEG":
        # The JPEG decoder can produce grayscale at 1/2, 1/4, 1/8 of the size
        # directly from the DCT coefficients: much faster than decoding RGB
        # at full size and converting. draft() never goes below the request.
        requested = (round(image.size[0] * scale), round(image.size[1] * scale))
        image.draft("L", requested)
    try:
        image.load()
        # Read EXIF only after load(): for PNG it may sit after the pixel data,
        # and reading it first would swallow a decoding error.
        oriented_size = _oriented_size(image, stored_size)
        image = ImageOps.exif_transpose(image)
        gray = _to_gray(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise CorruptImageError(f"The image cannot be decoded: {exc}") from exc
    longest = max(gray.size)
    if working_side and longest > working_side:
        target = _fit(gray.size, working_side)
        gray = gray.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)
    scale = gray.size[0] / oriented_size[0]
    return Photo(gray, oriented_size[0], oriented_size[1], scale, data)


def full_resolution(photo: Photo, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Photo:
    """The same photo decoded at its original resolution (for retries)."""
    if photo.scale >= 0.999:
        return photo
    return open_photo(photo.source, max_pixels=max_pixels, working_side=None)


def _open(data: bytes, *, max_pixels: int) -> Image.Image:
    if not data:
        raise NotAnImageError("The upload is empty.")
    with warnings.catch_warnings():
        # Our own limit below decides; Pillow's warning would only add noise.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError as exc:
            if _is_heif(data):
                raise NotAnImageError(
                    "HEIC photos cannot be read: upload JPEG (on iPhone, Settings › Camera › "
                    "Formats › Most Compatible)."
                ) from exc
            raise NotAnImageError("The upload is not an image format we can read.") from exc
        except Image.DecompressionBombError as exc:
            raise ImageTooLargeError(f"The image is too large: {exc}", pixels=-1, max_pixels=max_pixels) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise CorruptImageError(f"The image header is damaged: {exc}") from exc
    width, height = image.size
    pixels = width * height
    if pixels > max_pixels:
        raise ImageTooLargeError(
            f"The image has {pixels} pixels; at most {max_pixels} are accepted.",
            pixels=pixels,
            max_pixels=max_pixels,
        )
    if pixels == 0:
        raise CorruptImageError("The image has no pixels.")
    return image


_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


def _is_heif(data: bytes) -> bool:
    """An ISO media file whose brand says HEIF/HEIC (iPhone photos by default)."""
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _oriented_size(image: Image.Image, stored_size: tuple[int, int]) -> tuple[int, int]:
    """The stored size turned as EXIF orientation says."""
    width, height = stored_size
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block must not lose the photo
        orientation = 1
    if orientation in (5, 6, 7, 8):
        return height, width
    return width, height


def _to_gray(image: Image.Image) -> Image.Image:
    if image.mode == "L":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent areas are black underneath; a code drawn on a
        # transparent background would vanish, so composite over white.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit scans: map their actual range onto 8 bits (a plain convert
        # would clip everything above 255 to white).
        wide = image.convert("F")
        extrema = wide.getextrema()
        low, high = float(extrema[0]), float(extrema[1])  # type: ignore[arg-type]
        factor = 255.0 / (high - low) if high > low else 1.0
        return wide.point(lambda v: (v - low) * factor).convert("L")
    return image.convert("L")


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    factor = side / max(width, height)
    return max(1, round(width * factor)), max(1, round(height * factor))
