"""What a GS1 logistics label still lacks, from the codes already read on it.

A carton label carries an SSCC (AI 00) in GS1-128, the product's GTIN with
lot and expiry in another GS1-128, and often the same product data in a GS1
DataMatrix. Receiving stock needs all of it, so when a scan has read part of
such a label, :func:`missing_formats` names the symbologies worth looking
for further (and :func:`scanning.decode` keeps looking, within its budget).
"""

from __future__ import annotations

from collections.abc import Iterable

from scanning.payloads import GS1Data


def missing_formats(
    found: Iterable[tuple[str, str, GS1Data | None]], *, matrix_located: bool = False
) -> tuple[str, ...]:
    """Formats still to look for, given ``(format, symbology identifier, GS1 payload)`` read.

    Empty when nothing read belongs to a logistics label (a QR, an EAN),
    or when the SSCC, a product GS1-128 and a GS1 DataMatrix are all there.
    A GS1 DataMatrix alone (a vial, or the DataMatrix of a carton label
    whose bars were missed) asks for Code 128 only. An SSCC and a product
    GS1-128 with lot and expiry are all that receiving needs, and many
    labels print no DataMatrix: it is looked for only when the first pass
    located one it could not decode (``matrix_located``), or when the
    product code lacks the lot or the expiry.
    """
    sscc = product_bars = matrix = False
    complete_product = False
    for fmt, identifier, payload in found:
        if payload is None:
            continue
        if payload.sscc:
            sscc = True
        if fmt == "Code128" and identifier == "]C1" and (payload.gtin or payload.contained_gtin):
            product_bars = True
            complete_product = complete_product or (payload.lot is not None and payload.expiry is not None)
        if fmt == "DataMatrix" and payload.gtin:
            matrix = True
    if not (sscc or product_bars or matrix):
        return ()
    wanted: list[str] = []
    if not (sscc and product_bars):
        wanted.append("Code128")
    complete = sscc and complete_product and not matrix_located
    if (sscc or product_bars) and not matrix and not complete:
        wanted.append("DataMatrix")
    return tuple(wanted)
