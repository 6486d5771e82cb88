"""Typed errors of the scanning library.

Each image error carries the HTTP status an API should answer with, so that
`POST /api/scan` can map them without knowing the library's internals.
"""

from __future__ import annotations


class ScanError(Exception):
    """Base class of every error raised by :mod:`scanning`."""

    code: str = "scan_error"
    http_status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ImageError(ScanError):
    """The uploaded bytes cannot be used as a photo."""


class NotAnImageError(ImageError):
    """The bytes are not in any image format Pillow knows (→ 415)."""

    code = "not_an_image"
    http_status = 415


class CorruptImageError(ImageError):
    """The bytes start like an image but cannot be decoded (→ 422)."""

    code = "corrupt_image"
    http_status = 422


class ImageTooLargeError(ImageError):
    """The image has more pixels than allowed, e.g. a decompression bomb (→ 413)."""

    code = "image_too_large"
    http_status = 413

    def __init__(self, message: str, *, pixels: int, max_pixels: int) -> None:
        super().__init__(message)
        self.pixels = pixels
        self.max_pixels = max_pixels


class PayloadError(ScanError, ValueError):
    """A barcode's text was recognised as a payload kind but is malformed (→ 422).

    ``kind`` names the payload kind (``"gs1"``, ``"citizen_id"``, ...), and
    ``field`` the part of the payload that is wrong when it can be pinned down.
    """

    code = "malformed_payload"
    http_status = 422

    def __init__(self, message: str, *, kind: str, field: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.field = field


class GS1Error(PayloadError):
    """A GS1 element string or Digital Link URI is malformed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, kind="gs1", field=field)


class CitizenIdError(PayloadError):
    """A citizen ID card QR payload cannot be used at all (e.g. no ID number)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message, kind="citizen_id", field=field)
