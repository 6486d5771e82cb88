"""decode(): image bytes → every barcode in the photo, with parsed payloads."""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import zxingcpp
from PIL import Image

from scanning import labels, passes
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
from scanning.payloads import CitizenIdCard, GS1Data, ParserRegistry, default_registry
from scanning.quality import bars_near, glance, measure, slanted_bars

DEFAULT_TIME_BUDGET = 2.0
"""Seconds, counted from the call, after which no retry starts; the first pass
always runs, and a retry running at the deadline is finished."""

UPSCALE_BELOW = 1400
"""Pictures whose longest side is under this get an enlarged retry: small
modules (a 2 cm vial label in a wide shot) need more than 2 px per module."""

LABEL_SEARCH_BUDGET = 1.0
"""Seconds a scan goes on looking, at most, after a pass read part of a GS1
logistics label (an SSCC without the product's code, or the reverse), for
the rest of it; bounded by the time budget too."""

LABEL_SEARCH_PASSES = 8.0
"""The label search also stops after this many times what the first pass
cost (but never before :data:`LABEL_SEARCH_FLOOR`): on the field corpus's
tune split every label it completed was complete within 7.6 first passes
(most within 3.3), while a label it could not complete used the whole
second, 10-60 first passes, and that was the slowest tenth of all photos.
Counted in first passes, the limit follows the photo's size and the
machine's load."""

LABEL_SEARCH_FLOOR = 0.2
"""Seconds the label search may always use: a defocused photo's first pass
is cheap (few edges), its retries are not."""

REGION_SIDE = 480
"""Crops around a located code are enlarged until their longest side is this."""


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
    label_budget: float = LABEL_SEARCH_BUDGET,
    label_passes: float = LABEL_SEARCH_PASSES,
) -> ScanResult:
    """Find every barcode in a photo and parse what it carries.

    The first pass runs zxing-cpp on the EXIF-oriented grayscale photo
    (scaled to ``working_side`` at most). Only when it finds nothing are the
    retries tried, those that what the first pass saw calls for (a located
    symbol, dim or soft light, slanted bars; see :func:`plan`), until one
    finds something or ``time_budget`` seconds have passed. With ``find_all=True``
    the retries go on after a success, until the budget is spent, and
    everything found is merged: for a tray of vials where the first pass may
    miss one. When what was read is part of a GS1 logistics label (an
    SSCC without the product's code, or the reverse), the search goes on
    for the rest of the label for at most ``label_budget`` seconds and
    ``label_passes`` times what the first pass cost (see
    :func:`label_search`). A retry's read whose payload does not check out
    (GS1 check digit or date, citizen ID consistency) is taken for a
    misread and dropped. Each distinct symbol (format + raw bytes) is
    returned once. When nothing is found, ``hint`` says why if it is
    measurable.

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
    search = _Search(registry)

    def run(attempts: Iterator[Attempt], until: float) -> bool:
        """Runs attempts until one reads something new (True) or time is up."""
        for attempt in attempts:
            now = time.perf_counter()
            if search.attempts and now > until:
                # The label search's own, shorter limit is no time-out.
                search.timed_out = now > deadline
                return False
            if search.take(attempt):
                return True
        return False

    sequence = plan(
        photo, formats=formats, use_zbar=use_zbar, max_pixels=max_pixels, seen=search.located, everything=find_all
    )
    while run(sequence, deadline) and find_all:
        pass
    missing = search.missing()
    if missing and search.matrix_only() and not any(bars_near(photo.image, _box(s, t)) for s, t in search.found):
        # A GS1 DataMatrix alone, nothing like bars around it: a vial, which
        # carries nothing more. (It used to cost a turned pass or two.)
        missing = ()
    if missing and not find_all and not search.timed_out:
        # Part of a logistics label: look for the rest with the formats it lacks.
        now = time.perf_counter()
        spend = min(label_budget, max(LABEL_SEARCH_FLOOR, label_passes * search.first_seconds))
        until = min(deadline, now + spend)
        more = label_search(photo, search.found, missing, use_zbar=use_zbar, max_pixels=max_pixels)
        while search.missing() and run(more, until):
            pass

    barcodes = tuple(_barcodes(search.found, photo, registry))
    hint = None
    if not barcodes:
        hint = measure(photo.image, original_size=(photo.width, photo.height))
    return ScanResult(
        barcodes=barcodes,
        width=photo.width,
        height=photo.height,
        attempts=search.attempts,
        elapsed_ms=(time.perf_counter() - started) * 1000,
        timed_out=search.timed_out,
        hint=hint,
        winning_pass=search.winning,
    )


class _Search:
    """What the passes of one decode() have found so far, and what they saw."""

    def __init__(self, registry: ParserRegistry) -> None:
        self.registry = registry
        self.found: list[tuple[Symbol, passes.Transform]] = []
        self.keys: set[tuple[str, bytes]] = set()
        self.sightings: Counter[tuple[str, bytes]] = Counter()
        self.located: list[passes.Box] = []
        self.unread: list[Symbol] = []
        self.attempts = 0
        self.winning: str | None = None
        self.timed_out = False
        self.first_seconds = 0.0

    def take(self, attempt: Attempt) -> bool:
        """Runs ``attempt``; True when it read a code not read before."""
        self.attempts += 1
        first = self.attempts == 1
        started = time.perf_counter()
        symbols = attempt.run()
        if first:
            self.first_seconds = time.perf_counter() - started
            self.unread = [s for s, _ in symbols if not s.valid]
            self.located.extend(_box(s, t) for s, t in symbols if not s.valid)
        valid = [(s, t) for s, t in symbols if s.valid]
        got = _trusted(valid, retry=not first, sightings=self.sightings)
        if not first:
            got = [(s, t) for s, t in got if self._plausible(s)]
        new = [(s, t) for s, t in got if (s.format, s.raw) not in self.keys]
        if not new:
            return False
        self.keys.update((s.format, s.raw) for s, _ in new)
        self.found.extend(new)
        self.winning = self.winning or attempt.name
        return True

    def _plausible(self, symbol: Symbol) -> bool:
        """A retry's read whose payload does not check out is taken for a misread.

        Filters and turns can make a decoder read a code wrongly; a GS1 check
        digit or date that fails, or a citizen ID number that contradicts the
        card's birth date and sex, says so. (A first-pass read is what the
        symbol says: it is returned with its ``payload_error``.)
        """
        outcome = self.registry.parse(symbol.text, symbol.symbology_identifier)
        if outcome.error is not None:
            return False
        return not (isinstance(outcome.payload, CitizenIdCard) and not outcome.payload.consistent)

    def _gs1(self) -> list[tuple[str, str, GS1Data | None]]:
        read = []
        for symbol, _ in self.found:
            payload = self.registry.parse(symbol.text, symbol.symbology_identifier).payload
            read.append((symbol.format, symbol.symbology_identifier, payload if isinstance(payload, GS1Data) else None))
        return read

    def missing(self) -> tuple[str, ...]:
        located = any(s.format == "DataMatrix" for s in self.unread)
        return labels.missing_formats(self._gs1(), matrix_located=located)

    def matrix_only(self) -> bool:
        return all(fmt == "DataMatrix" for fmt, _, payload in self._gs1() if payload is not None)


def _box(symbol: Symbol, to_working: passes.Transform) -> passes.Box:
    points = [to_working(x, y) for x, y in symbol.corners]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


WEAK_FORMATS = frozenset({"EAN13", "EAN8", "UPCA", "UPCE"})
"""Symbologies protected by one mod-10 check digit only. A retry's filter can
make zxing-cpp read such a code backwards into another valid number (the
audit caught a blurred EAN-13 read upside down), so a retry's read of these
counts only once a second pass has read the same."""

STACKED_FORMATS = frozenset({"DataBarStk", "DataBarStkOmni"})
"""Stacked GS1 DataBar: two or more short rows, each easy to find in noise.
Even the first pass read one out of a dim, grainy photo of a QR card (the
field corpus, 2026-12-01: raw zxing-cpp did too), a GTIN with a valid check
digit. No vaccine package here prints stacked DataBar, so any pass's read of
it counts only once a second pass has read the same."""


def _needs_confirmation(fmt: str, *, retry: bool) -> bool:
    return fmt in STACKED_FORMATS or (retry and fmt in WEAK_FORMATS)


def _trusted(
    symbols: list[tuple[Symbol, passes.Transform]],
    *,
    retry: bool,
    sightings: Counter[tuple[str, bytes]],
) -> list[tuple[Symbol, passes.Transform]]:
    # Count passes, not symbols: one pass reporting a code twice is one word.
    sightings.update({(s.format, s.raw) for s, _ in symbols if _needs_confirmation(s.format, retry=retry)})
    return [
        (symbol, transform)
        for symbol, transform in symbols
        if not _needs_confirmation(symbol.format, retry=retry) or sightings[(symbol.format, symbol.raw)] >= 2
    ]


def plan(
    photo: Photo,
    *,
    formats: tuple[str, ...] = zxing.DEFAULT_FORMATS,
    use_zbar: bool = True,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    seen: list[passes.Box] | None = None,
    first: bool = True,
    everything: bool = False,
) -> Iterator[Attempt]:
    """The passes :func:`decode` tries on ``photo``, first pass first, lazily built.

    The first pass also reports the QR and DataMatrix symbols zxing-cpp
    located but could not decode; :func:`decode` puts their boxes in
    ``seen`` and the next passes are crops of those places, enlarged and
    filtered (cheap: the crop is small). What follows depends on what the
    first pass saw: with a code located, or ``everything``, more retries
    run (full resolution, sharpening); without, only those that rescue
    such photos, chosen by a glance at the picture (dim: zbar on the
    smoothed picture; soft: sharpening), and the answer "nothing" comes in
    a few passes. ``everything`` (``find_all``, the label search, the
    audit) adds the retries that rescued no photo the others did not.
    ``first=False`` is the label search's: the first pass, the inverted
    picture (a label's codes are all dark on light) and zbar on the
    picture as it is (the label search has run them) are left out.

    Public so that ``bench/scan.py --audit`` can run every pass on every photo.
    """
    image = photo.image
    mask = zxing.formats_mask(formats)
    with_zxing = _zxing_runner(mask)

    def with_zbar(view: passes.View, only: tuple[str, ...] | None = None) -> Attempt:
        wanted = tuple(f for f in formats if only is None or f in only)

        def run() -> list[tuple[Symbol, passes.Transform]]:
            return [(s, view.to_working) for s in zbar.read(view.image, wanted)]

        return Attempt("zbar", run)

    def named(name: str, attempt: Attempt) -> Attempt:
        return Attempt(name, attempt.run)

    base = passes.View(image, passes.identity)
    if first:
        # Dark-on-light only (as every pass): light-on-dark codes are rare on
        # what the domain prints, and looking for them too costs 40-60 % more.
        yield named("first", with_zxing(base, return_errors=True))
    # Past this point the first pass has run and read nothing: what it saw
    # (``seen``, filled by decode()) and a glance at the picture choose the retries.
    saw_code = bool(seen)
    look = glance(image)
    zbar_on = use_zbar and zbar.AVAILABLE
    for box in list(seen or ())[:_MAX_REGIONS]:
        # The first pass saw a finder pattern here but could not decode it.
        yield from region_attempts(image, box, mask, margin=0.35, located=True)
    # The retries that rescue photos where the first pass read nothing
    # (bench/scan.py --audit on the field corpus's tune split and the first
    # corpus), each only where the first pass or a glance says it can: a
    # light blur for sensor noise (then zbar, on dim photos), the global
    # binariser and a hard threshold for faint or uneven codes that were
    # seen, the inverted picture for light-on-dark codes, turns where bars
    # stand slanted, enlarging small pictures, sharpening soft ones.
    smoothed = passes.filtered(image, passes.smooth)  # one blur of the whole picture, for both
    yield named("smooth", with_zxing(smoothed))
    if zbar_on and look.dim:
        yield named("zbar-smooth", with_zbar(smoothed))
    if saw_code or everything:
        yield named("threshold", with_zxing(passes.filtered(image, passes.threshold)))
        yield named(
            "global-histogram",
            with_zxing(base, binarizer=zxingcpp.Binarizer.GlobalHistogram),
        )
    if look.soft or everything:
        sharpened = passes.filtered(image, passes.sharpen_twice)
        yield named("sharpen-twice", with_zxing(sharpened))
        # zxing-cpp's fixed threshold on the same picture: the sharpening's
        # overshoot leaves a strongly defocused code's modules clearly on
        # either side of mid-grey, where the local binariser, comparing each
        # block with its neighbours, loses them (issue 11, fourth round: the
        # tune split's vials at the strongest defocus).
        yield named("sharpen-twice-fixed", with_zxing(sharpened, binarizer=zxingcpp.Binarizer.FixedThreshold))
    if everything or slanted_bars(image):
        for steep in (-45.0, 45.0):
            yield named(f"rotate{steep:+g}", with_zxing(passes.rotated(image, steep)))
    if max(image.size) < UPSCALE_BELOW:
        yield named("enlarged", with_zxing(passes.scaled(image, 2.0)))
    if first:
        yield named("inverted", with_zxing(passes.filtered(image, passes.invert)))
    if photo.scale < 0.999 and (saw_code or everything):
        # A code seen but too small at working size may read at full resolution.
        full = _LazyFull(photo, max_pixels)
        yield Attempt("full-resolution", full.run_zxing(mask))
    if not everything:
        # What follows rescued no photo that the retries above do not (the
        # audit of both corpora): on a photo without a code it only made the
        # answer "nothing" slower (1.4 s instead of a few hundred ms).
        return
    yield named("sharpen", with_zxing(passes.filtered(image, passes.sharpen)))
    if zbar_on and first:
        yield named("zbar", with_zbar(base))
    yield named("equalize", with_zxing(passes.filtered(image, passes.equalize)))
    yield named("contrast", with_zxing(passes.filtered(image, passes.stretch_contrast)))
    for slight in (22.5, -22.5):
        yield named(f"rotate{slight:+g}", with_zxing(passes.rotated(image, slight)))
    if zbar_on:
        if not look.dim:
            yield named("zbar-smooth", with_zbar(passes.filtered(image, passes.smooth)))
        yield named("zbar-contrast", with_zbar(passes.filtered(image, passes.stretch_contrast)))
        # zxing-cpp tries light-on-dark itself; zbar needs it spelled out. QR
        # only: its finder patterns make a false read of an inverted scene
        # unlikely, which 1D readers cannot promise.
        inverted = passes.filtered(image, passes.invert)
        yield named("zbar-inverted", with_zbar(inverted, only=("QRCode",)))
    if max(image.size) >= UPSCALE_BELOW:
        yield named("reduced", with_zxing(passes.scaled(image, 0.5), try_downscale=False))


_MAX_REGIONS = 2


def _zxing_runner(mask: zxingcpp.BarcodeFormats) -> Callable[..., Attempt]:
    def with_zxing(view: passes.View, **options: object) -> Attempt:
        def run() -> list[tuple[Symbol, passes.Transform]]:
            return [(s, view.to_working) for s in zxing.read(view.image, mask, **options)]  # type: ignore[arg-type]

        return Attempt("zxing", run)

    return with_zxing


_REGION_FILTERS: tuple[tuple[str, Callable[[Image.Image], Image.Image]], ...] = (
    ("region-sharpen", passes.sharpen),
    ("region-equalize", passes.equalize),
    ("region-threshold", passes.threshold),
)
_LOCATED_FILTERS: tuple[tuple[str, Callable[[Image.Image], Image.Image]], ...] = (
    ("region-sharpen-twice", passes.sharpen_twice),
    ("region-smooth", passes.smooth),
)


def region_attempts(
    image: Image.Image,
    box: passes.Box,
    mask: zxingcpp.BarcodeFormats,
    *,
    margin: float,
    side: int = REGION_SIDE,
    most: float = 3.0,
    located: bool = False,
) -> Iterator[Attempt]:
    """Passes on the crop of ``box`` (grown by ``margin`` of its size), enlarged.

    Small modules, glare and blur are fought where the code is: the crop is
    enlarged to about :data:`REGION_SIDE` px (bicubic, which restores 2 px
    modules to readable ones) and read as it is, sharpened, thresholded,
    equalised (glare leaves the code's own histogram stretched) and with
    zxing-cpp's global binariser; where the first pass ``located`` a 2D
    symbol, also sharpened twice and smoothed (the whole picture is only
    sharpened when it looks soft, only smoothed once).
    """
    with_zxing = _zxing_runner(mask)
    view = passes.region(image, box, margin=margin, side=side, most=most)
    if view is None:
        return
    yield Attempt("region", with_zxing(view).run)
    for name, how in _REGION_FILTERS + (_LOCATED_FILTERS if located else ()):
        yield Attempt(name, with_zxing(passes.refiltered(view, how)).run)
    yield Attempt("region-global", with_zxing(view, binarizer=zxingcpp.Binarizer.GlobalHistogram).run)


def label_search(
    photo: Photo,
    found: list[tuple[Symbol, passes.Transform]],
    missing: tuple[str, ...],
    *,
    use_zbar: bool,
    max_pixels: int,
) -> Iterator[Attempt]:
    """Passes looking for the rest of a logistics label, only for the ``missing`` formats.

    First the picture turned so that the codes read stand straight: a
    label's codes are parallel, and zxing-cpp reads 1D codes along rows and
    columns only. When bars are missing, the straight and turned pictures
    with rows (or columns) averaged: a few milliseconds, and dim, noisy bars
    read. Then the bands above and below each 1D code read (a carton
    label's GS1-128 codes are stacked), enlarged, and the ordinary retries.
    Every pass reads only the missing formats, which also makes it cheaper
    than one for every format.
    """
    mask = zxing.formats_mask(missing)
    image = photo.image
    with_zxing = _zxing_runner(mask)
    tilts = {round(_tilt(s, t)) for s, t in found}
    turns = sorted(tilts - set(range(-_STRAIGHT, _STRAIGHT + 1)))
    uprights = sorted(tilts - set(range(-_UPRIGHT, _UPRIGHT + 1)))
    # One turned picture per angle, shared by the passes that read it.
    turned = {angle: _Lazy(f"label-turn{angle:+d}", image, angle) for angle in (*turns[:2], *uprights[:2])}
    views = [turned[angle] for angle in turns[:2]]
    for view in views:
        yield Attempt(view.name, _on(view, with_zxing))
    straight = _Lazy("label", image, 0)
    zbar_on = use_zbar and zbar.AVAILABLE
    if "Code128" in missing:
        # The bars stand upright in the turned views (or the picture itself):
        # average their rows, or columns for bars on their side, against noise.
        for view in [straight, *views]:
            for rows, across in itertools.product(_SQUASH_ROWS, (False, True)):
                name = f"{view.name}-{'columns' if across else 'rows'}{rows}"
                yield Attempt(name, _on(view, with_zxing, functools.partial(passes.squashed, rows=rows, across=across)))
        if zbar_on:
            # zbar reads averaged dim bars that zxing-cpp reads in none of
            # these views (issue 11, fourth round: the tune split's dim
            # cartons). More rows are averaged, so even a small tilt is turned
            # away first; zbar scans across the bars only, a few milliseconds.
            for view in [turned[angle] for angle in uprights[:2]] or [straight]:
                for rows, across in itertools.product(_ZBAR_SQUASH_ROWS, (False, True)):
                    name = f"{view.name}-zbar-{'columns' if across else 'rows'}{rows}"
                    squash = functools.partial(passes.squashed, rows=rows, across=across)
                    yield Attempt(name, _on_zbar(view, squash, across=across))
        if glance(image).soft:
            # Softened bars, averaged, then sharpened: the averaging has taken
            # the noise out that sharpening would otherwise amplify (the tune
            # split's cartons at the lightest defocus).
            for view in [straight, *views]:
                for across in (False, True):
                    name = f"{view.name}-{'columns' if across else 'rows'}{_SQUASH_ROWS[0]}-sharpened"
                    yield Attempt(name, _on(view, with_zxing, functools.partial(_squashed_sharpened, across=across)))
    for left, top, right, bottom in (_box(s, t) for s, t in found):
        width, height = right - left, bottom - top
        if width > 2 * height:  # a 1D code: look above and below it
            band = (left - 0.2 * width, top - 4 * height, right + 0.2 * width, bottom + 4 * height)
            yield from region_attempts(image, band, mask, margin=0.0, side=_LABEL_SIDE, most=2.0)
    if zbar_on and "Code128" in missing:
        # zbar reads blurred or small bars that zxing-cpp does not (the tune
        # split's small, JPEG and glare cartons): before the costly retries.
        for view in [straight, *views]:
            yield Attempt(f"{view.name}-zbar", _on_zbar(view))
    yield from plan(photo, formats=missing, use_zbar=use_zbar, max_pixels=max_pixels, first=False, everything=True)


_STRAIGHT = 5
"""Degrees: a code turned less than this is read as it is."""

_SQUASH_ROWS = (6, 10)
"""Rows averaged into one when looking for dim, noisy bars (bench/scan.py)."""

_ZBAR_SQUASH_ROWS = (10, 16)
"""Rows averaged for zbar: on the tune split's 7 dim cartons whose bars no pass
read, 10 or 16 rows read them on 6 labels, 6 rows on 2, 24 rows on 3 (the
longer the run of rows, the more a small leftover tilt blurs the bars)."""

_UPRIGHT = 0
"""Degrees: bars tilted more than this are turned upright before zbar reads
them averaged (on the tune split a 1° turn read a dim label the straight
picture did not: the turn's bilinear resampling also averages noise)."""


class _Lazy:
    """``image`` turned by ``angle`` degrees, only when first used, then kept."""

    def __init__(self, name: str, image: Image.Image, angle: int) -> None:
        self.name = name
        self._image = image
        self._angle = angle
        self._view: passes.View | None = None

    def __call__(self) -> passes.View:
        if self._view is None:
            image = self._image
            self._view = passes.rotated(image, self._angle) if self._angle else passes.View(image, passes.identity)
        return self._view


def _on(
    view: _Lazy,
    with_zxing: Callable[..., Attempt],
    derive: Callable[[passes.View], passes.View] | None = None,
) -> Callable[[], list[tuple[Symbol, passes.Transform]]]:
    """A pass on ``view`` (through ``derive``), computed when the pass runs."""

    def run() -> list[tuple[Symbol, passes.Transform]]:
        picture = view() if derive is None else derive(view())
        return with_zxing(picture).run()

    return run


def _squashed_sharpened(view: passes.View, *, across: bool) -> passes.View:
    """``view`` with rows (``across``: columns) averaged, then sharpened."""
    return passes.refiltered(passes.squashed(view, _SQUASH_ROWS[0], across=across), passes.sharpen)


def _on_zbar(
    view: _Lazy, derive: Callable[[passes.View], passes.View] | None = None, *, across: bool | None = None
) -> Callable[[], list[tuple[Symbol, passes.Transform]]]:
    """zbar reading Code 128 on ``view`` (through ``derive``; scanlines ``across`` as
    :func:`zbar.read` takes it), computed when the pass runs."""

    def run() -> list[tuple[Symbol, passes.Transform]]:
        picture = view() if derive is None else derive(view())
        return [(s, picture.to_working) for s in zbar.read(picture.image, ("Code128",), across=across)]

    return run


def _tilt(symbol: Symbol, to_working: passes.Transform) -> float:
    """How far ``symbol`` is turned clockwise on screen, in degrees within ±45."""
    (x0, y0), (x1, y1) = (to_working(*symbol.corners[0]), to_working(*symbol.corners[1]))
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    return (angle + 45) % 90 - 45


_LABEL_SIDE = 2400


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
