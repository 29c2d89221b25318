"""Which migration steps ran, recorded in the table itself."""

from __future__ import annotations

import time

from algoitny.table import keys
from algoitny.table.client import Table
from algoitny.table.codec import MIGRATION


class MigrationLog:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def applied(self) -> set[int]:
        numbers = set()
        async for item in self.table.query_all(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.MIGRATION_PK}},
            ConsistentRead=True,
        ):
            numbers.add(MIGRATION.decode(item)["number"])
        return numbers

    async def record(self, number: int, name: str) -> None:
        fields = {"number": number, "name": name, "applied_at": int(time.time() * 1000)}
        await self.table.put(MIGRATION.encode(fields, keys.migration_key(number)))
