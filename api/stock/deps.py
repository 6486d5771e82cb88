"""The store a stock route names, if the caller may read it (``store``) or keep it
(``kept_store``); any other store answers 404 as a missing one does."""

from __future__ import annotations

from typing import Any

from litestar.di import Provide

from api.scope import Scope
from api.stock import stores


async def readable_store(area: Scope, store_id: int) -> dict[str, Any]:
    return await stores.readable(area, store_id)


async def kept_store(area: Scope, store_id: int) -> dict[str, Any]:
    return await stores.kept(area, store_id)


STORE_DEPENDENCIES = {"store": Provide(readable_store), "kept_store": Provide(kept_store)}
