"""The lifelong immunization code: 8 random characters of Crockford's base 32 and a
check character (ISO 7064 MOD 37-2), shown as ``7KM2-9QXH-Q``.

The alphabet has no I, L, O or U, so nothing on a card reads two ways; the check
character catches every single wrong character and every swap of two neighbours.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32
CHECK_ALPHABET = ALPHABET + "*~$=U"  # ISO 7064 MOD 37-2 needs 37 symbols
RANDOM_LENGTH = 8
# What people type for what they mean: Crockford's decoding rules.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})


class CodeError(ValueError):
    """The text is not a valid lifelong code (wrong length, character or check)."""


def _check_character(body: str) -> str:
    modulus, radix = 37, 2
    total = 0
    for char in body:
        total = ((total + ALPHABET.index(char)) * radix) % modulus
    return CHECK_ALPHABET[(modulus + 1 - total) % modulus]


def new_code() -> str:
    """A fresh random code (9 characters, no separators)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + _check_character(body)


def normalize(text: str) -> str:
    """The code as stored: upper case, separators removed, look-alikes read as meant.
    Raises :class:`CodeError` when it cannot be a valid code."""
    code = text.strip().upper().translate(_READ_AS)
    if len(code) != RANDOM_LENGTH + 1:
        raise CodeError(f"A code has {RANDOM_LENGTH + 1} characters (like 7KM2-9QXH-Q), not {len(code)}")
    body, check = code[:-1], code[-1]
    bad = [c for c in body if c not in ALPHABET]
    if bad or check not in CHECK_ALPHABET:
        raise CodeError(f"A code cannot contain {''.join(bad) or check!r}")
    if _check_character(body) != check:
        raise CodeError("This code is mistyped: its last character does not match")
    return code


def looks_like_code(text: str) -> bool:
    try:
        normalize(text)
    except CodeError:
        return False
    return True


def display(code: str) -> str:
    """``7KM29QXHQ`` → ``7KM2-9QXH-Q`` for cards and screens."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
