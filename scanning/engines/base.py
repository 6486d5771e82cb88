"""What every decoder adapter returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Symbol:
    """A decoded symbol in the coordinates of the picture the engine was given."""

    format: str
    symbology_identifier: str
    raw: bytes
    text: str
    corners: tuple[tuple[float, float], ...]
    engine: str
    valid: bool = True
    """False for a symbol the engine located but could not decode (zxing-cpp's
    ``return_errors``): not a read, only a sign of where a code may be."""


def text_from_raw(raw: bytes, fallback: str) -> str:
    """The content as text: UTF-8 when the bytes are valid UTF-8, else ``fallback``.

    Citizen ID card QR codes are UTF-8 without an ECI designator, so decoders
    have to guess; a strict UTF-8 decode of the raw bytes never mangles a
    Vietnamese name, and pure ASCII is the same under every guess.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return fallback
