"""Phone numbers: Vietnamese numbering by default, stored in E.164."""

from __future__ import annotations

import phonenumbers

from api.errors import Invalid


def normalize_phone(phone: str, *, field: str = "phone") -> str:
    """``0912 345 678`` → ``+84912345678``, or a 422 naming ``field``."""
    try:
        parsed = phonenumbers.parse(phone, "VN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise Invalid(f"{phone!r} is not a valid phone number (e.g. 0912 345 678)", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
