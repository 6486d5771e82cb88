"""Checks on what a person types about a subject; each failure names the field."""

from __future__ import annotations

from datetime import date, timedelta

from api.errors import Invalid
from scanning.payloads.personal_id import Sex, check_personal_id

OLDEST_BIRTH_YEAR = 1900
SEXES = {"F": Sex.FEMALE, "M": Sex.MALE}


def check_birth_date(birth_date: date, today: date, *, field: str = "birth_date") -> None:
    if birth_date > today:
        raise Invalid("The birth date is in the future", field=field)
    if birth_date.year < OLDEST_BIRTH_YEAR:
        raise Invalid(f"The birth date is before {OLDEST_BIRTH_YEAR}: check the year", field=field)


def check_personal_id_number(number: str, *, birth_date: date | None, sex: str | None, field: str) -> str:
    """A 12-digit personal ID number consistent with the birth date and sex."""
    number = number.strip().replace(" ", "")
    problems = check_personal_id(number, birth_date=birth_date, sex=SEXES.get(sex or ""))
    if problems:
        raise Invalid(
            " ".join(p.message for p in problems),
            details={"field": field, "problems": [{"field": p.field, "message": p.message} for p in problems]},
        )
    return number


def check_expected_delivery(expected: date, today: date) -> None:
    if not today - timedelta(days=60) <= expected <= today + timedelta(days=300):
        raise Invalid("The expected delivery date must be within the next 10 months", field="expected_delivery")
