"""The 12-digit personal identification number (số định danh cá nhân).

Layout ``PPP G YY NNNNNN``: province code of birth registration, one digit
for century and sex (0/1 male/female born in the 1900s, 2/3 in the 2000s,
4/5 in the 2100s …), the last two digits of the birth year, six random
digits. There is no check digit, so the only checks are against the
province list, the birth date and the sex.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class Sex(enum.Enum):
    """Sex as printed on the card (Nam / Nữ)."""

    MALE = "male"
    FEMALE = "female"


_PROVINCE_TABLE = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 "
    "033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 "
    "064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 "
    "094 095 096"
)
PROVINCE_CODES: frozenset[str] = frozenset(_PROVINCE_TABLE.split())
"""Codes of the 63 provinces in force when the numbers were introduced (2016).
They stay valid for numbers already issued after the 2025 merger of provinces."""


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """Something in a payload that did not fit, for a person to check."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class PersonalId:
    """What a personal identification number says about its holder."""

    number: str
    province_code: str
    sex: Sex
    birth_year: int


def read_personal_id(number: str) -> PersonalId:
    """Split a 12-digit number into its parts; ``ValueError`` if it is not 12 digits."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise ValueError(f"A personal ID number has 12 digits, got {number!r}.")
    century_sex = int(number[3])
    return PersonalId(
        number=number,
        province_code=number[:3],
        sex=Sex.FEMALE if century_sex % 2 else Sex.MALE,
        birth_year=1900 + 100 * (century_sex // 2) + int(number[4:6]),
    )


def check_personal_id(
    number: str, *, birth_date: dt.date | None = None, sex: Sex | None = None
) -> tuple[Discrepancy, ...]:
    """What in ``number`` contradicts the province list, ``birth_date`` or ``sex``."""
    try:
        facts = read_personal_id(number)
    except ValueError as exc:
        return (Discrepancy("id_number", str(exc)),)
    found: list[Discrepancy] = []
    if facts.province_code not in PROVINCE_CODES:
        found.append(
            Discrepancy(
                "id_number",
                f"{facts.province_code} is not a province code (digits 1-3 of the ID number).",
            )
        )
    if birth_date is not None and birth_date.year != facts.birth_year:
        found.append(
            Discrepancy(
                "birth_date",
                f"The ID number says born in {facts.birth_year} (digits 4-6 "
                f"{number[3:6]}), the card says {birth_date.year}.",
            )
        )
    if sex is not None and sex is not facts.sex:
        found.append(
            Discrepancy(
                "sex",
                f"The ID number says {facts.sex.value} (digit 4 is {number[3]}), the card says {sex.value}.",
            )
        )
    return tuple(found)
