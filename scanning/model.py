"""Immutable result types of :func:`scanning.decode`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanning.payloads.registry import Payload


@dataclass(frozen=True, slots=True)
class Point:
    """A pixel position in the uploaded image, after EXIF orientation."""

    x: int
    y: int


class Hint(enum.Enum):
    """Why a photo probably gave nothing; shown to the person who took it."""

    TOO_DARK = "too_dark"
    OVEREXPOSED = "overexposed"
    LOW_CONTRAST = "low_contrast"
    BLURRED = "blurred"
    LOW_RESOLUTION = "low_resolution"

    @property
    def message(self) -> str:
        """A sentence a clerk can act on."""
        return _HINT_MESSAGES[self]


_HINT_MESSAGES = {
    Hint.TOO_DARK: "The photo is too dark: add light or turn on the flash.",
    Hint.OVEREXPOSED: "The photo is washed out: avoid direct light or glare on the label.",
    Hint.LOW_CONTRAST: "The code barely stands out: hold the label flat and well lit.",
    Hint.BLURRED: "The photo is blurred: hold still and let the camera focus.",
    Hint.LOW_RESOLUTION: "The photo is too small: move closer so the code fills more of it.",
}


@dataclass(frozen=True, slots=True)
class Barcode:
    """One symbol found in a photo.

    ``text`` is the content as a person would type it: UTF-8 decoded from
    ``raw`` when that is valid UTF-8 (never a guessed character set), and for
    GS1 symbols the element string with ASCII 29 (GS) separators.
    ``symbology_identifier`` is the AIM identifier such as ``]d2`` (GS1
    DataMatrix), ``]C1`` (GS1-128) or ``]Q1`` (QR).
    ``payload`` is the parsed content when a registered parser recognised it;
    ``payload_error`` says why a recognised payload could not be parsed.
    """

    format: str
    symbology_identifier: str
    text: str
    raw: bytes
    corners: tuple[Point, ...]
    engine: str
    payload: Payload | None = None
    payload_error: str | None = None

    @property
    def is_gs1(self) -> bool:
        """True for symbols that carry GS1 element strings (FNC1 in first position)."""
        return self.symbology_identifier in GS1_SYMBOLOGY_IDENTIFIERS


GS1_SYMBOLOGY_IDENTIFIERS = frozenset({"]d2", "]C1", "]Q3", "]e0", "]J1"})


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything :func:`scanning.decode` learned from one photo.

    ``barcodes`` holds each distinct symbol once. ``hint`` is set only when
    nothing was found and a measurable cause stands out. ``attempts`` counts
    decoder passes (1 when the first pass succeeded); ``timed_out`` is true
    when the time budget stopped the retries before all were tried.
    """

    barcodes: tuple[Barcode, ...]
    width: int
    height: int
    attempts: int
    elapsed_ms: float
    timed_out: bool = False
    hint: Hint | None = None
    winning_pass: str | None = None

    @property
    def found(self) -> bool:
        """True when at least one symbol was decoded."""
        return bool(self.barcodes)
