"""GS1 element strings and Digital Link URIs on vaccine packaging, via biip.

Accepted forms of the same data:

* the symbol's content with its symbology identifier (``]d2``, ``]C1``,
  ``]Q3``, ``]e0``), variable-length fields ended by ASCII 29 (GS);
* the same text with the identifier given separately (as :func:`scanning.decode`
  reports it);
* the bracketed human-readable form ``(01)09506000134352(17)261100(10)A1B2``;
* a GS1 Digital Link URI ``https://id.example.org/01/09506000134352/10/A1B2?17=261100``;
* an EAN-13/EAN-8/UPC symbol (``]E0``, ``]E4``), read as a GTIN alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from biip import ParseError as BiipParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin

from scanning.errors import GS1Error
from scanning.payloads.registry import Payload

GS = "\x1d"
GS1_IDENTIFIERS = ("]d2", "]C1", "]Q3", "]e0", "]J1")
RETAIL_IDENTIFIERS = ("]E0", "]E1", "]E2", "]E3", "]E4")

_HRI = re.compile(r"\((\d{2,4})\)([^()]*)")
_HRI_START = re.compile(r"^\(\d{2,4}\)")
_LINK_KEY = re.compile(r"/(00|01|253|255|414|417|8003|8004|8006|8010|8013|8017|8018)/")


@dataclass(frozen=True, slots=True)
class ElementString:
    """One application identifier and its value, as printed."""

    ai: str
    value: str
    title: str


@dataclass(frozen=True, slots=True)
class GS1Data(Payload):
    """The fields of a GS1 barcode that matter for the stock ledger.

    Dates are calendar dates; an expiry printed with day ``00`` is the last
    day of that month. ``element_strings`` keeps every AI, including those
    without a field here.
    """

    kind = "gs1"

    element_strings: tuple[ElementString, ...]
    gtin: str | None = None
    contained_gtin: str | None = None
    sscc: str | None = None
    lot: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    production_date: dt.date | None = None
    count: int | None = None
    contained_count: int | None = None
    digital_link: str | None = None

    @property
    def hri(self) -> str:
        """The bracketed human-readable form, e.g. ``(01)09506000134352(10)A1B2``."""
        return "".join(f"({e.ai}){e.value}" for e in self.element_strings)

    def value(self, ai: str) -> str | None:
        """The value of application identifier ``ai``, if present."""
        for element in self.element_strings:
            if element.ai == ai:
                return element.value
        return None


def parse_gs1(text: str, symbology_identifier: str = "") -> GS1Data:
    """Parse GS1 data in any of the accepted forms; raises :class:`GS1Error`."""
    payload = gs1_parser(text, symbology_identifier)
    if payload is None:
        raise GS1Error("The text is not GS1 data: no application identifiers were found.")
    return payload


def gs1_parser(text: str, symbology_identifier: str) -> GS1Data | None:
    """The registry parser: claims GS1 data, leaves everything else alone."""
    identifier, body = _split_identifier(text, symbology_identifier)
    if identifier in RETAIL_IDENTIFIERS:
        return _retail(body)
    if identifier in GS1_IDENTIFIERS:
        return _element_strings(body)
    if _HRI_START.match(body):
        return _bracketed(body)
    if body.startswith(("http://", "https://")):
        return _digital_link(body) if _LINK_KEY.search(body) else None
    if GS in body and body[:2].isdigit():
        return _element_strings(body)
    return None


def _split_identifier(text: str, symbology_identifier: str) -> tuple[str, str]:
    if len(text) >= 3 and text[0] == "]" and text[1:3] in {i[1:] for i in GS1_IDENTIFIERS}:
        return text[:3], text[3:]
    return symbology_identifier, text


def _element_strings(body: str) -> GS1Data:
    if not body.strip(GS):
        raise GS1Error("The GS1 symbol is empty.")
    if _HRI_START.match(body):
        # Some label printers encode the human-readable form in the symbol.
        return _bracketed(body)
    try:
        message = GS1Message.parse(body)
    except BiipParseError as exc:
        raise GS1Error(f"Malformed GS1 element string: {exc}") from exc
    return _from_elements(message.element_strings, digital_link=None)


def _bracketed(body: str) -> GS1Data:
    position = 0
    for match in _HRI.finditer(body):
        if match.start() != position:
            raise GS1Error(f"Unexpected text {body[position : match.start()]!r} in {body!r}.")
        if not match.group(2):
            raise GS1Error(f"AI ({match.group(1)}) has no value.", field=match.group(1))
        if any(c.isspace() for c in match.group(2)):
            # GS1's character sets have no space: it is a typing or OCR slip.
            raise GS1Error(f"AI ({match.group(1)}) contains a space.", field=match.group(1))
        position = match.end()
    if position != len(body):
        raise GS1Error(f"Unbalanced brackets or stray text at {body[position:]!r}.")
    try:
        message = GS1Message.parse_hri(body)
    except BiipParseError as exc:
        raise GS1Error(f"Malformed GS1 data: {exc}") from exc
    return _from_elements(message.element_strings, digital_link=None)


def _digital_link(url: str) -> GS1Data:
    try:
        link = GS1DigitalLinkURI.parse(url)
    except BiipParseError as exc:
        raise GS1Error(f"Malformed GS1 Digital Link URI: {exc}") from exc
    return _from_elements(link.element_strings, digital_link=url)


def _retail(body: str) -> GS1Data:
    try:
        gtin = Gtin.parse(body)
    except BiipParseError as exc:
        raise GS1Error(f"Malformed GTIN {body!r}: {exc}", field="01") from exc
    value = gtin.as_gtin_14()
    element = ElementString("01", value, "GTIN")
    return GS1Data(element_strings=(element,), gtin=value)


def _from_elements(elements: list[GS1ElementString], *, digital_link: str | None) -> GS1Data:
    if not elements:
        raise GS1Error("No GS1 application identifiers were found.")
    seen: dict[str, str] = {}
    for element in elements:
        ai = element.ai.ai
        if ai in seen and seen[ai] != element.value:
            raise GS1Error(
                f"AI ({ai}) appears twice with different values: {seen[ai]!r} and {element.value!r}.",
                field=ai,
            )
        seen[ai] = element.value
        if element.gtin_error:
            raise GS1Error(element.gtin_error, field=ai)
        if element.sscc_error:
            raise GS1Error(element.sscc_error, field=ai)
    dates = {e.ai.ai: e.date for e in elements if e.date is not None}
    return GS1Data(
        element_strings=tuple(ElementString(e.ai.ai, e.value, e.ai.data_title) for e in elements),
        gtin=seen.get("01"),
        contained_gtin=seen.get("02"),
        sscc=seen.get("00"),
        lot=seen.get("10"),
        serial=seen.get("21"),
        expiry=dates.get("17"),
        production_date=dates.get("11"),
        count=_count(seen.get("30")),
        contained_count=_count(seen.get("37")),
        digital_link=digital_link,
    )


def _count(value: str | None) -> int | None:
    return int(value) if value is not None else None
