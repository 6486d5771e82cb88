"""What comes in: image formats, broken uploads, oversized pictures, and the hints."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

import scanning
from scanning import CorruptImageError, Hint, ImageTooLargeError, NotAnImageError
from scanning.imaging import open_photo
from scanning.quality import glance, slanted_bars
from scanning.testing import corpus, field, photo, render

ID_TEXT = "001090123456|012345678|Nguyễn Văn A|01011990|Nam|Hà Nội|15042021"


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def id_qr() -> Image.Image:
    return render.qr_utf8(ID_TEXT, module=4)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF"])
def test_common_upload_formats(fmt: str) -> None:
    (barcode,) = scanning.decode(encoded(id_qr().convert("RGB"), fmt)).barcodes
    assert barcode.text == ID_TEXT


def test_code_on_a_transparent_background() -> None:
    qr = id_qr()
    rgba = Image.new("RGBA", qr.size, (0, 0, 0, 0))
    rgba.paste((0, 0, 0, 255), mask=qr.point(lambda v: 255 - v))
    (barcode,) = scanning.decode(encoded(rgba, "PNG")).barcodes
    assert barcode.text == ID_TEXT


def test_the_same_code_twice_is_returned_once() -> None:
    qr = id_qr()
    sheet = Image.new("L", (qr.size[0] * 2 + 40, qr.size[1] + 40), 255)
    sheet.paste(qr, (10, 20))
    sheet.paste(qr, (qr.size[0] + 30, 20))
    assert len(scanning.decode(encoded(sheet, "PNG")).barcodes) == 1


@pytest.mark.parametrize("data", [b"", b"hello world", b"%PDF-1.7\n1 0 obj", b"\x00" * 64, b"GIF89"])
def test_not_an_image(data: bytes) -> None:
    with pytest.raises(NotAnImageError) as caught:
        scanning.decode(data)
    assert caught.value.http_status == 415
    assert caught.value.code == "not_an_image"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_upload_is_corrupt(fmt: str) -> None:
    data = encoded(photo.background((640, 480), random.Random(1)), fmt)
    with pytest.raises(CorruptImageError) as caught:
        scanning.decode(data[: len(data) // 3])
    assert caught.value.http_status == 422


def test_damaged_png_data_is_corrupt() -> None:
    data = bytearray(encoded(photo.background((320, 240), random.Random(2)), "PNG"))
    start = data.index(b"IDAT") + 8
    data[start : start + 200] = bytes(200)
    with pytest.raises(CorruptImageError):
        scanning.decode(bytes(data))


def test_more_pixels_than_allowed() -> None:
    data = encoded(Image.new("L", (1200, 1000), 255), "PNG")
    with pytest.raises(ImageTooLargeError) as caught:
        scanning.decode(data, max_pixels=1_000_000)
    assert caught.value.http_status == 413
    assert caught.value.pixels == 1_200_000
    assert caught.value.max_pixels == 1_000_000
    assert scanning.decode(data, max_pixels=1_200_000).barcodes == ()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` one-bit pixels, with almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [20_000, 100_000])
def test_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    # 400 million and 10 billion pixels: refused from the header alone.
    with pytest.raises(ImageTooLargeError) as caught:
        scanning.decode(png_claiming(side, side))
    assert caught.value.http_status == 413


def test_all_image_errors_share_a_base_class() -> None:
    for error in (NotAnImageError, CorruptImageError, ImageTooLargeError):
        assert issubclass(error, scanning.ImageError)
        assert issubclass(error, scanning.ScanError)


def test_tiny_picture_hint() -> None:
    result = scanning.decode(encoded(photo.background((200, 150), random.Random(3)), "PNG"))
    assert result.hint is Hint.LOW_RESOLUTION
    assert "closer" in result.hint.message


def test_flat_grey_picture_hint() -> None:
    result = scanning.decode(encoded(Image.new("L", (800, 600), 128), "PNG"), time_budget=0.2)
    assert result.hint is Hint.LOW_CONTRAST


def test_overexposed_picture_hint() -> None:
    result = scanning.decode(encoded(Image.new("L", (800, 600), 245), "PNG"), time_budget=0.2)
    assert result.hint is Hint.OVEREXPOSED


def test_blurred_picture_hint() -> None:
    scene = photo.blur(photo.background((1280, 720), random.Random(4)), 6)
    result = scanning.decode(encoded(scene, "JPEG"), time_budget=0.2)
    assert result.hint is Hint.BLURRED


def test_sharp_cluttered_picture_has_no_hint() -> None:
    scene = photo.background((1280, 720), random.Random(5))
    assert scanning.decode(encoded(scene, "PNG"), time_budget=0.2).hint is None


def test_light_on_dark_code() -> None:
    inverted = id_qr().point(lambda v: 255 - v)
    (barcode,) = scanning.decode(encoded(inverted, "PNG")).barcodes
    assert barcode.text == ID_TEXT


def test_sixteen_bit_greyscale_scan() -> None:
    # Dark grey on mid grey, all above 255: must not be clipped to white.
    wide = id_qr().convert("I").point(lambda v: 5000 + v * 100)
    (barcode,) = scanning.decode(encoded(wide.convert("I;16"), "PNG")).barcodes
    assert barcode.text == ID_TEXT


@pytest.mark.parametrize(
    ("fmt", "content", "gs1"),
    [("DataBar", "0950600013435", False), ("DataBarExp", "(01)09506000134352(17)261100(10)A1", True)],
)
def test_databar_is_read_as_gs1(fmt: str, content: str, gs1: bool) -> None:
    (barcode,) = scanning.decode(encoded(render.symbol(content, fmt, module=3, gs1=gs1), "PNG")).barcodes
    assert barcode.format.startswith("DataBar")
    assert barcode.symbology_identifier == "]e0"
    assert isinstance(barcode.payload, scanning.GS1Data)
    assert barcode.payload.gtin == "09506000134352"


def test_defocused_label_with_sensor_noise_is_called_blurred() -> None:
    rng = random.Random(3)
    scene = photo.place(
        photo.background((1280, 720), rng),
        render.label([render.symbol("(01)09506000134352(10)A1", "DataMatrix", module=6, gs1=True)], rng=rng),
        ((400, 150), (700, 150), (700, 600), (400, 600)),
    )
    noisy = photo.add_noise(photo.blur(scene, 6), rng, sigma=3)
    result = scanning.decode(encoded(noisy, "JPEG", quality=88), time_budget=0.3)
    assert result.barcodes == ()
    assert result.hint is Hint.BLURRED


def test_heic_upload_gets_a_message_the_clerk_can_act_on() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    with pytest.raises(NotAnImageError, match="JPEG") as caught:
        scanning.decode(heic)
    assert caught.value.http_status == 415


def test_avif_upload_is_read() -> None:
    (barcode,) = scanning.decode(encoded(id_qr().convert("RGB"), "AVIF", quality=90)).barcodes
    assert barcode.text == ID_TEXT


@pytest.mark.parametrize(
    ("mode", "fmt"), [("CMYK", "JPEG"), ("1", "PNG"), ("P", "PNG"), ("LA", "PNG"), ("I;16", "TIFF")]
)
def test_every_pixel_mode_becomes_grey(mode: str, fmt: str) -> None:
    (barcode,) = scanning.decode(encoded(id_qr().convert(mode), fmt)).barcodes
    assert barcode.text == ID_TEXT


def test_bars_at_45_degrees_are_told_from_text_stripes_and_small_tilts(photos: tuple[corpus.Sample, ...]) -> None:
    def slanted(recipe: str) -> bool:
        sample = next(s for s in photos if s.recipe == recipe)
        return slanted_bars(open_photo(sample.data).image)

    assert slanted("carton_at_45")
    assert slanted("ean_at_angle")
    assert not slanted("desk_without_code")
    assert not slanted("stripes_without_code")
    assert not slanted("steep_angle")  # an ID card's QR turned by 20-35°: no bars


def test_a_glance_tells_dim_and_soft_photos() -> None:
    scene = open_photo(field.decoy("tune", "text", "plain", 0).data).image  # a page of text
    sharp = glance(scene)
    assert not sharp.dim and not sharp.soft
    assert glance(photo.blur(scene, 3)).soft
    dim = glance(scene.point(lambda v: 10 + v // 6))
    assert dim.dim and not dim.soft
