"""The statistics sink, fed by a real stream reader over DynamoDB Local's stream."""

from __future__ import annotations

import asyncio
import datetime as dt

from algoitny.indexer.statistics import StatisticsSink
from algoitny.indexer.stream import to_change_record
from tests.indexer.helpers import (
    DAY_MS,
    Judged,
    expected_user,
    finished,
    running_indexer,
    until,
    user_view,
    wait_counted,
)

NOON = int(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC).timestamp() * 1000)
A, B = ("baekjoon", "1000"), ("codeforces", "1520E")


def _history() -> list[Judged]:
    return [
        Judged("ann", A, "python", "WA", NOON),
        Judged("ann", A, "python", "AC", NOON + 1000),
        Judged("ann", A, "cpp", "AC", NOON + DAY_MS),  # the same problem again: counts once
        Judged("ann", B, "cpp", "TLE", NOON + 2 * DAY_MS),
        Judged("ann", B, "cpp", "AC", NOON + 4 * DAY_MS),  # a gap: the streak starts over
        Judged("bob", A, "java", "WA", NOON + 5 * DAY_MS),
        Judged("bob", A, "java", "AC", NOON + 5 * DAY_MS + 5),
    ]


async def test_finished_submissions_are_counted_per_user_and_problem(
    settings, dynamodb, streams, table, problems, submissions, statistics
):
    history = _history()
    async with running_indexer(settings, dynamodb, streams, table, owner="one"):
        await finished(problems, submissions, history)
        await wait_counted(statistics, len(history))
    ann = await statistics.get_user("ann", today=dt.date(2026, 3, 15))
    assert user_view(ann) == expected_user(history, "ann")
    assert ann.by_platform == {"baekjoon": 3, "codeforces": 2}
    assert (ann.longest_streak_days, ann.current_streak_days) == (2, 1), "Mar 10-11, then Mar 14"
    assert (await statistics.get_user("ann", today=dt.date(2026, 3, 16))).current_streak_days == 0
    problem = await statistics.get_problem(*A)
    assert (problem.submissions, problem.accepted, problem.users_tried, problem.users_solved) == (5, 3, 2, 2)
    assert problem.by_language == {"python": 2, "cpp": 1, "java": 2} and problem.acceptance_rate == 0.6
    assert problem.by_verdict == {"WA": 2, "AC": 3}
    totals = await statistics.get_totals()
    assert (totals.submissions, totals.accepted) == (7, 4)


async def test_records_delivered_twice_change_nothing(
    settings, dynamodb, streams, table, problems, submissions, statistics
):
    history = _history()
    async with running_indexer(settings, dynamodb, streams, table, owner="one"):
        await finished(problems, submissions, history)
        await wait_counted(statistics, len(history))
    before = (
        await statistics.get_user("ann"),
        await statistics.get_problem(*A),
        await statistics.get_totals(),
    )
    # Deliver the whole stream again, twice, straight to a sink (as a restart before a checkpoint would).
    arn = (await dynamodb.describe_table(TableName=settings.table.name))["Table"]["LatestStreamArn"]
    (shard,) = (await streams.describe_stream(StreamArn=arn))["StreamDescription"]["Shards"]
    iterator = (
        await streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )
    )["ShardIterator"]
    raw = (await streams.get_records(ShardIterator=iterator))["Records"]
    records = [to_change_record(r, shard["ShardId"]) for r in raw]
    assert sum(r.entity == "hist" for r in records) >= 2 * len(history)
    sink = StatisticsSink(statistics)
    await sink.apply(records)
    await sink.apply(records[::-1])
    after = (
        await statistics.get_user("ann"),
        await statistics.get_problem(*A),
        await statistics.get_totals(),
    )
    assert after == before


class _HeldSink:
    """Applies nothing until released: an indexer that has fallen behind."""

    name = "held"

    def __init__(self) -> None:
        self.released = asyncio.Event()
        self.waiting = asyncio.Event()

    async def apply(self, records) -> None:
        if any(r.entity == "hist" for r in records):
            self.waiting.set()
            await self.released.wait()


async def _ready(api) -> dict:
    return (await api.get("/health/ready")).json()


async def test_lag_shows_in_health_ready(
    settings, dynamodb, streams, table, api, problems, submissions, statistics
):
    before = await _ready(api)
    assert before["status"] == "degraded" and before["checks"]["indexer"].startswith("no live indexer")
    assert before["indexer_lag_s"] is None
    held = _HeldSink()
    async with running_indexer(settings, dynamodb, streams, table, owner="one", extra_sinks=[held]) as reader:
        await finished(problems, submissions, _history()[:2])
        await held.waiting.wait()

        async def behind_a_second() -> dict | None:  # the lease renewal publishes the growing lag
            body = await _ready(api)
            return body if (body["indexer_lag_s"] or 0) >= 1 else None

        behind = await until(behind_a_second)
        (shard,) = reader.readers
        assert set(behind["indexer_shards"]) == {shard}
        assert behind["checks"]["indexer"].startswith("ok: 1 shards, lag")
        held.released.set()
        await wait_counted(statistics, 2)

        async def caught_up() -> bool:
            return (await _ready(api))["indexer_lag_s"] < behind["indexer_lag_s"]

        await until(caught_up)
    after = await _ready(api)
    assert after["checks"]["indexer"].startswith("no live indexer"), "a stopped indexer gave its lease up"
