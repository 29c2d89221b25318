"""Usage statistics per UTC day, kept as counters when events happen (no scans).

Every finished submission adds to the day's counters, so one item per day would
be a hot key: each day is spread over ``SHARDS`` items (``STATS#{day}#{n}``,
``n`` random per write) and reading a day sums its shards (one BatchGet for
all days). Counting is best effort: it happens after the event it counts is
stored, outside that event's transaction (a transaction that also touched the
shared counter could fail under contention and take the event with it).
"""

from __future__ import annotations

import datetime as dt
import random

from algoitny.table import keys
from algoitny.table.client import Table
from algoitny.table.codec import DAILY_STATS, ENTITY_TYPE, from_dynamo

COUNTERS = ("executions", "runs", "hints", "signups", "sign_ins", "accepted")
SHARDS = 8


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


class StatsRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def count(self, *counters: str) -> None:
        """Adds one to each counter (several counters: one request)."""
        day = today()
        names = {f"#c{i}": counter for i, counter in enumerate(counters)}
        await self.table.update(
            keys.daily_stats_key(day, random.randrange(SHARDS)),
            UpdateExpression="ADD "
            + ", ".join(f"{name} :one" for name in names)
            + " SET #tp = :tp, #day = :day",
            ExpressionAttributeNames=names | {"#tp": ENTITY_TYPE, "#day": DAILY_STATS.short("day")},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":tp": {"S": DAILY_STATS.entity_type},
                ":day": {"S": day},
            },
        )

    async def get_days(self, days: int) -> list[dict]:
        """The last ``days`` days, newest first, every counter present (0 when nothing happened)."""
        start = dt.datetime.now(dt.UTC).date()
        names = [(start - dt.timedelta(days=n)).isoformat() for n in range(days)]
        totals = {day: dict.fromkeys(COUNTERS, 0) for day in names}
        items = await self.table.batch_get(
            [keys.daily_stats_key(day, shard) for day in names for shard in range(SHARDS)]
        )
        for item in items:
            day = DAILY_STATS.decode(item)["day"]
            for counter in COUNTERS:
                if counter in item:
                    totals[day][counter] += from_dynamo(item[counter])
        return [{"day": day, **totals[day]} for day in names]
