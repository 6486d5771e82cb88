"""Server-side barcode scanning: image bytes → barcodes → parsed payloads.

Pure Python on zxing-cpp (first engine), zbar via pyzbar (second engine,
optional) and Pillow; imports nothing from the rest of niis.

    >>> import io
    >>> import scanning
    >>> from scanning.testing import render
    >>> photo = io.BytesIO()
    >>> render.qr_utf8("Nguyễn Văn An", module=6).save(photo, "PNG")
    >>> result = scanning.decode(photo.getvalue(), time_budget=2.0)
    >>> [(barcode.format, barcode.text) for barcode in result.barcodes]
    [('QRCode', 'Nguyễn Văn An')]

A payload parses on its own too, e.g. the GS1 data on a vaccine box:

    >>> box = scanning.parse_gs1("(01)08936000000011(17)271231(10)LOT42")
    >>> box.gtin, box.lot, box.expiry
    ('08936000000011', 'LOT42', datetime.date(2027, 12, 31))
"""

from scanning.errors import (
    CitizenIdError,
    CorruptImageError,
    GS1Error,
    ImageError,
    ImageTooLargeError,
    NotAnImageError,
    PayloadError,
    ScanError,
)
from scanning.imaging import DEFAULT_MAX_PIXELS
from scanning.model import Barcode, Hint, Point, ScanResult
from scanning.payloads import (
    CitizenIdCard,
    Discrepancy,
    ElementString,
    GS1Data,
    Parser,
    ParserRegistry,
    Payload,
    Sex,
    default_registry,
    parse_citizen_id,
    parse_gs1,
    parse_payload,
    register_parser,
)
from scanning.pipeline import DEFAULT_TIME_BUDGET, decode
from scanning.serialize import barcode_to_dict, payload_to_dict, result_to_dict

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_TIME_BUDGET",
    "Barcode",
    "CitizenIdCard",
    "CitizenIdError",
    "CorruptImageError",
    "Discrepancy",
    "ElementString",
    "GS1Data",
    "GS1Error",
    "Hint",
    "ImageError",
    "ImageTooLargeError",
    "NotAnImageError",
    "Parser",
    "ParserRegistry",
    "Payload",
    "PayloadError",
    "Point",
    "ScanError",
    "ScanResult",
    "Sex",
    "barcode_to_dict",
    "decode",
    "default_registry",
    "parse_citizen_id",
    "parse_gs1",
    "parse_payload",
    "payload_to_dict",
    "register_parser",
    "result_to_dict",
]
