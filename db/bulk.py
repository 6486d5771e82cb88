"""Writing many rows in few statements, for a command that writes thousands at once
(``niis import-places``): multi-row inserts, one ``UPDATE … FROM (VALUES …)`` per
chunk, and row ids taken before the rows are written so that other rows can name them.

Both engines cap the parameters of one statement (SQLite 32,766, asyncpg 32,767): rows
go in chunks that stay well below."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from piccolo.columns import JSON, JSONB
from piccolo.table import Table
from piccolo.utils.encoding import dump_json

from db.engine import is_sqlite

PARAMETERS_PER_STATEMENT = 20_000
T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def insert_all(table: type[Table], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (column name → value, the same columns in each) into ``table`` in
    as few statements as the cap allows. Plain SQL: building a Piccolo row object and
    query string per row costs more than the database's work at this size."""
    if not rows:
        return
    columns = [table._meta.get_column_by_name(name) for name in rows[0]]
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    one_row = f"({', '.join('{}' for _ in columns)})"
    encoded = [(column._meta.name, isinstance(column, JSON | JSONB)) for column in columns]
    size = max(1, PARAMETERS_PER_STATEMENT // len(columns))
    for chunk in chunks(rows, size):
        values = ", ".join([one_row] * len(chunk))
        args = [_json(row[name]) if is_json else row[name] for row in chunk for name, is_json in encoded]
        await table.raw(f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES {values}', *args)


def _json(value: Any) -> Any:
    # As Piccolo writes a JSON column: a string, or NULL.
    return value if value is None or isinstance(value, str) else dump_json(value)


async def update_all(table: type[Table], columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``columns`` (name, SQL type) of the rows whose id is each row's first value to
    the values that follow it: one statement per chunk instead of one per row."""
    if not rows:
        return
    postgres = not is_sqlite(table._meta.db)
    # PostgreSQL types the VALUES list from its parameters, which carry none; SQLite
    # keeps what it is given (a CAST would turn a date into a number).
    placeholders = ["{}::integer" if postgres else "{}"] + [
        f"{{}}::{kind}" if postgres else "{}" for _, kind in columns
    ]
    one_row = f"({', '.join(placeholders)})"
    name = table._meta.tablename
    assignments = ", ".join(f'"{column}" = v.column{index}' for index, (column, _) in enumerate(columns, start=2))
    size = max(1, PARAMETERS_PER_STATEMENT // (len(columns) + 1))
    for chunk in chunks(rows, size):
        values = ", ".join([one_row] * len(chunk))
        sql = f'UPDATE "{name}" SET {assignments} FROM (VALUES {values}) AS v WHERE "{name}".id = v.column1'
        await table.raw(sql, *(value for row in chunk for value in row))


class IdSource:
    """The next ids of a table's serial primary key, for rows not written yet.

    PostgreSQL: taken from the table's sequence in blocks that double in size (one id
    for a change of one unit, a few queries for a file of thousands; unused ones are
    gaps, as after any rollback). SQLite: the table's largest id and up, as SQLite
    itself would assign them; only valid while the caller holds the write lock (the
    unit of work's ``BEGIN IMMEDIATE``) until the rows are written."""

    LARGEST_BLOCK = 4096

    def __init__(self, table: type[Table]) -> None:
        self.table = table
        self._free: deque[int] = deque()
        self._block = 1
        self._last: int | None = None

    async def take(self) -> int:
        if not self._free:
            self._free.extend(await self._reserve())
        return self._free.popleft()

    async def _reserve(self) -> list[int]:
        name = self.table._meta.tablename
        if is_sqlite(self.table._meta.db):
            if self._last is None:
                rows = await self.table.raw(f'SELECT max(id) AS last FROM "{name}"')
                self._last = int(rows[0]["last"] or 0)
            self._last += 1
            return [self._last]
        rows = await self.table.raw(
            "SELECT nextval(pg_get_serial_sequence({}, 'id')) AS id FROM generate_series(1, {})", name, self._block
        )
        self._block = min(self._block * 2, self.LARGEST_BLOCK)
        return [int(row["id"]) for row in rows]
