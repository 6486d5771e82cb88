"""The vaccine catalogue: products used in Vietnam (``data/catalogue.toml``).

A product is what a vial or box is: trade name, manufacturer, presentation, doses per
container, GTINs. Each has a stable ``id`` (the stock ledger keeps it) and the vaccine
``code`` a dose of it is recorded with, which gives its antigens through the schedule.

    >>> from schedule.vn import catalogue
    >>> catalogue.by_id("vn-hexaxim").code
    '146'
    >>> catalogue.antigens("vn-hexaxim")[:3]
    ('Diphtheria', 'Tetanus', 'Pertussis')
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from schedule.vn.loader import DATA_DIR, DataError, load

__all__ = [
    "Catalogue",
    "Product",
    "all_products",
    "antigens",
    "by_code",
    "by_gtin",
    "by_id",
    "load_catalogue",
    "normalize_gtin",
]

_KEYS = frozenset(
    {
        "id",
        "trade_name",
        "name",
        "name_vi",
        "manufacturer",
        "mvx",
        "code",
        "presentation",
        "doses_per_container",
        "dose_volume_ml",
        "route",
        "programme",
        "gtin",
        "confidence",
        "note",
    }
)
_REQUIRED = ("id", "trade_name", "name", "name_vi", "manufacturer", "code", "programme")


@dataclass(frozen=True, slots=True)
class Product:
    """A vaccine product as supplied in Vietnam."""

    id: str
    trade_name: str
    name: str
    name_vi: str
    manufacturer: str
    code: str
    programme: str
    mvx: str = ""
    presentation: str = ""
    doses_per_container: int = 1
    dose_volume_ml: float | None = None
    route: str = ""
    gtins: tuple[str, ...] = ()
    confidence: str = "confirmed"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All products, indexed by id, by GTIN (14 digits) and by vaccine code."""

    products: tuple[Product, ...]
    ids: MappingProxyType[str, Product]
    gtins: MappingProxyType[str, Product]
    codes: MappingProxyType[str, tuple[Product, ...]]


def normalize_gtin(text: str) -> str:
    """A GTIN-8/12/13/14 as 14 digits (left-padded with zeros).

    Raises ``ValueError`` when it is not 8, 12, 13 or 14 digits or its check digit
    (GS1 mod 10) is wrong.
    """
    digits = text.strip().replace(" ", "")
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise ValueError(f"not a GTIN: {text!r}")
    digits = digits.zfill(14)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13]))
    if (10 - total % 10) % 10 != int(digits[13]):
        raise ValueError(f"GTIN check digit is wrong: {text!r}")
    return digits


def _product(raw: dict[str, Any], where: str, known_codes: frozenset[str]) -> Product:
    unknown = set(raw) - _KEYS
    if unknown:
        raise DataError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in _REQUIRED:
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise DataError(f"{where}: {key} is required (text)")
    if raw["code"] not in known_codes:
        raise DataError(f"{where}: unknown vaccine code {raw['code']!r} (add it to schedule.toml)")
    if raw["programme"] not in ("EPI", "service"):
        raise DataError(f"{where}: programme must be EPI or service")
    gtins = raw.get("gtin", [])
    if not isinstance(gtins, list):
        raise DataError(f"{where}: gtin must be a list")
    try:
        normalized = tuple(normalize_gtin(str(g)) for g in gtins)
    except ValueError as exc:
        raise DataError(f"{where}: {exc}") from None
    volume = raw.get("dose_volume_ml")
    return Product(
        id=raw["id"],
        trade_name=raw["trade_name"],
        name=raw["name"],
        name_vi=raw["name_vi"],
        manufacturer=raw["manufacturer"],
        code=raw["code"],
        programme=raw["programme"],
        mvx=str(raw.get("mvx", "")),
        presentation=str(raw.get("presentation", "")),
        doses_per_container=int(raw.get("doses_per_container", 1)),
        dose_volume_ml=float(volume) if volume is not None else None,
        route=str(raw.get("route", "")),
        gtins=normalized,
        confidence=str(raw.get("confidence", "confirmed")),
        note=str(raw.get("note", "")),
    )


@lru_cache(maxsize=4)
def _load(folder: str) -> Catalogue:
    root = Path(folder)
    known = frozenset(load(root).timeline.vaccines)
    path = root / "catalogue.toml"
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path.name}: {exc}") from None
    products = []
    ids: dict[str, Product] = {}
    gtins: dict[str, Product] = {}
    codes: dict[str, list[Product]] = {}
    for n, raw in enumerate(data.get("product", []), start=1):
        where = f"{path.name}: product {raw.get('id') or f'#{n}'}"
        product = _product(raw, where, known)
        if product.id in ids:
            raise DataError(f"{where}: id listed twice")
        for gtin in product.gtins:
            if gtin in gtins:
                raise DataError(f"{where}: GTIN {gtin} already belongs to {gtins[gtin].id}")
            gtins[gtin] = product
        ids[product.id] = product
        codes.setdefault(product.code, []).append(product)
        products.append(product)
    return Catalogue(
        tuple(products),
        MappingProxyType(ids),
        MappingProxyType(gtins),
        MappingProxyType({code: tuple(items) for code, items in codes.items()}),
    )


def load_catalogue(data_dir: str | Path | None = None) -> Catalogue:
    """Load (once, then cached) the catalogue in ``data_dir`` (default: shipped data)."""
    return _load(str(Path(data_dir or DATA_DIR).resolve()))


def all_products(data_dir: str | Path | None = None) -> tuple[Product, ...]:
    """Every product, in file order."""
    return load_catalogue(data_dir).products


def by_id(product_id: str, data_dir: str | Path | None = None) -> Product:
    """The product with this stable id; ``KeyError`` if none."""
    return load_catalogue(data_dir).ids[product_id]


def by_gtin(gtin: str, data_dir: str | Path | None = None) -> Product | None:
    """The product a scanned GTIN (8 to 14 digits) belongs to, or ``None``.

    Raises ``ValueError`` when ``gtin`` is not a valid GTIN.
    """
    return load_catalogue(data_dir).gtins.get(normalize_gtin(gtin))


def by_code(code: str, data_dir: str | Path | None = None) -> tuple[Product, ...]:
    """Products recorded with this vaccine code (CVX or local)."""
    return load_catalogue(data_dir).codes.get(code, ())


def antigens(product_id: str, data_dir: str | Path | None = None) -> tuple[str, ...]:
    """Antigens a dose of this product counts for (from its vaccine code)."""
    product = by_id(product_id, data_dir)
    vaccine = load(data_dir).timeline.vaccines[product.code]
    return tuple(a.antigen for a in vaccine.antigens)
