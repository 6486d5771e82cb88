"""Issue 11: every code of a carton label, and no wrong read from the hard photos."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

import scanning
from scanning import labels, pipeline
from scanning.testing import field, payloads, render
from tests.scanning.fakes import fake_plan


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def texts(result: scanning.ScanResult) -> set[tuple[str, str]]:
    return {(b.format, b.text) for b in result.barcodes}


def test_a_turned_carton_label_gives_all_three_codes() -> None:
    # The first pass reads only the DataMatrix: its GS1-128 bars are at 20°.
    sample = field.sample("tune", "carton", "turned", 1, 0)
    assert len(texts(scanning.decode(sample.data, time_budget=0))) == 1
    result = scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)
    assert texts(result) == {(e.format, e.text) for e in sample.expected}
    ssccs = [b.payload.sscc for b in result.barcodes if isinstance(b.payload, scanning.GS1Data) and b.payload.sscc]
    assert len(ssccs) == 1


def test_a_carton_label_shot_at_an_angle_gives_its_product_code_too() -> None:
    # The first pass reads the DataMatrix and one GS1-128; the other is found
    # in the band around the one read.
    sample = field.sample("tune", "carton", "perspective", 1, 0)
    assert len(texts(scanning.decode(sample.data, time_budget=0))) == 2
    assert texts(scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)) == {
        (e.format, e.text) for e in sample.expected
    }


def test_a_qr_card_stays_a_single_pass() -> None:
    sample = field.sample("tune", "subject_card", "contrast", 1, 0)
    result = scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)
    assert result.attempts == 1
    assert texts(result) == {(e.format, e.text) for e in sample.expected}


def gs1(hri: str) -> scanning.GS1Data:
    return scanning.parse_gs1(hri)


@pytest.mark.parametrize(
    ("read", "missing"),
    [
        ([("Code128", "]C1", "(00)089300000000000019")], ("Code128", "DataMatrix")),
        ([("Code128", "]C1", "(01)08936000000011(10)L1(17)271231")], ("Code128", "DataMatrix")),
        ([("DataMatrix", "]d2", "(01)08936000000011(17)271231(10)L1")], ("Code128",)),
        (
            # SSCC, GTIN, lot and expiry: all receiving needs; no DataMatrix was seen.
            [
                ("Code128", "]C1", "(00)089300000000000019"),
                ("Code128", "]C1", "(01)08936000000011(10)L1(17)271231"),
            ],
            (),
        ),
        (
            # No expiry in the bars: the DataMatrix may carry it.
            [
                ("Code128", "]C1", "(00)089300000000000019"),
                ("Code128", "]C1", "(01)08936000000011(10)L1"),
            ],
            ("DataMatrix",),
        ),
        (
            [
                ("Code128", "]C1", "(00)089300000000000019"),
                ("Code128", "]C1", "(02)08936000000011(37)20(10)L1"),
                ("DataMatrix", "]d2", "(01)08936000000011(17)271231(10)L1"),
            ],
            (),
        ),
    ],
)
def test_what_a_logistics_label_still_lacks(read: list[tuple[str, str, str]], missing: tuple[str, ...]) -> None:
    assert labels.missing_formats((fmt, ident, gs1(hri)) for fmt, ident, hri in read) == missing


def test_a_datamatrix_the_first_pass_located_is_looked_for_after_complete_bars() -> None:
    read = [
        ("Code128", "]C1", gs1("(00)089300000000000019")),
        ("Code128", "]C1", gs1("(01)08936000000011(10)L1(17)271231")),
    ]
    assert labels.missing_formats(read, matrix_located=True) == ("DataMatrix",)


def carton_label_without_datamatrix() -> tuple[Image.Image, set[tuple[str, str]]]:
    rng = random.Random(11)
    sscc = payloads.carton_sscc_hri(rng)
    product = f"(01){payloads.gtin14(rng)}(10){payloads.lot(rng)}(17){payloads.expiry(rng)}"
    codes = [render.symbol(hri, "Code128", module=3, gs1=True) for hri in (product, sscc)]
    label = Image.new("L", (max(c.size[0] for c in codes) + 80, sum(c.size[1] for c in codes) + 120), 250)
    for index, code in enumerate(codes):
        label.paste(code, (40, 40 + index * (code.size[1] + 40)))
    return label, {("Code128", payloads.element_string(hri)) for hri in (sscc, product)}


def test_a_complete_label_without_datamatrix_costs_one_pass() -> None:
    # SSCC and product GS1-128 with lot and expiry, no DataMatrix printed:
    # nothing is left to look for (it used to wait out the label budget).
    label, expected = carton_label_without_datamatrix()
    result = scanning.decode(png(label), time_budget=30, label_budget=30, label_passes=1000)
    assert texts(result) == expected
    assert result.attempts == 1


def test_dim_noisy_carton_bars_are_read_with_their_rows_averaged() -> None:
    # A dim, noisy carton label: the DataMatrix is read (from its crop) but
    # no pass reads the bars; averaging rows along them does.
    sample = field.sample("tune", "carton", "dim", 1, 1)
    result = scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)
    assert texts(result) == {(e.format, e.text) for e in sample.expected}


def test_the_darkest_carton_bars_are_read_by_zbar_with_their_rows_averaged() -> None:
    # Grey range 4-42 and noise σ 15: the DataMatrix is read once smoothed,
    # but zxing-cpp reads the bars in no pass, even averaged; zbar reads them
    # averaged over 10-16 rows of the picture turned upright.
    sample = field.sample("tune", "carton", "dim", 3, 0)
    result = scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)
    assert texts(result) == {(e.format, e.text) for e in sample.expected}
    assert any(b.engine == "zbar" and b.format == "Code128" for b in result.barcodes)


def test_a_vial_at_the_strongest_defocus_is_read_sharpened_with_a_fixed_threshold() -> None:
    # Gaussian blur of 2.2 px: sharpened twice, the modules stand clear of
    # mid-grey but zxing-cpp's local binariser still loses them; its fixed
    # threshold on the same picture reads the DataMatrix.
    sample = field.sample("tune", "vial", "defocus", 3, 0)
    result = scanning.decode(sample.data, time_budget=30)
    assert texts(result) == {(e.format, e.text) for e in sample.expected}
    assert result.winning_pass == "sharpen-twice-fixed"


def test_a_tilted_vial_costs_one_pass() -> None:
    # A lone GS1 DataMatrix with no bars around it: no turned pass looking
    # for the GS1-128 codes of a carton label.
    sample = field.sample("tune", "vial", "motion", 2, 0)
    result = scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)
    assert texts(result) == {(e.format, e.text) for e in sample.expected}
    assert result.attempts == 1


def test_the_bars_of_a_carton_label_read_with_its_datamatrix_only_are_searched() -> None:
    # Defocus: the first pass reads the DataMatrix only; the bars beside it
    # are found, and read once thresholded.
    sample = field.sample("tune", "carton", "defocus", 1, 0)
    assert len(texts(scanning.decode(sample.data, time_budget=0))) == 1
    result = scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)
    assert texts(result) == {(e.format, e.text) for e in sample.expected}


def test_a_strongly_defocused_card_is_read_sharpened_twice() -> None:
    # Defocus of 2.2 px on a subject card: one unsharp mask is not enough.
    sample = field.sample("tune", "subject_card", "defocus", 3, 1)
    result = scanning.decode(sample.data, time_budget=30)
    assert texts(result) == {(e.format, e.text) for e in sample.expected}


def test_jpeg_blocky_carton_bars_are_read_by_zbar_early_in_the_label_search() -> None:
    # Quality 55: the first pass reads the DataMatrix and one GS1-128; zbar
    # reads the other before the costly retries (they used to come first,
    # 19 passes, past the label budget on a busy machine).
    sample = field.sample("tune", "carton", "jpeg", 2, 1)
    result = scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)
    assert texts(result) == {(e.format, e.text) for e in sample.expected}
    assert result.attempts <= 12


def test_codes_of_other_kinds_ask_for_nothing_more() -> None:
    assert labels.missing_formats([("QRCode", "]Q1", None), ("EAN13", "]E0", gs1("(01)08936000000011"))]) == ()


def test_a_stacked_databar_read_from_noise_is_not_returned() -> None:
    # A dim, grainy subject card: zxing-cpp's first pass (and raw zxing-cpp)
    # "read" a stacked DataBar with a valid GTIN out of the noise.
    sample = field.sample("report", "subject_card", "dim", 3, 0)
    result = scanning.decode(sample.data, time_budget=30, label_budget=30, label_passes=1000)
    assert not [b for b in result.barcodes if b.format.startswith("DataBar")]


BAD_GTIN = "0108936000000012"  # check digit 2 instead of 1


def test_a_retry_read_whose_gs1_check_digit_fails_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "plan", fake_plan([], [("DataMatrix", BAD_GTIN)], []))
    blank = png(Image.new("L", (400, 300), 200))
    assert scanning.decode(blank).barcodes == ()
    # The first pass's read is what the symbol says: returned with the error.
    monkeypatch.setattr(pipeline, "plan", fake_plan([("DataMatrix", BAD_GTIN)]))
    (barcode,) = scanning.decode(blank).barcodes
    assert barcode.payload_error and "check digit" in barcode.payload_error


def test_a_retry_read_with_an_impossible_expiry_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "plan", fake_plan([], [("DataMatrix", "010893600000001117271331")], []))
    assert scanning.decode(png(Image.new("L", (400, 300), 200))).barcodes == ()


def test_a_retry_read_of_an_inconsistent_citizen_id_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    text, _ = payloads.citizen_id_text(random.Random(3))
    fields = text.split("|")
    wrong = "|".join([fields[0][:3] + "9" + fields[0][4:], *fields[1:]])  # century digit 9: no such
    monkeypatch.setattr(pipeline, "plan", fake_plan([], [("QRCode", wrong)], [("QRCode", text)]))
    result = scanning.decode(png(Image.new("L", (400, 300), 200)))
    assert [b.text for b in result.barcodes] == [text]


@pytest.mark.slow
@pytest.mark.parametrize(("what", "condition"), [("text", "dim"), ("table", "jpeg"), ("screen", "plain")])
def test_no_pass_reads_anything_on_a_decoy(what: str, condition: str) -> None:
    # Every pass runs (nothing is found): none may invent a code.
    result = scanning.decode(field.decoy("tune", what, condition, 0).data, time_budget=30)
    assert result.barcodes == ()
    assert not result.timed_out
