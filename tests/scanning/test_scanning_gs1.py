"""GS1 element strings, bracketed text, Digital Link URIs: fields and every kind of malformed input."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from scanning import GS1Data, GS1Error, PayloadError, parse_gs1
from scanning.payloads.gs1 import gs1_parser

GS = "\x1d"
VIAL = f"010950600013435210A1B2{GS}1726110021X9"


def test_vial_element_string_gives_every_field() -> None:
    data = parse_gs1(VIAL, "]d2")
    assert data.gtin == "09506000134352"
    assert data.lot == "A1B2"
    assert data.expiry == dt.date(2026, 11, 30)
    assert data.serial == "X9"
    assert data.hri == "(01)09506000134352(10)A1B2(17)261100(21)X9"
    assert data.value("10") == "A1B2"
    assert data.value("30") is None


@pytest.mark.parametrize("identifier", ["]d2", "]C1", "]Q3", "]e0"])
def test_symbology_identifier_inside_the_text_is_understood(identifier: str) -> None:
    assert parse_gs1(identifier + VIAL).lot == "A1B2"


def test_gs_separated_text_without_identifier_is_gs1() -> None:
    assert parse_gs1(VIAL).serial == "X9"


def test_bracketed_human_readable_form() -> None:
    data = parse_gs1("(01)09506000134352(17)261100(10)A1B2")
    assert (data.gtin, data.lot, data.expiry) == ("09506000134352", "A1B2", dt.date(2026, 11, 30))


def test_bracketed_form_encoded_in_a_symbol() -> None:
    assert parse_gs1("(00)095060001343520017", "]C1").sscc == "095060001343520017"


@pytest.mark.parametrize(
    ("expiry", "date"),
    [
        ("261100", dt.date(2026, 11, 30)),
        ("280200", dt.date(2028, 2, 29)),  # leap year
        ("270200", dt.date(2027, 2, 28)),
        ("261231", dt.date(2026, 12, 31)),
    ],
)
def test_expiry_day_00_is_the_last_day_of_the_month(expiry: str, date: dt.date) -> None:
    assert parse_gs1(f"(01)09506000134352(17){expiry}").expiry == date


def test_production_date_and_counts() -> None:
    data = parse_gs1(f"020950600013435237120{GS}305{GS}11250300", "]C1")
    assert data.contained_gtin == "09506000134352"
    assert data.contained_count == 120
    assert data.count == 5
    assert data.production_date == dt.date(2025, 3, 31)


def test_sscc_with_valid_check_digit() -> None:
    data = parse_gs1("00095060001343520017", "]C1")
    assert data.sscc == "095060001343520017"


def test_digital_link_uri() -> None:
    url = "https://id.example.vn/01/09506000134352/10/A1B2/21/X9?17=261100"
    data = parse_gs1(url, "]Q1")
    assert (data.gtin, data.lot, data.serial) == ("09506000134352", "A1B2", "X9")
    assert data.expiry == dt.date(2026, 11, 30)
    assert data.digital_link == url


def test_ean13_symbol_is_a_gtin() -> None:
    data = parse_gs1("4006381333931", "]E0")
    assert data.gtin == "04006381333931"


def test_result_is_immutable() -> None:
    data = parse_gs1(VIAL, "]d2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.lot = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "identifier", "field"),
    [
        ("0109506000134353", "]d2", "01"),  # GTIN check digit 3 instead of 2
        ("(01)09506000134353", "", "01"),
        ("00095060001343520011", "]C1", "00"),  # SSCC check digit
        ("https://id.example.vn/01/09506000134353", "", None),
        ("4006381333932", "]E0", "01"),
    ],
)
def test_wrong_check_digit_is_an_error(text: str, identifier: str, field: str | None) -> None:
    with pytest.raises(GS1Error, match="check digit") as caught:
        parse_gs1(text, identifier)
    if field:
        assert caught.value.field == field


@pytest.mark.parametrize(
    "text",
    [
        "0109506000134352171313",  # month 13 (and truncated)
        "011095060001343521726023",  # truncated date
        "(01)09506000134352(17)261340",  # day 40
        "(01)09506000134352(17)260230",  # 30 February
        "(17)261300",  # month 13
        "(11)250000",  # month 00
    ],
)
def test_bad_dates_are_errors(text: str) -> None:
    with pytest.raises(GS1Error):
        parse_gs1(text, "]d2")


@pytest.mark.parametrize(
    "text",
    [
        "010950600013435",  # GTIN cut short
        "0109506000134352172611",  # expiry cut short
        "00" + "0950600013435200",  # SSCC cut short
        "10" + "A" * 21,  # lot longer than 20: a missing separator swallowed the next field
        f"01095060001343521726110010A1B2{GS}2",  # dangling AI digit
        "9",
        "23ABC",  # no such AI
    ],
)
def test_truncated_or_overlong_fields_are_errors(text: str) -> None:
    with pytest.raises(GS1Error):
        parse_gs1(text, "]d2")


@pytest.mark.parametrize(
    "text",
    [
        "(01)09506000134352(10)",  # AI without value
        "(01)09506000134352(10",  # unbalanced
        "(01)09506000134352)10(A1",  # stray bracket
        "(01)09506000134352 (10)A1",  # stray text between fields
        "(01)",
    ],
)
def test_malformed_bracketed_text_is_an_error(text: str) -> None:
    with pytest.raises(GS1Error):
        parse_gs1(text)


def test_empty_symbol_is_an_error() -> None:
    with pytest.raises(GS1Error, match="empty"):
        parse_gs1("]d2")
    with pytest.raises(GS1Error):
        parse_gs1(GS, "]C1")


def test_same_ai_twice_with_different_values_is_an_error() -> None:
    with pytest.raises(GS1Error, match="twice") as caught:
        parse_gs1("(10)A1(10)B2")
    assert caught.value.field == "10"


def test_missing_separator_inside_the_lot_limit_cannot_be_detected() -> None:
    # GS1's own rule: a variable field runs to GS or to its maximum length, so a
    # forgotten GS before a short field is read as part of the lot. The lot
    # shows it; a human compares it with the printed text.
    assert parse_gs1("10ABC17261100", "]d2").lot == "ABC17261100"


def test_gs1_error_is_a_payload_error_with_status_422() -> None:
    with pytest.raises(PayloadError) as caught:
        parse_gs1("0109506000134353", "]d2")
    assert caught.value.kind == "gs1"
    assert caught.value.http_status == 422


@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("hello", ""),
        ("001090123456|012345678|Nguyễn Văn A|01011990|Nam|Hà Nội|15042021", "]Q1"),
        ("https://example.com/page", "]Q1"),
        ("0109506000134352", ""),  # digits alone could be anything
        ("", ""),
    ],
)
def test_texts_that_are_not_gs1_are_left_alone(text: str, identifier: str) -> None:
    assert gs1_parser(text, identifier) is None


def test_parse_gs1_refuses_non_gs1_text() -> None:
    with pytest.raises(GS1Error, match="not GS1"):
        parse_gs1("hello")


def test_digital_link_with_bad_path_is_an_error() -> None:
    with pytest.raises(GS1Error):
        parse_gs1("https://id.example.vn/01/0950600013435/10/A1")


def test_kind_is_gs1() -> None:
    assert GS1Data.kind == "gs1"
