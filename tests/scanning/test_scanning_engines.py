"""The two engines: zbar's raw bytes for Vietnamese text, and life without libzbar0."""

from __future__ import annotations

import io
import logging
import math
import random
import sys

import pytest
from PIL import Image

import scanning
from scanning import passes
from scanning.engines import zbar, zxing
from scanning.testing import photo, render

SHORT_NAMES = ["Nữ", "Lê Văn Tám|Nam", "Ánh", "Đỗ Thị Ửng", "Hồ Chí Minh"]

needs_zbar = pytest.mark.skipif(not zbar.AVAILABLE, reason="libzbar0 is not installed")


@needs_zbar
@pytest.mark.parametrize("text", SHORT_NAMES)
def test_zbar_returns_vietnamese_text_exactly(text: str) -> None:
    (symbol,) = zbar.read(render.qr_utf8(text, module=4))
    assert symbol.raw == text.encode("utf-8")
    assert symbol.text == text
    assert symbol.format == "QRCode"


@needs_zbar
def test_pyzbar_alone_mangles_those_names() -> None:
    # Why the adapter exists: zbar's charset guess turns "Lê" into katakana.
    from pyzbar import pyzbar

    (decoded,) = pyzbar.decode(render.qr_utf8("Lê Văn Tám|Nam", module=4))
    assert decoded.data.decode("utf-8") != "Lê Văn Tám|Nam"


@pytest.mark.parametrize("text", [*SHORT_NAMES, "plain ascii", "Nguyễn Thị Ánh Tuyết"])
def test_charset_guess_is_undone(text: str) -> None:
    original = text.encode("utf-8")
    for guess in ("shift_jis", "latin-1"):
        try:
            mangled = original.decode(guess).encode("utf-8")
        except UnicodeDecodeError:
            continue
        assert zbar.undo_charset_guess(mangled) == original


def test_undo_leaves_non_utf8_alone() -> None:
    assert zbar.undo_charset_guess(b"\xff\xfe") == b"\xff\xfe"


@needs_zbar
def test_zbar_reads_gs1_128_with_its_identifier() -> None:
    image = render.symbol("(00)095060001343520017", "Code128", module=3, gs1=True)
    (symbol,) = zbar.read(image)
    assert symbol.symbology_identifier == "]C1"
    assert symbol.text == "00095060001343520017"


@needs_zbar
def test_zbar_only_reads_the_formats_asked_for() -> None:
    image = render.symbol("4006381333931", "EAN13", module=3)
    assert zbar.read(image, ("QRCode",)) == []
    assert [s.format for s in zbar.read(image, ("EAN13",))] == ["EAN13"]


def test_missing_libzbar_logs_a_warning_and_turns_the_engine_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "pyzbar.wrapper", None)  # import now fails
    with caplog.at_level(logging.WARNING, logger="scanning.engines.zbar"):
        assert zbar._load_zbar() is None
    assert "libzbar0" in caplog.text


def test_decode_works_without_zbar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zbar, "_wrapper", None)
    monkeypatch.setattr(zbar, "AVAILABLE", False)
    assert zbar.read(render.qr_utf8("Nữ", module=4)) == []
    buffer = io.BytesIO()
    render.qr_utf8("Nữ", module=4).save(buffer, "PNG")
    (barcode,) = scanning.decode(buffer.getvalue()).barcodes
    assert barcode.text == "Nữ"
    nothing = io.BytesIO()
    photo.background((640, 480), random.Random(9)).save(nothing, "PNG")
    result = scanning.decode(nothing.getvalue())
    assert result.barcodes == ()
    assert "zbar" not in (result.winning_pass or "")


def test_zxing_formats_are_limited_to_the_domain() -> None:
    image = render.symbol("ABC-123", "Code39", module=3)
    assert zxing.read(image, zxing.formats_mask(zxing.DEFAULT_FORMATS)) == []
    assert zxing.read(image, zxing.formats_mask(("Code39",)))


def test_rotated_view_maps_points_back() -> None:
    image = Image.new("L", (300, 200), 255)
    image.putpixel((250, 40), 0)
    view = passes.rotated(image, 30)
    dark = [
        (x, y)
        for y in range(view.image.size[1])
        for x in range(view.image.size[0])
        if view.image.getpixel((x, y)) < 128  # type: ignore[operator]
    ]
    assert dark
    cx = sum(x for x, _ in dark) / len(dark)
    cy = sum(y for _, y in dark) / len(dark)
    x, y = view.to_working(cx, cy)
    assert math.hypot(x - 250, y - 40) < 2


def test_scaled_view_maps_points_back() -> None:
    view = passes.scaled(Image.new("L", (300, 200), 255), 2.0)
    assert view.image.size == (600, 400)
    assert view.to_working(100, 50) == (50, 25)
