"""Daily usage counters (quotas), one item per subject, action and UTC day.

``consume`` is one conditional update: ``ADD cnt 1`` only while ``cnt`` is
below the limit, so N concurrent requests against a limit L succeed exactly
min(N, L) times, with no read-then-write race.
"""

from __future__ import annotations

import datetime as dt

from botocore.exceptions import ClientError

from algoitny.domain import Usage
from algoitny.table import keys
from algoitny.table.client import Table
from algoitny.table.codec import ENTITY_TYPE, USAGE, from_dynamo

_TTL_GRACE_S = 2 * 86400


def _day(now: dt.datetime) -> tuple[str, int]:
    """The UTC day's name and when it ends (epoch seconds)."""
    day = now.astimezone(dt.UTC).date()
    ends = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
    return day.isoformat(), int(ends.timestamp())


class QuotaExceeded(Exception):
    def __init__(self, usage: Usage) -> None:
        super().__init__(f"{usage.action}: {usage.count}/{usage.limit}")
        self.usage = usage


class UsageRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def consume(
        self, *, subject: str, action: str, limit: int, now: dt.datetime | None = None
    ) -> Usage:
        """Counts one use, or raises ``QuotaExceeded`` with the current usage."""
        day, resets_at = _day(now or dt.datetime.now(dt.UTC))
        key = keys.usage_key(subject, action, day)
        try:
            attributes = await self.table.update(
                key,
                UpdateExpression="ADD #cnt :one SET #tp = :tp, #act = :act, #day = :day, #ttl = :ttl",
                ConditionExpression="attribute_not_exists(#cnt) OR #cnt < :limit",
                ExpressionAttributeNames={
                    "#cnt": USAGE.short("count"),
                    "#tp": ENTITY_TYPE,
                    "#act": USAGE.short("action"),
                    "#day": USAGE.short("day"),
                    "#ttl": "ttl",
                },
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":tp": {"S": USAGE.entity_type},
                    ":act": {"S": action},
                    ":day": {"S": day},
                    ":ttl": {"N": str(resets_at + _TTL_GRACE_S)},
                },
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise QuotaExceeded(Usage(action, max(limit, 0), limit, resets_at)) from exc
        return Usage(action, from_dynamo(attributes[USAGE.short("count")]), limit, resets_at)

    async def refund(self, *, subject: str, action: str, now: dt.datetime | None = None) -> None:
        """Gives one use back (the request that consumed it failed on our side)."""
        day, _ = _day(now or dt.datetime.now(dt.UTC))
        await self.table.update(
            keys.usage_key(subject, action, day),
            UpdateExpression="ADD #cnt :minus",
            ConditionExpression="#cnt > :zero",
            ExpressionAttributeNames={"#cnt": USAGE.short("count")},
            ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
        )

    async def get(self, *, subject: str, action: str, limit: int, now: dt.datetime | None = None) -> Usage:
        day, resets_at = _day(now or dt.datetime.now(dt.UTC))
        item = await self.table.get(keys.usage_key(subject, action, day), consistent=True)
        count = USAGE.decode(item).get("count", 0) if item else 0
        return Usage(action, count, limit, resets_at)
