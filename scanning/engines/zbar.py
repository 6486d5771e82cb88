"""zbar through pyzbar: the second engine, for QR, Code 128 and EAN/UPC only.

pyzbar's own ``decode()`` lets zbar guess the character set of QR codes,
which turns short Vietnamese names into Japanese half-width katakana
("Lê" → "Lﾃｪ"). This adapter drives zbar through pyzbar's ctypes bindings
with zbar's binary mode switched on for QR, so the raw bytes come back as
printed and are decoded as UTF-8 here. Older zbar builds without binary mode
get the guessed text repaired instead.

When libzbar0 is not installed the engine is off: :data:`AVAILABLE` is False,
a warning is logged once, and :func:`read` returns nothing.
"""

from __future__ import annotations

import importlib
import logging
import threading
from ctypes import POINTER, c_uint, c_void_p, cast, string_at
from typing import Any

from PIL import Image

from scanning.engines.base import Symbol, text_from_raw

log = logging.getLogger(__name__)

_ZBAR_CFG_BINARY = 4  # zbar >= 0.23; on older builds set_config refuses it
_FOURCC_Y800 = 808466521

# zbar symbol type → (format name as zxing-cpp spells it, AIM symbology identifier)
_SYMBOLS: dict[str, tuple[str, str]] = {
    "QRCODE": ("QRCode", "]Q1"),
    "CODE128": ("Code128", "]C0"),
    "EAN13": ("EAN13", "]E0"),
    "EAN8": ("EAN8", "]E4"),
    "UPCA": ("UPCA", "]E0"),
    "UPCE": ("UPCE", "]E0"),
}
# DataBar is left to zxing-cpp: zbar's DataBar decoder trips its own
# assertions on noisy photos and has produced GTINs out of an inverted desk.


def _load_zbar() -> Any:
    try:
        wrapper = importlib.import_module("pyzbar.wrapper")  # loads libzbar at import time
    except (ImportError, OSError) as exc:  # pragma: no cover - depends on the machine
        log.warning("zbar is not available (install libzbar0); second engine off: %s", exc)
        return None
    return wrapper


_wrapper: Any = _load_zbar()


def _load_modifiers() -> Any:
    """zbar_symbol_get_modifiers, which pyzbar does not bind (zbar >= 0.11)."""
    if _wrapper is None:
        return None
    try:
        return _wrapper.zbar_function("zbar_symbol_get_modifiers", c_uint, POINTER(_wrapper.zbar_symbol))
    except AttributeError:  # pragma: no cover - very old zbar
        return None


_get_modifiers: Any = _load_modifiers()
_MOD_GS1 = 1  # bit 0 of the modifiers: FNC1 in first position
_GS1_IDENTIFIERS = {"Code128": "]C1", "QRCode": "]Q3"}

AVAILABLE: bool = _wrapper is not None

_binary_supported: bool | None = None
_lock = threading.Lock()


def read(image: Image.Image, formats: tuple[str, ...] | None = None, *, across: bool | None = None) -> list[Symbol]:
    """All QR and 1D symbols zbar finds in a grayscale picture (``[]`` without zbar).

    zbar scans along every row and every column. ``across=False`` keeps the
    rows only, ``True`` the columns only (zbar's density settings): on a
    picture whose bars were averaged along their height, the other
    direction only crosses the bars lengthwise and costs most of the time.
    """
    if _wrapper is None:
        return []
    w = _wrapper
    wanted = {name for name, (fmt, _) in _SYMBOLS.items() if formats is None or fmt in formats}
    if not wanted:
        return []
    if image.mode != "L":
        image = image.convert("L")
    pixels = image.tobytes()
    scanner = w.zbar_image_scanner_create()
    zimage = w.zbar_image_create()
    try:
        binary = _configure(w, scanner, wanted)
        if across is not None:
            # zbar's Y density spaces its horizontal scanlines (rows), X its vertical ones.
            off = w.ZBarConfig.CFG_Y_DENSITY if across else w.ZBarConfig.CFG_X_DENSITY
            w.zbar_image_scanner_set_config(scanner, 0, off, 0)
        w.zbar_image_set_format(zimage, _FOURCC_Y800)
        w.zbar_image_set_size(zimage, image.size[0], image.size[1])
        buffer = cast(pixels, c_void_p)  # type: ignore[arg-type]
        w.zbar_image_set_data(zimage, buffer, len(pixels), None)
        if w.zbar_scan_image(scanner, zimage) < 0:
            return []
        return list(_symbols(w, zimage, binary))
    finally:
        w.zbar_image_destroy(zimage)
        w.zbar_image_scanner_destroy(scanner)


def _configure(w: Any, scanner: Any, wanted: set[str]) -> bool:
    global _binary_supported
    # Symbol type 0 addresses every symbology at once.
    w.zbar_image_scanner_set_config(scanner, 0, w.ZBarConfig.CFG_ENABLE, 0)
    for name in wanted:
        w.zbar_image_scanner_set_config(scanner, w.ZBarSymbol[name], w.ZBarConfig.CFG_ENABLE, 1)
    if "QRCODE" not in wanted:
        return False
    refused = w.zbar_image_scanner_set_config(scanner, w.ZBarSymbol.QRCODE, _ZBAR_CFG_BINARY, 1)
    with _lock:
        if _binary_supported is None:
            _binary_supported = refused == 0
            if not _binary_supported:
                log.warning("this zbar has no binary mode; repairing its QR charset guesses")
    return refused == 0


def _symbols(w: Any, zimage: Any, binary: bool) -> Any:
    symbol = w.zbar_image_first_symbol(zimage)
    while symbol:
        type_name = _type_name(w, symbol.contents.type)
        if type_name in _SYMBOLS:
            fmt, aim = _SYMBOLS[type_name]
            raw = string_at(w.zbar_symbol_get_data(symbol), w.zbar_symbol_get_data_length(symbol))
            if fmt == "QRCode" and not binary:
                raw = undo_charset_guess(raw)
            corners = tuple(_corner(w, symbol, i) for i in range(w.zbar_symbol_get_loc_size(symbol)))
            if fmt != "QRCode":
                corners = _box(corners)
            if fmt in _GS1_IDENTIFIERS and _is_gs1(symbol):
                aim = _GS1_IDENTIFIERS[fmt]
            yield Symbol(
                format=fmt,
                symbology_identifier=aim,
                raw=raw,
                text=text_from_raw(raw, raw.decode("latin-1")),
                corners=corners,
                engine="zbar",
            )
        symbol = w.zbar_symbol_next(symbol)


def _is_gs1(symbol: Any) -> bool:
    return _get_modifiers is not None and bool(_get_modifiers(symbol) & _MOD_GS1)


def _corner(w: Any, symbol: Any, index: int) -> tuple[float, float]:
    x = w.zbar_symbol_get_loc_x(symbol, index)
    y = w.zbar_symbol_get_loc_y(symbol, index)
    return float(x), float(y)


def _type_name(w: Any, value: int) -> str:
    try:
        return str(w.ZBarSymbol(value).name)
    except ValueError:
        return ""


def _box(points: tuple[tuple[float, float], ...]) -> tuple[tuple[float, float], ...]:
    """zbar reports a 1D code as the scan line points; give its bounding box."""
    if not points:
        return points
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return ((min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys)))


def undo_charset_guess(converted: bytes) -> bytes:
    """The original bytes of a QR code whose charset zbar guessed wrongly.

    zbar converts what it believes is Shift-JIS or ISO-8859-1 into UTF-8.
    Converting back and checking that the result is valid UTF-8 recovers the
    printed bytes; if no guess round-trips, the data is returned unchanged.
    """
    try:
        converted.decode("utf-8")
    except UnicodeDecodeError:
        return converted
    text = converted.decode("utf-8")
    if text.isascii():
        return converted
    for guess in ("shift_jis", "cp932", "latin-1"):
        try:
            original = text.encode(guess)
            original.decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return original
    return converted
