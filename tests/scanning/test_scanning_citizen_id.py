"""Citizen ID card QR payloads: by content, tolerant, and honest about what did not fit."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from scanning import CitizenIdCard, CitizenIdError, Sex, parse_citizen_id, parse_payload
from scanning.payloads.citizen_id import citizen_id_parser

STANDARD = "001090123456|012345678|Nguyễn Văn A|01011990|Nam|Phường Bến Nghé, TP. Hồ Chí Minh|15042021"


def test_standard_seven_fields() -> None:
    card = parse_citizen_id(STANDARD)
    assert card == CitizenIdCard(
        id_number="001090123456",
        old_id_number="012345678",
        full_name="Nguyễn Văn A",
        birth_date=dt.date(1990, 1, 1),
        sex=Sex.MALE,
        address="Phường Bến Nghé, TP. Hồ Chí Minh",
        issue_date=dt.date(2021, 4, 15),
    )
    assert card.consistent


def test_registry_recognises_the_card() -> None:
    assert isinstance(parse_payload(STANDARD, "]Q1"), CitizenIdCard)


def test_empty_old_id() -> None:
    card = parse_citizen_id("079303012345||Trần Thị Ánh Tuyết|05062003|Nữ|Quận 1, TP. Hồ Chí Minh|01022022")
    assert card.old_id_number is None
    assert card.full_name == "Trần Thị Ánh Tuyết"
    assert card.sex is Sex.FEMALE
    assert card.consistent, card.discrepancies


def test_old_id_field_left_out() -> None:
    card = parse_citizen_id("079303012345|Trần Thị Ánh|05062003|Nữ|Quận 1, TP. Hồ Chí Minh|01022022")
    assert card.old_id_number is None
    assert card.full_name == "Trần Thị Ánh"
    assert card.birth_date == dt.date(2003, 6, 5)
    assert card.issue_date == dt.date(2022, 2, 1)
    assert card.consistent


def test_extra_expiry_date() -> None:
    card = parse_citizen_id(STANDARD + "|01011990".replace("01011990", "01012030"))
    assert card.expiry_date == dt.date(2030, 1, 1)
    assert card.issue_date == dt.date(2021, 4, 15)
    assert card.consistent


def test_unknown_extra_fields_are_kept_and_reported() -> None:
    card = parse_citizen_id(STANDARD + "|ABC-123|")
    assert card.other_fields == ("ABC-123",)
    assert [d.field for d in card.discrepancies] == ["other_fields"]


def test_decomposed_unicode_is_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", STANDARD)
    assert decomposed != STANDARD
    assert parse_citizen_id(decomposed).full_name == "Nguyễn Văn A"


def test_spaces_around_fields_are_trimmed() -> None:
    card = parse_citizen_id(" 001090123456 | 012345678 | Nguyễn Văn A |01011990| Nam |Hà Nội|15042021\n")
    assert card.id_number == "001090123456"
    assert card.full_name == "Nguyễn Văn A"


def test_unaccented_nu_is_female() -> None:
    card = parse_citizen_id("001190123456||Le Thi B|01011990|Nu|Ha Noi|15042021")
    assert card.sex is Sex.FEMALE
    assert card.consistent


def test_birth_year_that_contradicts_the_id_number_is_reported() -> None:
    card = parse_citizen_id(STANDARD.replace("01011990", "01011991"))
    assert [d.field for d in card.discrepancies] == ["birth_date"]
    assert "1990" in card.discrepancies[0].message and "1991" in card.discrepancies[0].message


def test_sex_that_contradicts_the_id_number_is_reported() -> None:
    card = parse_citizen_id(STANDARD.replace("|Nam|", "|Nữ|"))
    assert [d.field for d in card.discrepancies] == ["sex"]


def test_century_digit_of_2000s() -> None:
    # digit 4 = 3: female born in the 2000s
    card = parse_citizen_id("001310123456||Đỗ Thị Hà|02022010|Nữ|Hà Nội|02022024")
    assert card.consistent
    wrong_century = parse_citizen_id("001110123456||Đỗ Thị Hà|02022010|Nữ|Hà Nội|02022024")
    assert [d.field for d in wrong_century.discrepancies] == ["birth_date"]


def test_unknown_province_code_is_reported() -> None:
    card = parse_citizen_id(STANDARD.replace("001090123456", "999090123456"))
    assert [d.field for d in card.discrepancies] == ["id_number"]


def test_impossible_date_is_reported_not_raised() -> None:
    card = parse_citizen_id(STANDARD.replace("01011990", "31021990"))
    assert card.birth_date is None
    fields = {d.field for d in card.discrepancies}
    assert fields == {"date", "birth_date"}


def test_issue_before_birth_is_reported() -> None:
    card = parse_citizen_id(STANDARD.replace("15042021", "15041980"))
    assert "issue_date" in {d.field for d in card.discrepancies}


def test_birth_in_the_future_is_reported() -> None:
    year = dt.date.today().year + 1
    text = f"001{0 if year < 2000 else 2}{year % 100:02d}123456||Bé Mới|0101{year}|Nam|Hà Nội|01012020"
    assert "birth_date" in {d.field for d in parse_citizen_id(text).discrepancies}


def test_missing_name_and_sex_are_reported() -> None:
    card = parse_citizen_id("001090123456|012345678|01011990|15042021")
    assert card.full_name is None and card.sex is None
    assert {"full_name", "sex"} <= {d.field for d in card.discrepancies}


def test_card_without_a_valid_id_number_is_an_error() -> None:
    with pytest.raises(CitizenIdError, match="12-digit") as caught:
        parse_citizen_id("00109012345|012345678|Nguyễn Văn A|01011990|Nam|Hà Nội|15042021")
    assert caught.value.field == "id_number"
    assert caught.value.http_status == 422


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "a|b|c",
        "001090123456",  # an ID number alone is not a card payload
        "NIIS-S1|ABC123|Nguyễn Văn A|2020-01-01",
        "",
    ],
)
def test_texts_that_are_not_cards_are_left_alone(text: str) -> None:
    assert citizen_id_parser(text, "]Q1") is None
    with pytest.raises(CitizenIdError):
        parse_citizen_id(text)


def test_fields_in_another_order_are_found_by_content() -> None:
    card = parse_citizen_id("Nguyễn Văn A|001090123456|Nam|01011990|Hà Nội, Việt Nam|15042021")
    assert card.id_number == "001090123456"
    assert card.full_name == "Nguyễn Văn A"
    assert card.address == "Hà Nội, Việt Nam"
    assert card.issue_date == dt.date(2021, 4, 15)


def test_lone_date_after_the_sex_field_is_the_issue_date() -> None:
    card = parse_citizen_id("001090123456||Nguyễn Văn A|Nam|Hà Nội|15042021")
    assert card.birth_date is None
    assert card.issue_date == dt.date(2021, 4, 15)
    assert "birth_date" in {d.field for d in card.discrepancies}


def test_dates_beyond_birth_issue_and_expiry_are_kept_and_reported() -> None:
    card = parse_citizen_id("001090123456||Nguyễn Văn A|01011990|02021990|Nam|Hà Nội|15042021|15042031|01012040")
    assert card.birth_date == dt.date(1990, 1, 1)
    assert (card.issue_date, card.expiry_date) == (dt.date(2021, 4, 15), dt.date(2031, 4, 15))
    assert set(card.other_fields) == {"02021990", "01012040"}
    assert "other_fields" in {d.field for d in card.discrepancies}
