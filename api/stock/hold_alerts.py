"""The stores holding a lot put on hold are told at once: one outbox row for each active
stock clerk of a facility whose store has a balance of it, in the clerk's language, in
the hold's own unit of work (docs/records.md, "AEFI and lot hold"). Delivery is the
outbox's (issue 15)."""

from __future__ import annotations

from typing import Any

from api import clock
from api.stock import alerts
from db.tables import StockBalance
from push import outbox

TEMPLATE = "lot.hold"
_TEXT = {
    "vi": "Lô {lot} ({product}) đã bị tạm dừng sử dụng ở mọi nơi. Không cấp phát, không tiêm từ lô này.{why}",
    "en": "Lot {lot} ({product}) is on hold everywhere. Do not issue or give doses from it.{why}",
}
_WHY = {"vi": " Lý do: {reason}", "en": " Reason: {reason}"}


def body(language: str, lot: dict[str, Any], reason: str) -> str:
    chosen = "en" if language.lower().startswith("en") else "vi"
    why = _WHY[chosen].format(reason=reason) if reason else ""
    return _TEXT[chosen].format(lot=lot["number"], product=lot["product_code"], why=why)


async def alert_holders(lot: dict[str, Any], reason: str) -> int:
    """Queue the alert for the clerks of every store with doses of ``lot`` (inside the
    caller's unit of work); the number queued."""
    holding = await StockBalance.select(StockBalance.store.facility.as_alias("facility")).where(
        (StockBalance.lot == lot["id"]) & (StockBalance.doses > 0)
    )
    clerks = await alerts.clerks_of(row["facility"] for row in holding)
    return await outbox.enqueue_to_accounts(
        clerks,
        template=TEMPLATE,
        body=lambda language: body(language, lot, reason),
        reference=f"lot:{lot['id']}",
        now=clock.current().now(),
        data={"lot": lot["id"], "reason": reason},
    )
