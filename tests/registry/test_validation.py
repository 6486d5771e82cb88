"""What a person types about a subject, at the boundaries, with literal dates: birth
dates (today is fine, tomorrow is not), personal ID numbers, expected deliveries and
phone numbers (a valid Vietnamese number, not merely one of the right length)."""

from __future__ import annotations

from datetime import date

import pytest

from api.errors import Invalid
from api.phones import normalize_phone
from api.registry.subjects.validation import check_birth_date, check_expected_delivery, check_personal_id_number

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("born", [date(2026, 12, 1), date(2026, 11, 30), date(1900, 1, 1)])
def test_birth_dates_accepted(born: date) -> None:
    check_birth_date(born, TODAY)


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (date(2026, 12, 2), "The birth date is in the future"),
        (date(2027, 1, 1), "The birth date is in the future"),
        (date(1899, 12, 31), "The birth date is before 1900: check the year"),
    ],
)
def test_birth_dates_refused_naming_the_field(born: date, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_birth_date(born, TODAY, field="guardians[0].birth_date")
    assert (refused.value.message, refused.value.details) == (message, {"field": "guardians[0].birth_date"})
    with pytest.raises(Invalid) as default:
        check_birth_date(born, TODAY)
    assert default.value.details == {"field": "birth_date"}


@pytest.mark.parametrize(
    "expected",
    [date(2026, 10, 2), date(2026, 12, 1), date(2027, 9, 27)],  # today - 60 days ... today + 300 days
)
def test_expected_deliveries_accepted(expected: date) -> None:
    check_expected_delivery(expected, TODAY)


@pytest.mark.parametrize("expected", [date(2026, 10, 1), date(2027, 9, 28)])
def test_expected_deliveries_refused(expected: date) -> None:
    with pytest.raises(Invalid) as refused:
        check_expected_delivery(expected, TODAY)
    assert refused.value.details == {"field": "expected_delivery"}
    assert refused.value.message == "The expected delivery date must be within the next 10 months"


def test_a_personal_id_number_consistent_with_birth_and_sex() -> None:
    # 001 Hà Nội, 1 = a woman born in the 20th century, 98 = 1998.
    born = date(1998, 5, 20)
    assert check_personal_id_number(" 001 198 000456 ", birth_date=born, sex="F", field="personal_id") == (
        "001198000456"
    )
    assert check_personal_id_number("001198000456", birth_date=None, sex=None, field="personal_id") == "001198000456"
    with pytest.raises(Invalid) as wrong_sex:
        check_personal_id_number("001198000456", birth_date=born, sex="M", field="guardians[1].personal_id")
    details = wrong_sex.value.details
    assert details["field"] == "guardians[1].personal_id" and details["problems"]
    assert wrong_sex.value.message == " ".join(p["message"] for p in details["problems"])
    with pytest.raises(Invalid) as both_wrong:
        check_personal_id_number("001198000456", birth_date=date(1999, 5, 20), sex="M", field="personal_id")
    assert both_wrong.value.details == {
        "field": "personal_id",
        "problems": [
            {"field": "birth_date", "message": "The ID number says born in 1998 (digits 4-6 198), the card says 1999."},
            {"field": "sex", "message": "The ID number says female (digit 4 is 1), the card says male."},
        ],
    }
    assert both_wrong.value.message == (
        "The ID number says born in 1998 (digits 4-6 198), the card says 1999. "
        "The ID number says female (digit 4 is 1), the card says male."
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0912 345 678", "+84912345678"), ("+84 912 345 678", "+84912345678"), ("024 3825 2222", "+842438252222")],
)
def test_valid_phone_numbers_are_stored_in_e164(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "0612 345 678",  # the right length for a mobile number, but no 06x network exists
        "0712 345 678",
        "0912 345 67",
        "not a phone",
    ],
)
def test_invalid_phone_numbers_are_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        normalize_phone(typed, field="guardians[0].phone")
    assert refused.value.details == {"field": "guardians[0].phone"}
    assert typed in refused.value.message
