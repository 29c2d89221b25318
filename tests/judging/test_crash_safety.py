"""SIGKILL the worker in the middle of a submission, start another: it still finishes,
each test is recorded exactly once, and a client that stayed connected sees it through."""

from __future__ import annotations

import asyncio
import signal
import sys

import httpx

from algoitny.events import EventLog
from algoitny.resources import open_redis
from algoitny.services import workers
from algoitny.table import keys
from tests.judging.helpers import ADMIN, create_problem, follow, types, worker_env

SLOW_SOLUTION = "import time\na, b = map(int, input().split())\ntime.sleep(0.4)\nprint(a + b)\n"
TESTS = 12


async def _start_worker(settings) -> asyncio.subprocess.Process:
    # One test at a time, so the kill lands mid-submission; a short lease, so recovery is quick.
    env = worker_env(settings, ALGOITNY_JUDGE__SLOTS="1", ALGOITNY_JUDGE__LEASE_S="2")
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "algoitny.cli",
        "worker",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _until_announced(redis, settings, worker: asyncio.subprocess.Process) -> None:
    while not await workers.live(redis, settings.redis.queue_name):
        assert worker.returncode is None, "the worker exited before announcing itself"
        await asyncio.sleep(0.1)


async def test_sigkill_mid_submission_then_restart(live_api, settings, table):
    redis = open_redis(settings)
    first = await _start_worker(settings)
    await _until_announced(redis, settings, first)
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as client:
        await create_problem(client, "crash", tests=TESTS)
        accepted = (
            await client.post(
                "/api/execute/",
                json={
                    "platform": "custom",
                    "problem_identifier": "crash",
                    "code": SLOW_SOLUTION,
                    "language": "python",
                },
                headers=ADMIN,
            )
        ).json()
    watcher = asyncio.ensure_future(follow(live_api, accepted["websocket"], hang_guard_s=180))
    partial: list[dict] = []
    while types(partial).count("test") < 4:
        assert not watcher.done() and first.returncode is None
        await asyncio.sleep(0.1)
        partial = await EventLog(redis).history(accepted["task_id"])
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert types(partial).count("test") < TESTS, "the kill came too late to prove anything"

    second = await _start_worker(settings)
    try:
        events = await watcher
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
        await redis.aclose()
    tests = [e for e in events if e["type"] == "test"]
    assert sorted(e["index"] for e in tests) == list(range(TESTS)), "each test exactly once, none missing"
    assert types(events).count("compiling") == 1 and types(events)[-1] == "done"
    assert events[-1]["summary"]["verdict"] == "AC" and events[-1]["summary"]["passed"] == TESTS

    results = [
        item
        async for item in table.query_all(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :r)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.submission_pk(accepted["task_id"])},
                ":r": {"S": "RES#"},
            },
        )
    ]
    assert len(results) == TESTS
    problem = await table.get(keys.problem_key("custom", "crash"))
    assert problem["exc"] == {"N": "1"}, "counted once despite two runs"
