"""Reading the old PostgreSQL database: psycopg 3 (async), server-side cursors, batches.

Every entity is read through a named (server-side) cursor in a fixed order, ``--batch`` rows
at a time, so the importer's memory stays flat whatever the table's size. An import *window*
``(done, high]`` of primary keys is fixed when an entity's pass starts (``high`` = the largest
id then), so rows inserted while a pass runs wait for the next run instead of being half-seen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import psycopg
from psycopg.rows import dict_row

Row = dict[str, Any]


class LegacySource:
    """Two connections: one streams an entity through its cursor, the other answers small
    lookups (plans, one batch's referenced rows) meanwhile."""

    def __init__(self, stream: psycopg.AsyncConnection[Row], lookup: psycopg.AsyncConnection[Row]) -> None:
        self.conn = stream
        self.lookup = lookup
        self._cursor_number = 0

    @classmethod
    async def connect(cls, dsn: str) -> LegacySource:
        stream = await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row)
        lookup = await psycopg.AsyncConnection.connect(dsn, row_factory=dict_row, autocommit=True)
        await stream.set_read_only(True)
        await lookup.set_read_only(True)
        return cls(stream, lookup)

    async def close(self) -> None:
        await self.conn.close()
        await self.lookup.close()

    async def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        async with self.lookup.cursor(row_factory=psycopg.rows.tuple_row) as cursor:
            await cursor.execute(sql, params)
            row = await cursor.fetchone()
        return row[0] if row else None

    async def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        """A small query read whole (plans, lookups for one batch)."""
        async with self.lookup.cursor() as cursor:
            await cursor.execute(sql, params)
            return await cursor.fetchall()

    async def max_id(self, table: str) -> int:
        return int(await self.scalar(f"SELECT coalesce(max(id), 0) FROM {table}") or 0)

    async def count(self, table: str, low: int, high: int) -> int:
        return int(await self.scalar(f"SELECT count(*) FROM {table} WHERE id > %s AND id <= %s", (low, high)))

    async def batches(self, sql: str, params: tuple[Any, ...], batch: int) -> AsyncIterator[list[Row]]:
        """``sql`` through a named cursor, ``batch`` rows at a time."""
        self._cursor_number += 1
        async with self.conn.transaction():
            async with self.conn.cursor(name=f"legacy_import_{self._cursor_number}") as cursor:
                cursor.itersize = batch
                await cursor.execute(sql, params)
                while True:
                    found = await cursor.fetchmany(batch)
                    if not found:
                        return
                    yield found
