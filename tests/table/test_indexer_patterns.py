"""Access patterns of the stream indexer: shard leases and checkpoints, statistics."""

from __future__ import annotations

import asyncio

from algoitny.table import ShardStateRepository, StatisticsRepository
from algoitny.table.stats import FinishedSubmission

LEASE_MS = 60_000


def _finished(sid: str, *, user: str = "u1", problem: str = "1000", verdict: str = "AC", at: int = 10**12):
    return FinishedSubmission(sid, user, "baekjoon", problem, "python", verdict, at)


async def test_list_shard_states(table):
    shards = ShardStateRepository(table)
    assert await shards.list_shards() == {}
    for shard_id in ("s1", "s2"):
        await shards.acquire(shard_id, stream_arn="arn", owner="me", lease_ms=LEASE_MS)
    assert set(await shards.list_shards()) == {"s1", "s2"}


async def test_acquire_shard_lease(table):
    shards = ShardStateRepository(table)
    won = await asyncio.gather(
        *(shards.acquire("s1", stream_arn="arn", owner=f"o{i}", lease_ms=LEASE_MS) for i in range(5))
    )
    assert sum(state is not None for state in won) == 1, "one owner at a time"
    (owner,) = [state.owner for state in won if state is not None]
    assert await shards.acquire("s1", stream_arn="arn", owner=owner, lease_ms=LEASE_MS), "mine again"
    assert await shards.acquire("s2", stream_arn="arn", owner="a", lease_ms=-1), "an expired lease..."
    assert await shards.acquire("s2", stream_arn="arn", owner="b", lease_ms=LEASE_MS), "...is taken over"


async def test_renew_shard_lease_with_checkpoint(table):
    shards = ShardStateRepository(table)
    await shards.acquire("s1", stream_arn="arn", owner="me", lease_ms=LEASE_MS)
    assert await shards.renew("s1", owner="me", lease_ms=LEASE_MS, sequence="000123", lag_ms=40)
    assert not await shards.renew("s1", owner="thief", lease_ms=LEASE_MS, sequence="9", lag_ms=0)
    state = (await shards.list_shards())["s1"]
    assert (state.owner, state.sequence, state.lag_ms) == ("me", "000123", 40)
    assert await shards.renew("s1", owner="me", lease_ms=LEASE_MS, sequence=None, lag_ms=0)
    assert (await shards.list_shards())["s1"].sequence == "000123", "a renewal alone keeps the checkpoint"


async def test_finish_shard(table):
    shards = ShardStateRepository(table)
    await shards.acquire("s1", stream_arn="arn", owner="me", lease_ms=LEASE_MS)
    assert await shards.finish("s1", owner="me", sequence="77")
    state = (await shards.list_shards())["s1"]
    assert state.finished and state.owner is None and state.sequence == "77"
    assert await shards.acquire("s1", stream_arn="arn", owner="me", lease_ms=LEASE_MS) is None, "done"


async def test_release_shard_lease(table):
    shards = ShardStateRepository(table)
    await shards.acquire("s1", stream_arn="arn", owner="me", lease_ms=LEASE_MS)
    assert not await shards.release("s1", owner="other")
    assert await shards.release("s1", owner="me")
    assert await shards.acquire("s1", stream_arn="arn", owner="other", lease_ms=LEASE_MS), "free at once"


async def test_count_finished_submission(table):
    statistics = StatisticsRepository(table)
    assert await statistics.count_submission(_finished("a", verdict="WA"))
    assert not await statistics.count_submission(_finished("a", verdict="WA")), "once"
    # Concurrent submissions of one user to one problem race on the user × problem item.
    results = await asyncio.gather(
        *(statistics.count_submission(_finished(f"b{i}", at=10**12 + i)) for i in range(6))
    )
    assert all(results)
    user = await statistics.get_user("u1")
    assert (user.submissions, user.accepted, user.problems_tried, user.problems_solved) == (7, 6, 1, 1)
    assert (user.first_activity_at, user.last_activity_at) == (10**12, 10**12 + 5)


async def test_get_user_counts(table):
    statistics = StatisticsRepository(table)
    assert (await statistics.get_user("nobody")).submissions == 0
    await statistics.count_submission(_finished("a", user="u2", verdict="TLE"))
    user = await statistics.get_user("u2")
    assert (user.by_verdict, user.by_language, user.by_platform) == (
        {"TLE": 1},
        {"python": 1},
        {"baekjoon": 1},
    )


async def test_get_problem_statistics(table):
    statistics = StatisticsRepository(table)
    await statistics.count_submission(_finished("a", user="x", verdict="WA"))
    await statistics.count_submission(_finished("b", user="y"))
    problem = await statistics.get_problem("baekjoon", "1000")
    assert (problem.submissions, problem.accepted, problem.users_tried, problem.users_solved) == (2, 1, 2, 1)
    assert (await statistics.get_problem("baekjoon", "9")).acceptance_rate == 0.0


async def test_get_submission_totals(table):
    statistics = StatisticsRepository(table)
    await statistics.count_submission(_finished("a", problem="1"))
    await statistics.count_submission(_finished("b", problem="2", verdict="WA"))
    totals = await statistics.get_totals()
    assert (totals.submissions, totals.accepted, totals.by_verdict) == (2, 1, {"AC": 1, "WA": 1})
