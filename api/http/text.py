"""The text rule: what characters a text value of a request may hold.

Control characters (NUL, ESC sequences, CR/LF in a name) and the bidirectional
embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) are refused
in every string a request carries. They are invisible or rewrite what is shown around
them (a name that displays reversed, a log line that forges another), and PostgreSQL
cannot store NUL at all. Tab and line breaks are allowed only in the fields declared
multi-line below.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Fields (by name, wherever they appear in a body) that are free text over several
# lines. None today: every text field is one line (names, codes, house and street in
# ``address_detail``). A free-text note, when it comes, is added here.
MULTILINE_FIELDS: frozenset[str] = frozenset()

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, bidi controls.
_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}]")
_REFUSED_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}]")

# What a JSON body must contain for one of its strings to hold a refused character:
# an escape (``\n``, ``\u001b``, ``\u202e``), or the raw UTF-8 of DEL, a C1 control or a
# bidi control (raw C0 bytes inside a string are invalid JSON). A body without any of
# these is not decoded twice; the byte tests first, as a regular expression is slower.
_SUSPECT_ESCAPE = re.compile(rb"\\(?:[bfnrt]|u(?:00[0189][0-9a-f]|007f|20(?:2[89a-e]|6[6-9])))", re.IGNORECASE)
_SUSPECT_RAW = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")
_RAW_LEADS = (b"\x7f", b"\xc2", b"\xe2\x80", b"\xe2\x81")


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of ``value`` the text rule refuses, or None."""
    found = (_REFUSED_MULTILINE if multiline else _REFUSED).search(value)
    return found.group() if found else None


def describe(character: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: how an error message names a character."""
    name = unicodedata.name(character, "control character")
    return f"U+{ord(character):04X} ({name})"


def json_may_hold_refused(body: bytes) -> bool:
    if b"\\" in body and _SUSPECT_ESCAPE.search(body):
        return True
    return any(lead in body for lead in _RAW_LEADS) and _SUSPECT_RAW.search(body) is not None


def first_refused(value: Any, path: str = "", *, multiline: bool = False) -> tuple[str, str] | None:
    """(path, character) of the first refused character in a decoded JSON value (keys
    included), or None; paths read like validation errors: ``guardians[0].full_name``."""
    if isinstance(value, str):
        character = refused_character(value, multiline=multiline)
        return (path, character) if character else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            found = first_refused(str(key), inner) or first_refused(item, inner, multiline=key in MULTILINE_FIELDS)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_refused(item, f"{path}[{index}]", multiline=multiline)
            if found:
                return found
    return None
