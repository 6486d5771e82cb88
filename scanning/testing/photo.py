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


def motion_blur(image: Image.Image, length: float, *, angle: float = 0.0) -> Image.Image:
    """Camera shake: the picture smeared over ``length`` pixels along ``angle`` degrees.

    Averages copies shifted along the path (Pillow's kernels stop at 5x5).
    """
    steps = max(2, round(length) + 1)
    rad = math.radians(angle)
    out = image
    for index in range(1, steps):
        offset = length * (index / (steps - 1) - 0.5)
        dx, dy = offset * math.cos(rad), offset * math.sin(rad)
        shifted = image.transform(image.size, Image.Transform.AFFINE, (1, 0, dx, 0, 1, dy), Image.Resampling.BILINEAR)
        # Running mean: the index-th copy weighs 1/(index+1).
        out = Image.blend(out, shifted, 1 / (index + 1))
    return out


def glare_band(image: Image.Image, quad: Quad, rng: random.Random, *, strength: float, width: float) -> Image.Image:
    """A lamp's reflection as a bright band across the middle of ``quad``.

    ``width`` is the band's width as a share of the item's size; ``strength``
    above 1 saturates its core to white (the code underneath is lost there).
    """
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    size = max(max(xs) - min(xs), max(ys) - min(ys))
    band = Image.new("L", (256, 256), 0)
    ImageDraw.Draw(band).rectangle((0, 128 - 64, 255, 128 + 64), fill=255)
    band = band.filter(ImageFilter.GaussianBlur(28)).point(lambda v: int(min(255, v * strength)))
    side = round(size * 1.6)
    band = band.resize((side, max(1, round(side * width))))
    band = band.rotate(rng.uniform(-60, 60), expand=True, resample=Image.Resampling.BILINEAR)
    cx = (min(xs) + max(xs)) / 2 + rng.uniform(-0.1, 0.1) * size
    cy = (min(ys) + max(ys)) / 2 + rng.uniform(-0.1, 0.1) * size
    mask = Image.new("L", image.size, 0)
    mask.paste(band, (round(cx - band.size[0] / 2), round(cy - band.size[1] / 2)))
    return Image.composite(Image.new("L", image.size, 255), image, mask)


def fold(item: Image.Image, *, at: float, shade: int) -> tuple[Image.Image, Image.Image]:
    """``item`` creased at ``at`` (share of its width): both halves, the right one shaded.

    Place the halves with :func:`folded_quads` so the right half turns away
    from the camera.
    """
    cut = round(item.size[0] * at)
    left = item.crop((0, 0, cut, item.size[1]))
    right = item.crop((cut, 0, item.size[0], item.size[1])).point(lambda v: max(0, v - shade))
    # The crease itself catches light differently: a thin dark line.
    ImageDraw.Draw(right).line((0, 0, 0, right.size[1]), fill=max(0, 160 - shade), width=2)
    return left, right


def folded_quads(quad: Quad, *, at: float, bend: float) -> tuple[Quad, Quad]:
    """The two halves' corners within ``quad``: the right half foreshortened and tilted."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad

    def lerp(a: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
        return a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t

    top, bottom = lerp((x0, y0), (x1, y1), at), lerp((x3, y3), (x2, y2), at)
    # Turning away shortens the right half and pulls its far edge in and up.
    reach = 1 - bend * 0.8
    far_top = lerp(top, (x1, y1), reach)
    far_bottom = lerp(bottom, (x2, y2), reach)
    height = math.dist(top, bottom)
    lift = bend * 0.18 * height
    far_top = (far_top[0], far_top[1] + lift)
    far_bottom = (far_bottom[0], far_bottom[1] - lift * 0.4)
    return ((x0, y0), top, bottom, (x3, y3)), (top, far_top, far_bottom, bottom)


def hand(scene: Image.Image, quad: Quad, rng: random.Random) -> Image.Image:
    """Fingers and a thumb holding the item at ``quad``'s left or bottom edge."""
    out = scene.copy()
    draw = ImageDraw.Draw(out)
    (x0, y0), _, (x2, y2), (x3, y3) = quad
    skin = rng.randint(120, 175)
    width = math.dist((x0, y0), (x2, y2)) * 0.09
    # The thumb lies over the card's left edge; the fingers show below it.
    for index in range(4):
        t = 0.35 + 0.15 * index
        cx = x0 + (x3 - x0) * t
        cy = y0 + (y3 - y0) * t
        draw.ellipse((cx - width * 1.6, cy - width / 2, cx + width * 0.4, cy + width / 2), fill=skin)
    draw.ellipse((x3 - width, y3 - width * 2.2, x3 + width * 1.2, y3 + width * 1.8), fill=max(0, skin - 25))
    return out.filter(ImageFilter.GaussianBlur(0.6))


def webp(image: Image.Image, *, quality: int) -> bytes:
    """The photo as a messaging app re-encodes it (WebP, lossy)."""
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=quality, method=4)
    return buffer.getvalue()
