"""Password hashing with argon2id, and the rule for a new password."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs

MIN_LENGTH = 10
# zxcvbn's scale: 3 is "safely unguessable" (about 10^8 guesses and more). Lower scores
# are common passwords, keyboard walks, dates and words with a digit appended.
MIN_STRENGTH = 3
# Words an attacker of this system would try first, besides the account's own names.
_SYSTEM_WORDS = ("niis", "tiemchung", "tiem chung", "matkhau", "mat khau", "vietnam")


RULES = (
    f"A password needs at least {MIN_LENGTH} characters, must not contain the user name, and must not "
    "be easy to guess: common passwords, keyboard walks, dates, words with digits appended, the "
    "person's own names and this system's words (niis, tiemchung, matkhau) are refused. "
    "A few uncommon words together pass."
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _without_marks(name: str) -> str:
    """``Nguyễn Văn An`` -> ``nguyenvanan``: how a name is typed into a password."""
    decomposed = unicodedata.normalize("NFD", name.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and not c.isspace())


def weakness(password: str, *, username: str = "", full_name: str = "") -> str | None:
    """Why a new password is refused, in plain words, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters"
    if username and username.lower() in password.lower():
        return "The password must not contain the user name"
    if len(set(password)) < 4:
        return "The password is too repetitive"
    names = [name for name in (username, full_name, _without_marks(full_name)) if name]
    estimate = zxcvbn(password, user_inputs=[*names, *_SYSTEM_WORDS])
    if estimate["score"] < MIN_STRENGTH:
        feedback = estimate["feedback"]
        why = feedback["warning"] or "It would be found quickly by guessing common passwords and patterns."
        hint = feedback["suggestions"][0] if feedback["suggestions"] else "Use a few uncommon words."
        return f"This password is too easy to guess. {why} {hint}"
    return None
