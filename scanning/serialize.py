"""Plain JSON-ready dictionaries of scan results (for the CLI and the API)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
from typing import Any

from scanning.model import Barcode, ScanResult
from scanning.payloads.registry import Payload


def result_to_dict(result: ScanResult) -> dict[str, Any]:
    """``result`` as JSON-ready data: codes, raw bytes in base64, payloads, hint."""
    return {
        "width": result.width,
        "height": result.height,
        "codes": [barcode_to_dict(b) for b in result.barcodes],
        "hint": result.hint.value if result.hint else None,
        "hint_message": result.hint.message if result.hint else None,
        "attempts": result.attempts,
        "timed_out": result.timed_out,
        "elapsed_ms": round(result.elapsed_ms, 1),
    }


def barcode_to_dict(barcode: Barcode) -> dict[str, Any]:
    """One barcode as JSON-ready data."""
    return {
        "format": barcode.format,
        "symbology_identifier": barcode.symbology_identifier,
        "text": barcode.text,
        "raw_base64": base64.b64encode(barcode.raw).decode("ascii"),
        "corners": [[p.x, p.y] for p in barcode.corners],
        "engine": barcode.engine,
        "payload": payload_to_dict(barcode.payload) if barcode.payload else None,
        "payload_error": barcode.payload_error,
    }


def payload_to_dict(payload: Payload) -> dict[str, Any]:
    """A parsed payload as JSON-ready data, with its ``kind``."""
    data: dict[str, Any] = {"kind": payload.kind}
    for item in dataclasses.fields(payload):
        data[item.name] = _plain(getattr(payload, item.name))
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
