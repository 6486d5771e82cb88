"""What a scanned code resolves to, for the person who scanned it.

The scanner knows GS1 products itself; other kinds of code are resolved by the domain
that owns them (the registry resolves subject cards and citizen ID cards), registered
with the app at start-up (``api/app.py``) as a ``Resolvers`` mapping: the scanner imports
no domain package."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from api.scope import Scope
from schedule.vn import catalogue


@dataclass(frozen=True, slots=True)
class Caller:
    """Who scanned, with their area (computed once per photo, however many codes it
    holds): a subject card resolves only to subjects they may see."""

    area: Scope
    secret_key: str


# A payload's ``kind`` → what it means to the caller (None: nothing known).
Resolver = Callable[[dict[str, Any], Caller], Awaitable[dict[str, Any] | None]]
Resolvers = Mapping[str, Resolver]


async def resolve(code: dict[str, Any], caller: Caller, resolvers: Resolvers) -> dict[str, Any] | None:
    """What a decoded code means to this caller, by its payload's kind; else None."""
    payload = code.get("payload") or {}
    resolver = resolvers.get(payload.get("kind") or "")
    return None if resolver is None else await resolver(payload, caller)


async def resolve_product(payload: dict[str, Any], _: Caller) -> dict[str, Any] | None:
    return product(payload)


BUILT_IN: dict[str, Resolver] = {"gs1": resolve_product}


def product(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The catalogue product behind a GS1 code's GTIN."""
    for gtin in (payload.get("gtin"), payload.get("contained_gtin")):
        if not gtin:
            continue
        try:
            found = catalogue.by_gtin(gtin)
        except ValueError:
            continue
        if found is not None:
            return {
                "kind": "product",
                "id": found.id,
                "trade_name": found.trade_name,
                "name_vi": found.name_vi,
                "manufacturer": found.manufacturer,
                "doses_per_container": found.doses_per_container,
                "gtin": gtin,
            }
    return None
