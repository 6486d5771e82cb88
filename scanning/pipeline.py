"""decode(): image bytes → every barcode in the photo, with parsed payloads."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import zxingcpp

from scanning import passes
from scanning.engines import zbar, zxing
from scanning.engines.base import Symbol
from scanning.imaging import (
    DEFAULT_MAX_PIXELS,
    DEFAULT_WORKING_SIDE,
    Photo,
    full_resolution,
    open_photo,
)
from scanning.model import Barcode, Point, ScanResult
from scanning.payloads import ParserRegistry, default_registry
from scanning.quality import measure

DEFAULT_TIME_BUDGET = 2.0
"""Seconds, counted from the call, after which no retry starts; the first pass
always runs, and a retry running at the deadline is finished."""

UPSCALE_BELOW = 1400
"""Pictures whose longest side is under this get an enlarged retry: small
modules (a 2 cm vial label in a wide shot) need more than 2 px per module."""


@dataclass(frozen=True, slots=True)
class Attempt:
    """One decoder pass: its name and how to run it (symbols with their mapping back)."""

    name: str
    run: Callable[[], list[tuple[Symbol, passes.Transform]]]


def decode(
    image_bytes: bytes,
    *,
    time_budget: float = DEFAULT_TIME_BUDGET,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    working_side: int = DEFAULT_WORKING_SIDE,
    formats: tuple[str, ...] = zxing.DEFAULT_FORMATS,
    use_zbar: bool = True,
    parsers: ParserRegistry | None = None,
    find_all: bool = False,
) -> ScanResult:
    """Find every barcode in a photo and parse what it carries.

    The first pass runs zxing-cpp on the EXIF-oriented grayscale photo
    (scaled to ``working_side`` at most). Only when it finds nothing are the
    retries tried (pixel filters, another binariser, full resolution,
    rotations, enlargement, zbar …, see :func:`plan`) until one finds
    something or ``time_budget`` seconds have passed. With ``find_all=True``
    the retries go on after a success, until the budget is spent, and
    everything found is merged: for a tray of vials where the first pass may
    miss one. Each distinct symbol (format + raw bytes) is returned once.
    When nothing is found, ``hint`` says why if it is measurable.

    Raises :class:`~scanning.errors.NotAnImageError` (415),
    :class:`~scanning.errors.CorruptImageError` (422) and
    :class:`~scanning.errors.ImageTooLargeError` (413, more than
    ``max_pixels``). Malformed payloads never raise: they are reported in
    :attr:`Barcode.payload_error`.
    """
    started = time.perf_counter()
    registry = parsers if parsers is not None else default_registry
    photo = open_photo(image_bytes, max_pixels=max_pixels, working_side=working_side)
    deadline = started + time_budget

    attempts = 0
    found: list[tuple[Symbol, passes.Transform]] = []
    sightings: Counter[tuple[str, bytes]] = Counter()
    winning: str | None = None
    timed_out = False
    for attempt in plan(photo, formats=formats, use_zbar=use_zbar, max_pixels=max_pixels):
        if attempts and time.perf_counter() > deadline:
            timed_out = True
            break
        attempts += 1
        got = _trusted(attempt.run(), retry=attempts > 1, sightings=sightings)
        if got:
            found.extend(got)
            winning = winning or attempt.name
            if not find_all:
                break

    barcodes = tuple(_barcodes(found, photo, registry))
    hint = None
    if not barcodes:
        hint = measure(photo.image, original_size=(photo.width, photo.height))
    return ScanResult(
        barcodes=barcodes,
        width=photo.width,
        height=photo.height,
        attempts=attempts,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        timed_out=timed_out,
        hint=hint,
        winning_pass=winning,
    )


WEAK_FORMATS = frozenset({"EAN13", "EAN8", "UPCA", "UPCE"})
"""Symbologies protected by one mod-10 check digit only. A retry's filter can
make zxing-cpp read such a code backwards into another valid number (the
audit caught a blurred EAN-13 read upside down), so a retry's read of these
counts only once a second pass has read the same."""


def _trusted(
    symbols: list[tuple[Symbol, passes.Transform]],
    *,
    retry: bool,
    sightings: Counter[tuple[str, bytes]],
) -> list[tuple[Symbol, passes.Transform]]:
    if not retry:
        return symbols
    # Count passes, not symbols: one pass reporting a code twice is one word.
    sightings.update({(s.format, s.raw) for s, _ in symbols if s.format in WEAK_FORMATS})
    return [
        (symbol, transform)
        for symbol, transform in symbols
        if symbol.format not in WEAK_FORMATS or sightings[(symbol.format, symbol.raw)] >= 2
    ]


def plan(
    photo: Photo,
    *,
    formats: tuple[str, ...] = zxing.DEFAULT_FORMATS,
    use_zbar: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Iterator[Attempt]:
    """The passes :func:`decode` tries on ``photo``, first pass first, lazily built.

    Public so that ``bench/scan.py --audit`` can run every pass on every photo.
    """
    image = photo.image
    mask = zxing.formats_mask(formats)

    def with_zxing(view: passes.View, **options: object) -> Attempt:
        def run() -> list[tuple[Symbol, passes.Transform]]:
            return [(s, view.to_working) for s in zxing.read(view.image, mask, **options)]  # type: ignore[arg-type]

        return Attempt("zxing", run)

    def with_zbar(view: passes.View, only: tuple[str, ...] | None = None) -> Attempt:
        wanted = tuple(f for f in formats if only is None or f in only)

        def run() -> list[tuple[Symbol, passes.Transform]]:
            return [(s, view.to_working) for s in zbar.read(view.image, wanted)]

        return Attempt("zbar", run)

    def named(name: str, attempt: Attempt) -> Attempt:
        return Attempt(name, attempt.run)

    base = passes.View(image, passes.identity)
    yield named("first", with_zxing(base))
    # Cheapest rescues first (measured on the corpus, see docs/scanning.md):
    # a light blur for sensor noise, a hard threshold for faded prints.
    yield named("smooth", with_zxing(passes.filtered(image, passes.smooth)))
    yield named("threshold", with_zxing(passes.filtered(image, passes.threshold)))
    yield named(
        "global-histogram",
        with_zxing(base, binarizer=zxingcpp.Binarizer.GlobalHistogram),
    )
    if photo.scale < 0.999:
        # Small codes in a big photo may only be readable at full resolution.
        full = _LazyFull(photo, max_pixels)
        yield Attempt("full-resolution", full.run_zxing(mask))
    for steep in (-45.0, 45.0):
        yield named(f"rotate{steep:+g}", with_zxing(passes.rotated(image, steep)))
    if max(image.size) < UPSCALE_BELOW:
        yield named("enlarged", with_zxing(passes.scaled(image, 2.0)))
    yield named("sharpen", with_zxing(passes.filtered(image, passes.sharpen)))
    zbar_on = use_zbar and zbar.AVAILABLE
    if zbar_on:
        yield named("zbar", with_zbar(base))
    yield named("equalize", with_zxing(passes.filtered(image, passes.equalize)))
    yield named("contrast", with_zxing(passes.filtered(image, passes.stretch_contrast)))
    for slight in (22.5, -22.5):
        yield named(f"rotate{slight:+g}", with_zxing(passes.rotated(image, slight)))
    if zbar_on:
        yield named("zbar-smooth", with_zbar(passes.filtered(image, passes.smooth)))
        yield named("zbar-contrast", with_zbar(passes.filtered(image, passes.stretch_contrast)))
        # zxing-cpp tries light-on-dark itself; zbar needs it spelled out. QR
        # only: its finder patterns make a false read of an inverted scene
        # unlikely, which 1D readers cannot promise.
        inverted = passes.filtered(image, passes.invert)
        yield named("zbar-inverted", with_zbar(inverted, only=("QRCode",)))
    if max(image.size) >= UPSCALE_BELOW:
        yield named("reduced", with_zxing(passes.scaled(image, 0.5), try_downscale=False))


class _LazyFull:
    """Decodes the full-resolution photo only if that retry is reached."""

    def __init__(self, photo: Photo, max_pixels: int) -> None:
        self._photo = photo
        self._max_pixels = max_pixels

    def run_zxing(self, mask: zxingcpp.BarcodeFormats) -> Callable[[], list[tuple[Symbol, passes.Transform]]]:
        def run() -> list[tuple[Symbol, passes.Transform]]:
            full = full_resolution(self._photo, max_pixels=self._max_pixels)
            factor = self._photo.image.size[0] / full.image.size[0]
            symbols = zxing.read(full.image, mask)
            return [(s, lambda x, y: (x * factor, y * factor)) for s in symbols]

        return run


def _barcodes(
    found: list[tuple[Symbol, passes.Transform]], photo: Photo, registry: ParserRegistry
) -> Iterator[Barcode]:
    seen: set[tuple[str, bytes]] = set()
    to_original = 1.0 / photo.scale
    for symbol, to_working in found:
        key = (symbol.format, symbol.raw)
        if key in seen:
            continue
        seen.add(key)
        corners = []
        for x, y in symbol.corners:
            wx, wy = to_working(x, y)
            corners.append(Point(round(wx * to_original), round(wy * to_original)))
        outcome = registry.parse(symbol.text, symbol.symbology_identifier)
        yield Barcode(
            format=symbol.format,
            symbology_identifier=symbol.symbology_identifier,
            text=symbol.text,
            raw=symbol.raw,
            corners=tuple(corners),
            engine=symbol.engine,
            payload=outcome.payload,
            payload_error=outcome.error,
        )
