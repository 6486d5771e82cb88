"""Making a clean label look like a phone photo of it, with Pillow only.

Each effect is a small function of a picture and a seeded random source, so a
corpus is the same on every machine and every run.
"""

from __future__ import annotations

import io
import math
import random
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


def background(size: tuple[int, int], rng: random.Random, *, busy: bool = True) -> Image.Image:
    """A desk or tray: a lit gradient, grain, and (when busy) clutter with edges."""
    width, height = size
    small = Image.linear_gradient("L").resize((64, 64)).rotate(rng.uniform(0, 360))
    base = rng.randint(90, 170)
    lit = small.point(lambda v: int(base + (v - 128) * 0.35)).resize(size, Image.Resampling.BICUBIC)
    scene = add_noise(lit, rng, sigma=6)
    if busy:
        draw = ImageDraw.Draw(scene)
        for _ in range(rng.randint(6, 14)):
            x0, y0 = rng.randrange(width), rng.randrange(height)
            x1 = x0 + rng.randint(width // 20, width // 4)
            y1 = y0 + rng.randint(height // 20, height // 4)
            tone = rng.randint(20, 235)
            if rng.random() < 0.5:
                draw.ellipse((x0, y0, x1, y1), fill=tone)
            else:
                draw.rectangle((x0, y0, x1, y1), fill=tone)
        for _ in range(rng.randint(10, 30)):
            # Thin parallel strokes: wood grain, keyboard gaps, printed rules.
            x, y = rng.randrange(width), rng.randrange(height)
            length = rng.randint(width // 30, width // 8)
            draw.line((x, y, x + length, y + rng.randint(-4, 4)), fill=rng.randint(0, 255), width=2)
    return scene


def place(
    scene: Image.Image,
    item: Image.Image,
    quad: Quad,
) -> Image.Image:
    """``item`` drawn into ``scene`` with its corners at ``quad`` (perspective)."""
    width, height = item.size
    coeffs = _perspective_coefficients(quad, ((0, 0), (width, 0), (width, height), (0, height)))
    warped = item.transform(scene.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    mask = Image.new("L", item.size, 255).transform(
        scene.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR
    )
    out = scene.copy()
    out.paste(warped, (0, 0), mask)
    return out


def frame(
    scene_size: tuple[int, int],
    item_size: tuple[int, int],
    rng: random.Random,
    *,
    fill: float,
    angle: float = 0.0,
    tilt: float = 0.0,
) -> Quad:
    """Where an item lands: ``fill`` of the scene's short side, turned, tilted."""
    sw, sh = scene_size
    iw, ih = item_size
    factor = fill * min(sw, sh) / max(iw, ih)
    w, h = iw * factor, ih * factor
    cx = rng.uniform(w / 2 + 0.05 * sw, max(w / 2 + 0.05 * sw, sw - w / 2 - 0.05 * sw))
    cy = rng.uniform(h / 2 + 0.05 * sh, max(h / 2 + 0.05 * sh, sh - h / 2 - 0.05 * sh))
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    # Tilt: the far edge shrinks, as when the phone is not parallel to the label.
    shrink = [1 - tilt, 1 - tilt, 1.0, 1.0]
    rad = math.radians(angle)
    cos, sin = math.cos(rad), math.sin(rad)
    points = []
    for (x, y), s in zip(corners, shrink, strict=True):
        x *= s
        points.append((cx + x * cos - y * sin, cy + x * sin + y * cos))
    return (points[0], points[1], points[2], points[3])


def curve(item: Image.Image, *, wrap: float) -> Image.Image:
    """``item`` as seen on a vial: wrapped around a cylinder, edges squeezed and shaded.

    ``wrap`` is the angle (radians) the label covers on the visible half.
    """
    width, height = item.size
    radius = width / (2 * math.sin(wrap / 2)) if wrap > 0 else float("inf")
    visible = round(2 * radius * math.sin(wrap / 2))
    strips = 48
    mesh = []
    for i in range(strips):
        # Output x positions spread evenly; source x follows the arc length.
        x0 = visible * i / strips
        x1 = visible * (i + 1) / strips
        a0 = math.asin(max(-1.0, min(1.0, (x0 - visible / 2) / radius)))
        a1 = math.asin(max(-1.0, min(1.0, (x1 - visible / 2) / radius)))
        s0 = width / 2 + a0 * radius
        s1 = width / 2 + a1 * radius
        box = (round(x0), 0, round(x1), height)
        quad = (s0, 0, s0, height, s1, height, s1, 0)
        mesh.append((box, quad))
    curved = item.transform((visible, height), Image.Transform.MESH, mesh, Image.Resampling.BICUBIC)
    shade = Image.linear_gradient("L").rotate(90).resize((visible, height))
    # Darker towards both edges of the vial, like light falling off a cylinder.
    edges = ImageChops.difference(shade, Image.new("L", shade.size, 128)).point(lambda v: 255 - int(v * 0.6))
    return ImageChops.multiply(curved, edges)


def add_noise(image: Image.Image, rng: random.Random, *, sigma: float) -> Image.Image:
    """Sensor noise: zero-mean Gaussian of ``sigma`` grey levels, from the seed."""
    tile = _noise_tile(rng.randrange(_NOISE_SEEDS))
    # Tiling a seeded 256x256 patch at a seeded offset keeps the corpus
    # identical on every run (Pillow's effect_noise cannot be seeded).
    plane = Image.new("L", image.size)
    dx, dy = rng.randrange(256), rng.randrange(256)
    for y in range(-dy, image.size[1], 256):
        for x in range(-dx, image.size[0], 256):
            plane.paste(tile, (x, y))
    scaled = plane.point(lambda v: max(0, min(255, round(128 + (v - 128) * sigma / 32))))
    return ImageChops.add(image, scaled, scale=1.0, offset=-128)


_NOISE_SEEDS = 4


@lru_cache(maxsize=_NOISE_SEEDS)
def _noise_tile(seed: int) -> Image.Image:
    """256x256 Gaussian noise of sigma 32 around 128."""
    rng = random.Random(seed)
    values = bytes(max(0, min(255, round(rng.gauss(128, 32)))) for _ in range(256 * 256))
    return Image.frombytes("L", (256, 256), values)


def blur(image: Image.Image, radius: float) -> Image.Image:
    """Defocus or shake."""
    return image.filter(ImageFilter.GaussianBlur(radius))


def glare(image: Image.Image, rng: random.Random, *, strength: float) -> Image.Image:
    """A bright reflection (flash or window) somewhere on the picture."""
    size = round(min(image.size) * rng.uniform(0.35, 0.6))
    spot = ImageOps.invert(Image.radial_gradient("L")).resize((size, size))
    spot = spot.point(lambda v: int(min(255, v * strength)))
    mask = Image.new("L", image.size, 0)
    x = rng.randrange(max(1, image.size[0] - size))
    y = rng.randrange(max(1, image.size[1] - size))
    mask.paste(spot, (x, y))
    white = Image.new("L", image.size, 255)
    return Image.composite(white, image, mask)


def contrast(image: Image.Image, *, low: int, high: int) -> Image.Image:
    """Squeeze the grey range into ``low``..``high`` (faded print, dim light)."""
    span = (high - low) / 255
    return image.point(lambda v: int(low + v * span))


def colour(image: Image.Image, rng: random.Random) -> Image.Image:
    """A grey picture as a colour photo with a white-balance cast."""
    gains = [rng.uniform(0.85, 1.05) for _ in range(3)]
    bands = [image.point(lambda v, g=g: min(255, int(v * g))) for g in gains]
    return Image.merge("RGB", bands)


def jpeg(image: Image.Image, *, quality: int, orientation: int = 1) -> bytes:
    """The photo as the phone would upload it; ``orientation`` is the EXIF tag value."""
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    image.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    """A lossless upload (screenshots, scans)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def unrotate_for_exif(image: Image.Image, orientation: int) -> Image.Image:
    """The sensor picture that, with ``orientation`` in EXIF, shows as ``image``."""
    if orientation == 6:  # shown after turning 90° clockwise
        return image.transpose(Image.Transpose.ROTATE_90)
    if orientation == 8:
        return image.transpose(Image.Transpose.ROTATE_270)
    if orientation == 3:
        return image.transpose(Image.Transpose.ROTATE_180)
    return image


def _perspective_coefficients(target: Quad, source: tuple[tuple[float, float], ...]) -> tuple[float, ...]:
    """Pillow's PERSPECTIVE data: for each output point, where to read in the input."""
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    return tuple(_solve(rows, rhs))


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (8 unknowns: no numpy needed)."""
    n = len(rhs)
    a = [[*row, value] for row, value in zip(matrix, rhs, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    return [a[i][n] / a[i][i] for i in range(n)]
