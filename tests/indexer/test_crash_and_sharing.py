"""A killed indexer loses nothing and counts nothing twice; two indexers share the stream.

The kill test runs the real ``algoitny indexer`` as a subprocess and SIGKILLs it twice:
once between batches (the restart resumes after the checkpoint), once in the middle of a
batch (the batch was partly counted and not checkpointed: the restart applies it again,
and the per-submission markers keep every counter exact).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from algoitny.table import ShardStateRepository
from tests.indexer.helpers import (
    DAY_MS,
    Judged,
    expected_user,
    finished,
    running_indexer,
    user_view,
    wait_counted,
)

START = 1_780_000_000_000
USERS = ("ann", "bob", "cat")
PROBLEMS = (("baekjoon", "1000"), ("baekjoon", "1001"), ("codeforces", "4A"))


def _history(count: int, offset: int = 0) -> list[Judged]:
    return [
        Judged(
            USERS[n % 3],
            PROBLEMS[n % len(PROBLEMS) if n % 2 else (n // 2) % len(PROBLEMS)],
            ("python", "cpp")[n % 2],
            ("AC", "WA", "TLE")[(n // 3) % 3],
            START + (n + offset) * DAY_MS // 3,
        )
        for n in range(offset, offset + count)
    ]


async def _tail(log_path: Path) -> str:
    return _tail(log_path)


async def _start_indexer(settings, log_path: Path) -> asyncio.subprocess.Process:
    env = os.environ | {
        "ALGOITNY_TABLE__NAME": settings.table.name,
        "ALGOITNY_TABLE__ENDPOINT_URL": settings.table.endpoint_url,
        "ALGOITNY_INDEXER__LEASE_S": "2",
        "ALGOITNY_INDEXER__POLL_INTERVAL_S": "0.05",
        "ALGOITNY_INDEXER__DISCOVER_INTERVAL_S": "0.2",
        "ALGOITNY_INDEXER__APPLY_CONCURRENCY": "1",  # a batch takes a while: room to kill inside it
    }
    log = log_path.open("ab")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "algoitny.cli", "indexer", stdout=log, stderr=log, env=env
    )


async def _kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    assert await process.wait() == -signal.SIGKILL


async def _wait_at_least(statistics, count: int, process, log_path: Path) -> int:
    async with asyncio.timeout(120):
        while True:
            assert process.returncode is None, _tail(log_path)
            counted = (await statistics.get_totals()).submissions
            if counted >= count:
                return counted
            await asyncio.sleep(0.02)


async def _checkpoint(table) -> str | None:
    (state,) = (await ShardStateRepository(table).list_shards()).values()
    return state.sequence


async def test_a_killed_indexer_resumes_and_counts_everything_exactly_once(
    settings, table, problems, submissions, statistics, tmp_path
):
    log_path = tmp_path / "indexer.log"
    first = _history(6)
    first_indexer = await _start_indexer(settings, log_path)
    try:
        await finished(problems, submissions, first)
        await _wait_at_least(statistics, len(first), first_indexer, log_path)
        async with asyncio.timeout(30):
            while True:
                if await _checkpoint(table) is not None:
                    break
                await asyncio.sleep(0.05)
    finally:
        await _kill(first_indexer)
    checkpoint = await _checkpoint(table)

    rest = _history(60, offset=len(first))
    await finished(problems, submissions, rest)
    # Takes the dead indexer's lease once it expires, reads after the checkpoint: one batch.
    second_indexer = await _start_indexer(settings, log_path)
    try:
        counted = await _wait_at_least(statistics, len(first) + 3, second_indexer, log_path)
    finally:
        await _kill(second_indexer)
    assert counted < len(first) + len(rest), "killed before the batch was done"
    assert await _checkpoint(table) == checkpoint, "killed inside the batch: nothing checkpointed since"

    third_indexer = await _start_indexer(settings, log_path)
    try:
        history = first + rest
        await wait_counted(statistics, len(history), timeout_s=120)
        for user in USERS:
            assert user_view(await statistics.get_user(user)) == expected_user(history, user), user
        for platform, identifier in PROBLEMS:
            found = await statistics.get_problem(platform, identifier)
            mine = [j for j in history if j.problem == (platform, identifier)]
            assert (found.submissions, found.accepted) == (len(mine), sum(j.verdict == "AC" for j in mine))
            assert found.users_tried == len({j.user for j in mine})
            assert found.users_solved == len({j.user for j in mine if j.verdict == "AC"})
    finally:
        third_indexer.send_signal(signal.SIGTERM)
        assert await third_indexer.wait() == 0, _tail(log_path)
    (state,) = (await ShardStateRepository(table).list_shards()).values()
    assert state.owner is None, "a clean stop gives the lease up"


async def test_two_indexers_share_the_stream_without_double_counting(
    settings, dynamodb, streams, table, problems, submissions, statistics
):
    first, second = _history(5), _history(5, offset=5)
    async with (
        running_indexer(settings, dynamodb, streams, table, owner="one") as one,
        running_indexer(settings, dynamodb, streams, table, owner="two") as two,
    ):
        await finished(problems, submissions, first)
        await wait_counted(statistics, len(first))
        (state,) = (await ShardStateRepository(table).list_shards()).values()
        holder, other = (one, two) if state.owner == "one" else (two, one)
        assert state.owner == holder.owner and not other.readers, "one shard, one reader"
        await holder.close()  # it stops (and gives the lease up); the other takes over
        await finished(problems, submissions, second)
        await wait_counted(statistics, len(first) + len(second))
        assert list(other.readers) == [state.shard_id]
    history = first + second
    for user in USERS:
        assert user_view(await statistics.get_user(user)) == expected_user(history, user)
