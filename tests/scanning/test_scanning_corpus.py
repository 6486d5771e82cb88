"""The pipeline on phone-like photos: everything found, exactly, and nothing invented."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from scanning import CitizenIdCard, GS1Data, Hint
from scanning.testing import corpus
from scanning.testing.corpus import Decoded

WITH_CODES = corpus.CLEAN + corpus.HARD + corpus.LARGE
WITHOUT_CODES = corpus.NONE + corpus.LARGE_NONE


@pytest.mark.parametrize("recipe", WITH_CODES, ids=lambda r: r.__name__)
def test_every_code_in_the_photo_is_read_exactly(recipe: corpus.Recipe, decoded: dict[str, Decoded]) -> None:
    photo = decoded[recipe.__name__]
    assert photo.expected <= photo.texts, photo.result


@pytest.mark.parametrize("recipe", WITH_CODES, ids=lambda r: r.__name__)
def test_nothing_is_read_that_is_not_in_the_photo(recipe: corpus.Recipe, decoded: dict[str, Decoded]) -> None:
    photo = decoded[recipe.__name__]
    assert photo.texts <= photo.expected


@pytest.mark.parametrize("recipe", WITHOUT_CODES, ids=lambda r: r.__name__)
def test_photos_without_codes_give_nothing(recipe: corpus.Recipe, decoded: dict[str, Decoded]) -> None:
    result = decoded[recipe.__name__].result
    assert result.barcodes == ()
    assert not result.found


def test_vietnamese_name_comes_back_exactly(decoded: dict[str, Decoded]) -> None:
    photo = decoded["clean_id_card"]
    (barcode,) = photo.result.barcodes
    (expected,) = photo.sample.expected
    assert barcode.text == expected.text
    card = barcode.payload
    assert isinstance(card, CitizenIdCard)
    assert card.full_name == expected.text.split("|")[2]
    assert card.consistent, card.discrepancies


def test_tray_of_vials_gives_each_code_once(decoded: dict[str, Decoded]) -> None:
    photo = decoded["clean_tray"]
    assert len(photo.result.barcodes) == 6
    assert len(photo.texts) == 6
    assert all(isinstance(b.payload, GS1Data) for b in photo.result.barcodes)


def test_vial_label_is_parsed_as_gs1(decoded: dict[str, Decoded]) -> None:
    (barcode,) = decoded["clean_vial"].result.barcodes
    assert barcode.symbology_identifier == "]d2"
    assert barcode.is_gs1
    payload = barcode.payload
    assert isinstance(payload, GS1Data)
    assert payload.gtin is not None and len(payload.gtin) == 14
    assert payload.lot and payload.serial and payload.expiry


def test_carton_label_gives_sscc_and_content(decoded: dict[str, Decoded]) -> None:
    payloads = [b.payload for b in decoded["clean_carton"].result.barcodes]
    assert all(isinstance(p, GS1Data) for p in payloads)
    ssccs = [p.sscc for p in payloads if isinstance(p, GS1Data) and p.sscc]
    contents = [p for p in payloads if isinstance(p, GS1Data) and p.contained_gtin]
    assert len(ssccs) == 1 and len(ssccs[0]) == 18
    assert contents and contents[0].contained_count


def test_corners_lie_on_the_code_in_original_pixels(decoded: dict[str, Decoded]) -> None:
    for name in ("clean_vial", "clean_large_vial", "carton_at_45"):
        result = decoded[name].result
        for barcode in result.barcodes:
            assert len(barcode.corners) == 4
            xs = [p.x for p in barcode.corners]
            ys = [p.y for p in barcode.corners]
            assert min(xs) >= -5 and max(xs) <= result.width + 5, name
            assert min(ys) >= -5 and max(ys) <= result.height + 5, name
            assert max(xs) - min(xs) > 20 and max(ys) - min(ys) > 20, name


def test_exif_orientation_is_applied(decoded: dict[str, Decoded]) -> None:
    result = decoded["clean_subject_card"].result
    # Stored as a 720x1280 sensor picture with "rotate 90°": shown landscape.
    assert (result.width, result.height) == corpus.HD


def test_clean_photos_decode_on_the_first_pass(decoded: dict[str, Decoded]) -> None:
    for recipe in (*corpus.CLEAN, corpus.clean_large_vial):
        result = decoded[recipe.__name__].result
        assert result.winning_pass == "first", recipe.__name__
        # GS1 DataMatrix and GS1-128 codes may be part of a logistics label:
        # a look for the rest of it follows. Other codes cost one pass.
        if not any(b.is_gs1 for b in result.barcodes):
            assert result.attempts == 1, recipe.__name__


def test_dark_photo_without_code_says_it_is_dark(decoded: dict[str, Decoded]) -> None:
    assert decoded["dark_room_without_code"].result.hint is Hint.TOO_DARK


def test_found_codes_carry_no_hint(decoded: dict[str, Decoded]) -> None:
    assert decoded["clean_vial"].result.hint is None


def test_we_read_everything_raw_zxing_cpp_reads(decoded: dict[str, Decoded]) -> None:
    # The pipeline adds retries, downscaling and format limits on top of
    # zxing-cpp; none of that may lose a code that zxing-cpp alone would read.
    for photo in decoded.values():
        raw = zxingcpp.read_barcodes(Image.open(io.BytesIO(photo.sample.data)))
        theirs = {(str(b.format.name), bytes(b.bytes)) for b in raw}
        expected_raw = {(e.format, e.text.encode("utf-8")) for e in photo.sample.expected}
        ours = {(b.format, b.raw) for b in photo.result.barcodes}
        assert (theirs & expected_raw) <= ours, photo.sample.name
