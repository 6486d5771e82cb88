"""Phone photos of printed GS1 labels of vaccine cartons and vials, for the receive-by-photo
tests (the API's and the browser's)."""

from __future__ import annotations

import random

from scanning.testing import photo, render


def label_photo(hris: list[str], fmt: str, seed: int) -> bytes:
    """A phone photo of a printed label carrying ``hris`` (GS1, human-readable form)."""
    rng = random.Random(seed)
    module = 6 if fmt == "DataMatrix" else 3
    symbols = [render.symbol(hri, fmt, module=module, gs1=True) for hri in hris]
    printed = render.label(symbols, rng=rng, vertical=True, text_lines=2)
    size = (1920, 1080)
    scene = photo.place(photo.background(size, rng), printed, photo.frame(size, printed.size, rng, fill=0.6))
    return photo.jpeg(scene, quality=90)
