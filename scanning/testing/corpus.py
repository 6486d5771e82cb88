"""A corpus of phone-like photos with known content, generated on the spot.

Used by ``tests/scanning`` and ``bench/scan.py``. Every sample is made from a
seed, so the corpus is the same on every run. Difficulty:

* ``clean``: straight-on, lit, sharp, codes of a usual size;
* ``hard``: the photos clerks actually send: steep angles, 1D codes at 45°,
  blur, noise, glare, faded or dark, labels curved around a vial, tiny
  modules, heavy JPEG compression;
* ``none``: photos without any barcode (cluttered desks, text labels): a
  scanner must find nothing in them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from PIL import Image

from scanning.model import ScanResult
from scanning.testing import payloads, photo, render

HD = (1280, 720)
FULL_HD = (1920, 1080)
TWELVE_MP = (4000, 3000)


@dataclass(frozen=True, slots=True)
class Expected:
    """A symbol that is in the photo: its format and its content as text."""

    format: str
    text: str


@dataclass(frozen=True, slots=True)
class Sample:
    """One generated photo."""

    name: str
    data: bytes
    expected: tuple[Expected, ...]
    difficulty: str
    tags: tuple[str, ...] = field(default=())
    recipe: str = ""

    @property
    def size_bytes(self) -> int:
        """Length of the encoded photo."""
        return len(self.data)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A corpus photo and what a decoder made of it."""

    sample: Sample
    result: ScanResult

    @property
    def texts(self) -> set[tuple[str, str]]:
        """(format, text) of every symbol found."""
        return {(b.format, b.text) for b in self.result.barcodes}

    @property
    def expected(self) -> set[tuple[str, str]]:
        """(format, text) of every symbol in the photo."""
        return {(e.format, e.text) for e in self.sample.expected}


Recipe = Callable[[random.Random], Sample]


def _vial(rng: random.Random, module: int = 6) -> tuple[Image.Image, Expected]:
    hri = payloads.vial_hri(rng)
    symbol = render.symbol(hri, "DataMatrix", module=module, gs1=True)
    label = render.label([symbol], rng=rng, text_lines=3)
    return label, Expected("DataMatrix", payloads.element_string(hri))


def _carton(rng: random.Random, module: int = 3) -> tuple[Image.Image, list[Expected]]:
    sscc = payloads.carton_sscc_hri(rng)
    content = payloads.carton_content_hri(rng)
    symbols = [
        render.symbol(content, "Code128", module=module, gs1=True),
        render.symbol(sscc, "Code128", module=module, gs1=True),
    ]
    label = render.label(symbols, rng=rng, vertical=True, text_lines=2)
    expected = [
        Expected("Code128", payloads.element_string(content)),
        Expected("Code128", payloads.element_string(sscc)),
    ]
    return label, expected


def _sscc_only(rng: random.Random, module: int = 3) -> tuple[Image.Image, Expected]:
    sscc = payloads.carton_sscc_hri(rng)
    symbol = render.symbol(sscc, "Code128", module=module, gs1=True)
    return render.label([symbol], rng=rng, text_lines=2), Expected("Code128", payloads.element_string(sscc))


def _id_card(rng: random.Random, module: int = 4) -> tuple[Image.Image, Expected]:
    text, _ = payloads.citizen_id_text(rng)
    symbol = render.qr_utf8(text, module=module)
    card = render.label([symbol], rng=rng, paper=230, text_lines=5)
    return card, Expected("QRCode", text)


def _subject_card(rng: random.Random, module: int = 5) -> tuple[Image.Image, Expected]:
    text = payloads.subject_card_text(rng)
    symbol = render.qr_utf8(text, module=module)
    return render.label([symbol], rng=rng, paper=245, text_lines=3), Expected("QRCode", text)


def _ean(rng: random.Random, module: int = 3) -> tuple[Image.Image, Expected]:
    body = "893" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    code = body + payloads.check_digit(body)
    symbol = render.symbol(code, "EAN13", module=module)
    return render.label([symbol], rng=rng, text_lines=1), Expected("EAN13", code)


def _shoot(
    rng: random.Random,
    size: tuple[int, int],
    item: Image.Image,
    *,
    fill: float,
    angle: float = 0.0,
    tilt: float = 0.0,
) -> Image.Image:
    scene = photo.background(size, rng)
    quad = photo.frame(size, item.size, rng, fill=fill, angle=angle, tilt=tilt)
    return photo.place(scene, item, quad)


def _finish(
    name: str,
    picture: Image.Image,
    expected: list[Expected],
    difficulty: str,
    rng: random.Random,
    *,
    quality: int = 88,
    orientation: int = 1,
    tags: tuple[str, ...] = (),
) -> Sample:
    picture = photo.add_noise(picture, rng, sigma=3)
    coloured = photo.colour(picture, rng)
    sensor = photo.unrotate_for_exif(coloured, orientation)
    data = photo.jpeg(sensor, quality=quality, orientation=orientation)
    return Sample(name, data, tuple(expected), difficulty, tags)


# --- clean ----------------------------------------------------------------------------


def clean_vial(rng: random.Random) -> Sample:
    """A vial label held flat in front of the camera."""
    label, expected = _vial(rng)
    picture = _shoot(rng, FULL_HD, label, fill=0.45, angle=rng.uniform(-10, 10))
    return _finish("clean-vial", picture, [expected], "clean", rng, tags=("gs1", "datamatrix"))


def clean_carton(rng: random.Random) -> Sample:
    """A carton label with an SSCC and a content GS1-128."""
    label, expected = _carton(rng)
    picture = _shoot(rng, FULL_HD, label, fill=0.7, angle=rng.uniform(-5, 5))
    return _finish("clean-carton", picture, expected, "clean", rng, tags=("gs1", "code128"))


def clean_id_card(rng: random.Random) -> Sample:
    """A citizen ID card on a desk; its QR carries a Vietnamese name."""
    card, expected = _id_card(rng)
    picture = _shoot(rng, HD, card, fill=0.6, angle=rng.uniform(-8, 8), tilt=0.05)
    return _finish("clean-id-card", picture, [expected], "clean", rng, tags=("citizen_id", "qr"))


def clean_subject_card(rng: random.Random) -> Sample:
    """A child's vaccination card QR, rotated by EXIF as phones store portraits."""
    card, expected = _subject_card(rng)
    picture = _shoot(rng, HD, card, fill=0.55, angle=rng.uniform(-10, 10))
    return _finish(
        "clean-subject-card",
        picture,
        [expected],
        "clean",
        rng,
        orientation=6,
        tags=("subject", "qr", "exif"),
    )


def clean_ean(rng: random.Random) -> Sample:
    """A retail EAN-13 on a box."""
    label, expected = _ean(rng)
    picture = _shoot(rng, HD, label, fill=0.55, angle=rng.uniform(-5, 5))
    return _finish("clean-ean13", picture, [expected], "clean", rng, tags=("ean",))


def clean_tray(rng: random.Random) -> Sample:
    """A tray of six vials photographed from above: six different DataMatrix codes."""
    scene = photo.background(FULL_HD, rng)
    expected = []
    for row in range(2):
        for col in range(3):
            label, exp = _vial(rng, module=5)
            cell_w, cell_h = FULL_HD[0] / 3, FULL_HD[1] / 2
            factor = 0.75 * min(cell_w, cell_h) / max(label.size)
            w, h = label.size[0] * factor, label.size[1] * factor
            x0 = col * cell_w + (cell_w - w) / 2
            y0 = row * cell_h + (cell_h - h) / 2
            quad = ((x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h))
            scene = photo.place(scene, label, quad)
            expected.append(exp)
    return _finish("clean-tray", scene, expected, "clean", rng, tags=("gs1", "multi"))


def clean_large_vial(rng: random.Random) -> Sample:
    """A 12 MP photo of a vial label (phones upload full resolution)."""
    label, expected = _vial(rng, module=8)
    picture = _shoot(rng, TWELVE_MP, label, fill=0.3, angle=rng.uniform(-10, 10))
    return _finish("clean-12mp-vial", picture, [expected], "clean", rng, tags=("12mp",))


# --- hard -----------------------------------------------------------------------------


def steep_angle(rng: random.Random) -> Sample:
    """An ID card shot at a steep angle."""
    card, expected = _id_card(rng)
    picture = _shoot(rng, HD, card, fill=0.6, angle=rng.uniform(20, 35), tilt=0.45)
    return _finish("hard-steep-angle", picture, [expected], "hard", rng, tags=("perspective",))


def carton_at_45(rng: random.Random) -> Sample:
    """A carton SSCC label photographed at about 45°."""
    label, expected = _sscc_only(rng)
    picture = _shoot(rng, FULL_HD, label, fill=0.6, angle=rng.uniform(38, 50))
    return _finish("hard-carton-45", picture, [expected], "hard", rng, tags=("rotation",))


def ean_at_angle(rng: random.Random) -> Sample:
    """A retail box turned about 40° on the counter."""
    label, expected = _ean(rng)
    picture = _shoot(rng, HD, label, fill=0.55, angle=rng.choice((-1, 1)) * rng.uniform(36, 44))
    return _finish("hard-ean-angle", picture, [expected], "hard", rng, tags=("rotation", "ean"))


def blurred_vial(rng: random.Random) -> Sample:
    """The camera did not focus."""
    label, expected = _vial(rng)
    picture = _shoot(rng, HD, label, fill=0.4, angle=rng.uniform(-10, 10))
    picture = photo.blur(picture, rng.uniform(2.8, 3.1))
    return _finish("hard-blur", picture, [expected], "hard", rng, tags=("blur",))


def noisy_dark_card(rng: random.Random) -> Sample:
    """A subject card at night: dark and grainy."""
    card, expected = _subject_card(rng, module=4)
    picture = _shoot(rng, HD, card, fill=0.5, angle=rng.uniform(-15, 15))
    picture = photo.contrast(picture, low=5, high=rng.randint(55, 70))
    picture = photo.add_noise(picture, rng, sigma=rng.uniform(14, 20))
    return _finish("hard-dark-noisy", picture, [expected], "hard", rng, tags=("dark", "noise"))


def glare_on_vial(rng: random.Random) -> Sample:
    """Flash reflected on a glossy label."""
    label, expected = _vial(rng)
    picture = _shoot(rng, HD, label, fill=0.45, angle=rng.uniform(-10, 10))
    picture = photo.glare(picture, rng, strength=rng.uniform(1.2, 1.6))
    return _finish("hard-glare", picture, [expected], "hard", rng, tags=("glare",))


def faded_carton(rng: random.Random) -> Sample:
    """A faded thermal print in dim light: little contrast left."""
    label, expected = _carton(rng)
    picture = _shoot(rng, FULL_HD, label, fill=0.7, angle=rng.uniform(-8, 8))
    picture = photo.contrast(picture, low=rng.randint(120, 135), high=rng.randint(150, 160))
    return _finish("hard-low-contrast", picture, expected, "hard", rng, tags=("contrast",))


def curved_vial(rng: random.Random) -> Sample:
    """A label wrapped around a small vial."""
    label, expected = _vial(rng, module=6)
    curved = photo.curve(label, wrap=rng.uniform(2.3, 2.7))
    picture = _shoot(rng, HD, curved, fill=0.45, angle=rng.uniform(-8, 8))
    return _finish("hard-curved-vial", picture, [expected], "hard", rng, tags=("curved",))


def tiny_modules(rng: random.Random) -> Sample:
    """A vial far from the camera: under two pixels per module."""
    label, expected = _vial(rng, module=4)
    picture = _shoot(rng, HD, label, fill=0.12, angle=rng.uniform(-10, 10))
    return _finish("hard-tiny", picture, [expected], "hard", rng, tags=("small",))


def heavy_jpeg(rng: random.Random) -> Sample:
    """A photo squeezed hard by a messaging app."""
    card, expected = _id_card(rng, module=3)
    picture = _shoot(rng, HD, card, fill=0.45, angle=rng.uniform(-10, 10))
    picture = photo.blur(picture, 1.0)
    return _finish("hard-jpeg", picture, [expected], "hard", rng, quality=rng.randint(8, 12), tags=("jpeg",))


def large_far_vial(rng: random.Random) -> Sample:
    """A 12 MP photo where the vial label is small in the frame."""
    label, expected = _vial(rng, module=5)
    picture = _shoot(rng, TWELVE_MP, label, fill=0.06, angle=rng.uniform(-10, 10))
    return _finish("hard-12mp-far", picture, [expected], "hard", rng, tags=("12mp", "small"))


# --- none -----------------------------------------------------------------------------


def desk_without_code(rng: random.Random) -> Sample:
    """Clutter and printed text, no barcode."""
    scene = photo.background(FULL_HD, rng)
    label = render.label([Image.new("L", (300, 120), 250)], rng=rng, text_lines=8)
    picture = photo.place(scene, label, photo.frame(FULL_HD, label.size, rng, fill=0.5))
    return _finish("none-desk", picture, [], "none", rng)


def stripes_without_code(rng: random.Random) -> Sample:
    """Regular dark bars (a radiator, blinds): the classic 1D false positive."""
    scene = photo.background(HD, rng)
    bars = Image.new("L", (600, 300), 235)
    x = 20
    while x < 580:
        width = rng.choice((3, 6, 9, 12))
        bars.paste(20, (x, 20, min(580, x + width), 280))
        x += width + rng.choice((3, 6, 9, 12))
    picture = photo.place(scene, bars, photo.frame(HD, bars.size, rng, fill=0.6))
    return _finish("none-stripes", picture, [], "none", rng)


def dark_room_without_code(rng: random.Random) -> Sample:
    """A dark, noisy picture: nothing to find, and the hint should say it is dark."""
    scene = photo.contrast(photo.background(HD, rng), low=0, high=40)
    return _finish("none-dark", photo.add_noise(scene, rng, sigma=8), [], "none", rng)


def large_without_code(rng: random.Random) -> Sample:
    """A 12 MP photo without any code (the slowest case: every retry runs)."""
    scene = photo.background(TWELVE_MP, rng)
    return _finish("none-12mp", scene, [], "none", rng, tags=("12mp",))


CLEAN: tuple[Recipe, ...] = (
    clean_vial,
    clean_carton,
    clean_id_card,
    clean_subject_card,
    clean_ean,
    clean_tray,
)
HARD: tuple[Recipe, ...] = (
    steep_angle,
    carton_at_45,
    ean_at_angle,
    blurred_vial,
    noisy_dark_card,
    glare_on_vial,
    faded_carton,
    curved_vial,
    tiny_modules,
    heavy_jpeg,
)
NONE: tuple[Recipe, ...] = (desk_without_code, stripes_without_code, dark_room_without_code)
LARGE: tuple[Recipe, ...] = (clean_large_vial, large_far_vial)
LARGE_NONE: tuple[Recipe, ...] = (large_without_code,)


@lru_cache(maxsize=4)
def build(variants: int = 1, *, large: bool = True, seed: int = 2024) -> tuple[Sample, ...]:
    """The corpus: ``variants`` photos of every recipe (12 MP ones once if ``large``)."""
    samples: list[Sample] = []
    recipes = CLEAN + HARD + NONE
    for index, recipe in enumerate(recipes):
        for variant in range(variants):
            rng = random.Random(seed * 1000 + index * 37 + variant)
            sample = recipe(rng)
            samples.append(_renamed(sample, variant, recipe))
    if large:
        for index, recipe in enumerate(LARGE + LARGE_NONE):
            rng = random.Random(seed * 7 + index)
            samples.append(_renamed(recipe(rng), 0, recipe))
    return tuple(samples)


def _renamed(sample: Sample, variant: int, recipe: Recipe) -> Sample:
    return Sample(
        f"{sample.name}-{variant}",
        sample.data,
        sample.expected,
        sample.difficulty,
        sample.tags,
        recipe.__name__,
    )
