"""SIGKILL the worker in the middle of a counterexample search, start another: the search
runs again and exactly one result is stored and published."""

from __future__ import annotations

import asyncio
import signal
import sys

import httpx

from algoitny.events import EventLog
from algoitny.resources import open_redis
from algoitny.services import workers
from tests.counterexample.helpers import GENERATOR, stressed_problem
from tests.judging.helpers import ADMIN, follow, types, worker_env

# Wrong only from a sum of 4 (so never at size 1, rarely at size 2), and slow: the search
# is still working through the small sizes seconds after its first progress event.
SLOW_WRONG = "import time\na, b = map(int, input().split())\ntime.sleep(0.15)\nprint(a + b + (a + b >= 4))\n"


async def _start_worker(settings) -> asyncio.subprocess.Process:
    env = worker_env(settings, ALGOITNY_JUDGE__SLOTS="2", ALGOITNY_JUDGE__LEASE_S="2")
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "algoitny.cli",
        "worker",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_worker_killed_mid_search_then_one_result(live_api, settings, submissions):
    redis = open_redis(settings)
    first = await _start_worker(settings)
    while not await workers.live(redis, settings.redis.queue_name):
        assert first.returncode is None, "the worker exited before announcing itself"
        await asyncio.sleep(0.1)
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as client:
        await stressed_problem(client, "cxkill", tests=3)  # "2 3" fails
        # No validator: the search ends after its size-and-seed shrinking (fewer runs).
        small = {"generator": GENERATOR, "sizes": {"min": 1, "max": 4}}
        assert (
            await client.put("/api/problems/custom/cxkill/stress", json=small, headers=ADMIN)
        ).status_code == 200
        accepted = (
            await client.post(
                "/api/execute/",
                json={
                    "platform": "custom",
                    "problem_identifier": "cxkill",
                    "code": SLOW_WRONG,
                    "language": "python",
                },
                headers=ADMIN,
            )
        ).json()
    task_id = accepted["task_id"]
    watcher = asyncio.ensure_future(follow(live_api, accepted["websocket"], hang_guard_s=180))
    seen: list[dict] = []
    while "counterexample_progress" not in types(seen):
        assert not watcher.done() and first.returncode is None
        await asyncio.sleep(0.05)
        seen = await EventLog(redis).history(task_id)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert "counterexample" not in types(seen), "the kill came too late to prove anything"
    assert (await submissions.get(task_id, consistent=True)).counterexample_status == "searching"

    second = await _start_worker(settings)
    try:
        events = await watcher
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
        await redis.aclose()
    kinds = types(events)
    assert kinds.count("done") == 1 and kinds.count("counterexample") == 1 and kinds[-1] == "counterexample"
    assert "counterexample_none" not in kinds
    stored = await submissions.get(task_id, consistent=True)
    assert stored.counterexample_status == "found" and stored.counterexample == events[-1]["counterexample"]
