"""niis_0024 links the stock products already stored to the schedule's vaccines by the
EPI short names the dose screen used to guess from; the rest stay unlinked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from db.migrations import niis_0024_stock_product_vaccine as migration
from db.tables import StockProduct
from tests.conftest import Database


@pytest.mark.usefixtures("world")  # a fresh database: not the products an earlier test left
async def test_products_stored_before_are_linked_by_their_epi_names(database: Database) -> None:
    now = datetime.now(UTC)
    for code, kind in (("BCG", "vaccine"), ("DTP-HepB-Hib", "vaccine"), ("Rota-X", "vaccine"), ("BCG-dil", "diluent")):
        await StockProduct.insert(StockProduct(code=code, name=code, kind=kind, created_at=now))
    [backfill] = migration.STATEMENTS[1:]
    await database.engine.run_ddl(backfill)
    rows = await StockProduct.select(StockProduct.code, StockProduct.vaccine_code).order_by(StockProduct.code)
    assert {row["code"]: row["vaccine_code"] for row in rows} == {
        "BCG": "19",
        "BCG-dil": "",
        "DTP-HepB-Hib": "198",
        "Rota-X": "",
    }
