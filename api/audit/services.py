"""Writing and reading the append-only audit log."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, TypedDict, Unpack

from piccolo.table import Table

from api import clock
from api.context import Actor
from db.tables import AuditEvent
from db.unit_of_work import update_if_version


def _json_ready(value: Any) -> Any:
    # Dates, decimals and the like become strings: the log keeps what was shown.
    return None if value is None else json.loads(json.dumps(value, default=str))


class Details(TypedDict, total=False):
    """What an audit row says beside who did what to which entity."""

    place_id: int | None  # the place the entity belongs to (officers read the log by place)
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def event(actor: Actor, action: str, entity: str, entity_id: object, **details: Unpack[Details]) -> dict[str, Any]:
    """One audit row (column → value), not yet written: a command writing thousands
    writes them together (``db.bulk.insert_all``)."""
    return {
        "at": clock.current().now(),
        "actor": actor.account_id,
        "actor_name": actor.username,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "place": details.get("place_id"),
        "before": _json_ready(details.get("before")),
        "after": _json_ready(details.get("after")),
        "request_id": actor.request_id,
        "device_id": actor.device_id,
    }


async def record(actor: Actor, action: str, entity: str, entity_id: object, **details: Unpack[Details]) -> None:
    """Append one audit row. Call it inside the write's own transaction, so the row
    exists exactly when the write does."""
    await AuditEvent.insert(AuditEvent(**event(actor, action, entity, entity_id, **details)))


async def read(
    *,
    place_ids: Collection[int] | None,
    entity: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    limit: int = 50,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """Newest first. ``place_ids`` None means everything (national scope)."""
    query = (
        AuditEvent.select(
            *AuditEvent.all_columns(exclude=[AuditEvent.actor]),
            AuditEvent.actor.id.as_alias("actor_id"),
        )
        .order_by(AuditEvent.id, ascending=False)
        .limit(limit)
    )
    if place_ids is not None:
        query = query.where(AuditEvent.place.is_in(list(place_ids) or [-1]))
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    rows = await query
    for row in rows:
        for key in ("before", "after"):
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
    return rows


def changed_fields(before: dict[str, Any], requested: dict[str, Any]) -> dict[str, Any]:
    """The requested values that differ from the row (None means "leave as is")."""
    return {k: v for k, v in requested.items() if v is not None and before.get(k) != v}


async def update_audited(
    actor: Actor,
    table: type[Table],
    row_id: int,
    before: dict[str, Any],
    changes: dict[str, Any],
    *,
    action: str,
    entity: str,
    place_id: int | None,
    expected_version: int | None = None,
    why: dict[str, Any] | None = None,
) -> bool:
    """Apply ``changes`` to one row and audit exactly what changed; nothing when nothing did.
    ``why`` goes into the audit row beside the changes (a move's reason), not into the row.

    With ``expected_version`` the row changes only if its ``version`` still is that
    (one atomic statement); False, and no audit row, when someone changed it first."""
    if not changes:
        return True
    if expected_version is not None:
        if not await update_if_version(table, row_id, expected_version, changes):
            return False
    else:
        await table.update({getattr(table, k): v for k, v in changes.items()}).where(table._meta.primary_key == row_id)
    shown = {k: before[k] for k in changes}
    await record(actor, action, entity, row_id, place_id=place_id, before=shown, after={**changes, **(why or {})})
    return True


async def insert_audited(
    actor: Actor, row: Table, *, action: str, entity: str, place_id: int | None, shown: tuple[str, ...]
) -> int:
    """Insert ``row``, audit it with the ``shown`` fields, and return its id."""
    table = type(row)
    primary_key = table._meta.primary_key
    created = await table.insert(row).returning(primary_key)
    row_id = int(created[0][primary_key._meta.name])
    after = {name: getattr(row, name) for name in shown}
    await record(actor, action, entity, row_id, place_id=place_id, after=after)
    return row_id
