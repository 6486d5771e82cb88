"""The subject card format without a database: signature, parser, verdicts, the page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from datetime import date

import pytest

import scanning
from api.registry.cards import parser as card_parser
from api.registry.cards import services as card
from api.registry.identity import codes
from scanning.testing import photo, render

SECRET = "s" * 40
CODE = codes.new_code()


def test_the_signature_is_the_documented_hmac() -> None:
    digest = hmac.new(SECRET.encode(), f"card:{CODE}".encode(), hashlib.sha256).digest()
    expected = base64.b32encode(digest).decode()[:10]
    assert card.signature(SECRET, CODE) == expected
    assert card.qr_text(SECRET, CODE) == f"NIIS1|{CODE}|{expected}"
    assert card.signature("x" * 40, CODE) != expected  # another server's key signs otherwise


def test_the_parser_claims_cards_before_the_id_card_parser() -> None:
    registry = scanning.default_registry.copy()
    registry.register(card_parser.KIND, card_parser.subject_card_parser, first=True)
    parsed = registry.parse_strict(card.qr_text(SECRET, CODE))
    assert isinstance(parsed, card_parser.SubjectCard)
    assert (parsed.code, parsed.check_ok) == (CODE, True)
    assert card.verify(SECRET, parsed).valid
    assert scanning.payload_to_dict(parsed)["kind"] == "subject_card"
    assert card.from_payload(scanning.payload_to_dict(parsed)) == parsed
    # Other texts go on to the other parsers.
    assert card_parser.subject_card_parser("001198012345||Lê Văn Tám|01012000|Nam|Hà Nội|01012021", "") is None


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("NIIS1|ABC", "format"),
        ("NIIS1|A|B|C", "format"),
        ("NIIS1|12345|ABCDEFGHIJ", "code"),
        ("NIIS1|0123456789|ABCDEFGHIJ", "code"),
        ("NIIS1|01234567A|abcdefghij", "signature"),
        ("NIIS1|01234567A|ABCDEFGHI1", "signature"),
    ],
)
def test_malformed_cards_are_reported_with_the_field(text: str, field: str) -> None:
    with pytest.raises(scanning.PayloadError) as raised:
        card_parser.parse_card(text)
    assert raised.value.kind == "subject_card" and raised.value.field == field
    outcome = scanning.ParserRegistry()
    outcome.register(card_parser.KIND, card_parser.subject_card_parser)
    assert outcome.parse(text).error


def test_forged_and_mistyped_cards_are_refused() -> None:
    signature = card.signature(SECRET, CODE)
    wrong_check = next(c for c in codes.CHECK_ALPHABET if c != CODE[-1])
    mistyped = card_parser.parse_card(f"NIIS1|{CODE[:-1]}{wrong_check}|{signature}")
    assert card.verify(SECRET, mistyped).reason == "mistyped_code"
    other = codes.new_code()
    forged = card_parser.parse_card(f"NIIS1|{other}|{signature}")
    assert other == CODE or card.verify(SECRET, forged).reason == "bad_signature"
    assert not card.verify("k" * 40, card_parser.parse_card(card.qr_text(SECRET, CODE))).valid


def test_a_card_photo_decodes_with_the_parser_plugged_in() -> None:
    registry = scanning.default_registry.copy()
    registry.register(card_parser.KIND, card_parser.subject_card_parser, first=True)
    text = card.qr_text(SECRET, CODE)
    picture = render.label([render.qr_utf8(text, module=5)], rng=random.Random(3), paper=245)
    result = scanning.decode(photo.png(picture), parsers=registry)
    (barcode,) = result.barcodes
    assert barcode.text == text and isinstance(barcode.payload, card_parser.SubjectCard)


def test_the_page_escapes_what_it_prints() -> None:
    subject = {"code": CODE, "full_name": "<script>x</script> Lê", "birth_date": date(2025, 1, 2), "sex": "F"}
    page = card.page(subject, "Trạm <b>", SECRET)
    assert "<script>x" not in page and "&lt;script&gt;" in page and "Trạm &lt;b&gt;" in page
    assert "02/01/2025" in page and "Nữ" in page and codes.display(CODE) in page
