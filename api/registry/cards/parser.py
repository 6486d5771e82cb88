"""The subject card's QR code, as the scanner reads it: ``NIIS1|<code>|<signature>``.

Pure parsing, no secrets and no database, so the decode worker processes can run it:
the signature is checked by :mod:`api.registry.cards.services` when the scan is resolved.
:func:`register` adds it to :mod:`scanning`'s default registry; the decode workers call
it when they start (``api.scan.pool``), so the app process's registry stays as built.

* ``NIIS1`` — the format and its version;
* ``<code>`` — the lifelong code as stored (9 characters, no separators);
* ``<signature>`` — 10 characters of base 32 (RFC 4648 alphabet, no padding).

A text starting with ``NIIS1|`` is claimed; if its shape is wrong (field count,
lengths, alphabet) it is reported as malformed. A code whose check character is wrong
still parses (``check_ok`` false), so the scan says *why* the card is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import scanning
from api.registry.identity import codes

PREFIX = "NIIS1"
KIND = "subject_card"
SIGNATURE_LENGTH = 10
_CODE = re.compile(r"^[0-9A-Z*~$=]{9}$")
_SIGNATURE = re.compile(rf"^[A-Z2-7]{{{SIGNATURE_LENGTH}}}$")


@dataclass(frozen=True, slots=True)
class SubjectCard(scanning.Payload):
    """What a subject card's QR code carries; not yet verified."""

    kind = KIND

    code: str
    signature: str
    check_ok: bool


def _malformed(message: str, field: str) -> scanning.PayloadError:
    return scanning.PayloadError(message, kind=KIND, field=field)


def subject_card_parser(text: str, symbology_identifier: str) -> SubjectCard | None:
    """The registry parser: claims texts starting with ``NIIS1|``."""
    content = text.strip()
    if not content.startswith(PREFIX + "|"):
        return None
    fields = content.split("|")
    if len(fields) != 3:
        raise _malformed(f"A subject card carries 3 fields ({PREFIX}|code|signature), not {len(fields)}", "format")
    code = fields[1].strip().upper().replace("-", "")
    signature = fields[2].strip()
    if not _CODE.match(code):
        raise _malformed("The card's code is not 9 characters of the code alphabet", "code")
    if not _SIGNATURE.match(signature):
        raise _malformed(f"The card's signature is not {SIGNATURE_LENGTH} base-32 characters", "signature")
    return SubjectCard(code=code, signature=signature, check_ok=codes.looks_like_code(code))


def parse_card(text: str) -> SubjectCard:
    """``text`` as a subject card; raises :class:`scanning.PayloadError` otherwise."""
    card = subject_card_parser(text, "")
    if card is None:
        raise _malformed(f"This is not a subject card QR code (it starts with {PREFIX}|)", "format")
    return card


def register() -> None:
    """Plug the parser into :func:`scanning.decode`'s default registry (again: no change).
    First, before the built-in parsers: the ID card parser looks at any text with '|'."""
    scanning.register_parser(KIND, subject_card_parser, first=True)
