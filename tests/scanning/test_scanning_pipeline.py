"""decode()'s contract: first pass, retries within the budget, payload errors reported."""

from __future__ import annotations

import dataclasses
import io
import random

import pytest
from PIL import Image

import scanning
from scanning import pipeline
from scanning.testing import corpus, photo, render
from tests.scanning.fakes import fake_plan


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def by_recipe(photos: tuple[corpus.Sample, ...], name: str) -> corpus.Sample:
    return next(s for s in photos if s.recipe == name)


def test_no_budget_means_first_pass_only(photos: tuple[corpus.Sample, ...]) -> None:
    result = scanning.decode(by_recipe(photos, "stripes_without_code").data, time_budget=0)
    assert result.attempts == 1
    assert result.timed_out
    assert result.barcodes == ()


def test_retries_rescue_a_hard_photo(photos: tuple[corpus.Sample, ...]) -> None:
    sample = by_recipe(photos, "carton_at_45")
    assert scanning.decode(sample.data, time_budget=0).barcodes == ()
    result = scanning.decode(sample.data, time_budget=30)
    assert result.attempts > 1
    assert result.winning_pass and result.winning_pass.startswith("rotate")
    assert {b.text for b in result.barcodes} == {e.text for e in sample.expected}


def test_a_photo_with_nothing_like_a_code_gets_a_few_retries_not_the_whole_chain(
    photos: tuple[corpus.Sample, ...],
) -> None:
    # The first pass located no symbol, the desk is lit and sharp, nothing
    # stands slanted: a blur, the inverted picture and (a 720p photo) the
    # enlarged one, and the answer "nothing" comes without the other retries.
    result = scanning.decode(by_recipe(photos, "desk_without_code").data, time_budget=30)
    assert not result.timed_out
    assert result.winning_pass is None
    assert 1 < result.attempts <= 4


def test_find_all_still_runs_every_retry(photos: tuple[corpus.Sample, ...]) -> None:
    result = scanning.decode(by_recipe(photos, "desk_without_code").data, time_budget=30, find_all=True)
    assert result.attempts > 10
    assert result.barcodes == ()


def test_malformed_payload_is_reported_on_the_barcode() -> None:
    # A DataMatrix whose GTIN check digit is wrong (the writer does not check).
    image = render.symbol("0109506000134353", "DataMatrix", module=6)
    (barcode,) = scanning.decode(png(image)).barcodes
    assert barcode.text == "0109506000134353"
    bad = render.symbol("(01)09506000134353(10)A1", "DataMatrix", module=6, gs1=False)
    (hri,) = scanning.decode(png(bad)).barcodes
    assert hri.payload is None
    assert hri.payload_error and "check digit" in hri.payload_error


def test_format_filter() -> None:
    image = render.symbol("4006381333931", "EAN13", module=3)
    assert scanning.decode(png(image), formats=("QRCode",), time_budget=0).barcodes == ()
    (barcode,) = scanning.decode(png(image), formats=("EAN13",)).barcodes
    assert barcode.format == "EAN13"
    assert barcode.payload == scanning.parse_gs1("4006381333931", "]E0")


def test_results_are_immutable(photos: tuple[corpus.Sample, ...]) -> None:
    result = scanning.decode(by_recipe(photos, "clean_ean").data)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.barcodes = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.barcodes[0].text = "x"  # type: ignore[misc]


def test_large_photo_is_scanned_at_working_size_and_reported_at_full_size(
    photos: tuple[corpus.Sample, ...],
) -> None:
    result = scanning.decode(by_recipe(photos, "clean_large_vial").data)
    assert (result.width, result.height) == corpus.TWELVE_MP
    (barcode,) = result.barcodes
    full = scanning.decode(by_recipe(photos, "clean_large_vial").data, working_side=10_000)
    (same,) = full.barcodes
    assert same.text == barcode.text
    for a, b in zip(same.corners, barcode.corners, strict=True):
        assert abs(a.x - b.x) < 15 and abs(a.y - b.y) < 15


def test_find_all_keeps_looking_after_the_first_pass() -> None:
    rng = random.Random(11)
    scene = photo.background(corpus.FULL_HD, rng)
    card = render.label([render.qr_utf8("Lê Văn Tám|Nam", module=5)], rng=rng)
    scene = photo.place(scene, card, ((100, 100), (500, 100), (500, 600), (100, 600)))
    carton = render.label([render.symbol("(00)095060001343520017", "Code128", module=3, gs1=True)], rng=rng)
    quad = photo.frame(corpus.FULL_HD, carton.size, rng, fill=0.45, angle=45)
    quad = tuple((x + 300, y) for x, y in quad)  # type: ignore[assignment]
    data = png(photo.place(scene, carton, quad))

    first_only = scanning.decode(data)
    assert {b.format for b in first_only.barcodes} == {"QRCode"}
    everything = scanning.decode(data, find_all=True, time_budget=10)
    assert {b.text for b in everything.barcodes} == {"Lê Văn Tám|Nam", "00095060001343520017"}
    assert everything.winning_pass == "first"


def test_a_retry_read_of_an_ean_needs_a_second_pass_to_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        pipeline,
        "plan",
        fake_plan([], [("EAN13", "0460888063939")], [("EAN13", "8939362090607")], [("EAN13", "8939362090607")]),
    )
    result = scanning.decode(png(Image.new("L", (400, 300), 200)))
    assert [b.text for b in result.barcodes] == ["8939362090607"]
    assert result.winning_pass == "retry3"


def test_an_unconfirmed_retry_read_of_an_ean_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "plan", fake_plan([], [("EAN13", "0460888063939")], []))
    assert scanning.decode(png(Image.new("L", (400, 300), 200))).barcodes == ()


def test_first_pass_and_checked_symbologies_need_no_confirmation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "plan", fake_plan([("EAN13", "8939362090607")]))
    assert len(scanning.decode(png(Image.new("L", (400, 300), 200))).barcodes) == 1
    monkeypatch.setattr(pipeline, "plan", fake_plan([], [("QRCode", "Nữ")]))
    assert [b.text for b in scanning.decode(png(Image.new("L", (400, 300), 200))).barcodes] == ["Nữ"]


def test_one_pass_reading_an_ean_twice_is_not_a_confirmation(monkeypatch: pytest.MonkeyPatch) -> None:
    twice = [("EAN13", "0460888063939"), ("EAN13", "0460888063939")]
    monkeypatch.setattr(pipeline, "plan", fake_plan([], twice, []))
    assert scanning.decode(png(Image.new("L", (400, 300), 200))).barcodes == ()
