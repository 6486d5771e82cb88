"""zxing-cpp: the first engine, and the only one that reads DataMatrix."""

from __future__ import annotations

import zxingcpp
from PIL import Image

from scanning.engines.base import Symbol, text_from_raw

_F = zxingcpp.BarcodeFormat

DEFAULT_FORMATS: tuple[str, ...] = (
    "DataMatrix",
    "QRCode",
    "Code128",
    "EAN13",
    "EAN8",
    "UPCA",
    "DataBar",  # the family: Omni, Limited, Expanded and the stacked forms
)
"""What vaccine packaging, ID cards and subject cards use. Leaving out the
rest (Codabar, ITF, Code 39, UPC-E …) removes the 1D readers that most often
"find" a code in wood grain or printed text: running every retry on the
corpus, zxing-cpp read a UPC-E out of part of a turned EAN-13."""


def formats_mask(names: tuple[str, ...]) -> zxingcpp.BarcodeFormats:
    """zxing-cpp's format set for the given format names (zxing-cpp's spelling)."""
    return zxingcpp.barcode_formats_from_str(",".join(names))


def read(
    image: Image.Image,
    formats: zxingcpp.BarcodeFormats,
    *,
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage,
    try_downscale: bool = True,
    try_invert: bool = False,
    return_errors: bool = False,
) -> list[Symbol]:
    """All symbols zxing-cpp finds in a grayscale picture.

    With ``return_errors`` the 2D symbols it located but could not decode are
    included too, with ``valid=False`` (their position guides the retries).
    ``try_invert`` also reads light-on-dark codes: zxing-cpp then binarises
    and searches the picture a second time, which costs a pass 40-60 % more
    (bench/scan.py, 2026-12-01); :func:`scanning.decode` has one retry on
    the inverted picture instead.
    """
    found = zxingcpp.read_barcodes(
        image,
        formats=formats,
        try_rotate=True,
        try_downscale=try_downscale,
        try_invert=try_invert,
        text_mode=zxingcpp.TextMode.HRI,
        binarizer=binarizer,
        return_errors=return_errors,
    )
    return [
        _symbol(barcode)
        for barcode in found
        if barcode.valid or (barcode.format in _LOCATED and barcode.format in formats)
    ]


_LOCATED = (_F.QRCode, _F.DataMatrix)
"""Formats whose failed reads are worth a targeted retry: zxing-cpp reports a
QR or DataMatrix whose finder pattern it saw; its failed 1D and Micro/rMQR
"sightings" on photos of text are noise."""


def _symbol(barcode: zxingcpp.Barcode) -> Symbol:
    raw = bytes(barcode.bytes)
    position = barcode.position
    corners = tuple(
        (float(p.x), float(p.y))
        for p in (
            position.top_left,
            position.top_right,
            position.bottom_right,
            position.bottom_left,
        )
    )
    return Symbol(
        format=_format_name(barcode.format),
        symbology_identifier=barcode.symbology_identifier,
        raw=raw,
        text=text_from_raw(raw, barcode.text),
        corners=corners,
        engine="zxing-cpp",
        valid=barcode.valid,
    )


def _format_name(fmt: zxingcpp.BarcodeFormat) -> str:
    return str(fmt.name)
