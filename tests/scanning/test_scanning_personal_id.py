"""The 12-digit personal identification number: its parts and its checks."""

from __future__ import annotations

import datetime as dt

import pytest

from scanning.payloads.personal_id import Sex, check_personal_id, read_personal_id


@pytest.mark.parametrize(
    ("digit", "sex", "century"),
    [
        ("0", Sex.MALE, 1900),
        ("1", Sex.FEMALE, 1900),
        ("2", Sex.MALE, 2000),
        ("3", Sex.FEMALE, 2000),
        ("4", Sex.MALE, 2100),
        ("5", Sex.FEMALE, 2100),
    ],
)
def test_century_and_sex_digit(digit: str, sex: Sex, century: int) -> None:
    facts = read_personal_id(f"079{digit}05123456")
    assert facts.sex is sex
    assert facts.birth_year == century + 5
    assert facts.province_code == "079"


@pytest.mark.parametrize("number", ["", "07920512345", "0792051234567", "07920512345x", "０７９２０５１２３４５６"])
def test_anything_but_12_ascii_digits_is_refused(number: str) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        read_personal_id(number)
    assert [d.field for d in check_personal_id(number)] == ["id_number"]


def test_consistent_number_has_no_discrepancy() -> None:
    assert check_personal_id("079205123456", birth_date=dt.date(2005, 3, 1), sex=Sex.MALE) == ()


def test_every_contradiction_is_listed() -> None:
    found = check_personal_id("999205123456", birth_date=dt.date(1995, 3, 1), sex=Sex.FEMALE)
    assert [d.field for d in found] == ["id_number", "birth_date", "sex"]


def test_without_birth_date_or_sex_only_the_province_is_checked() -> None:
    assert check_personal_id("079205123456") == ()
