"""A starting worker leaves running jobs alone; a dead worker's job is resumed by the
next one, reusing the model's script (no second model call) and storing each case once."""

from __future__ import annotations

import asyncio
import signal
import sys

import httpx

from algoitny.events import EventLog
from algoitny.resources import open_redis
from algoitny.services import lease
from algoitny.worker import ARQ_IN_PROGRESS_EXTRA_S
from tests.ai.conftest import TEST_KEY
from tests.ai.helpers import all_test_cases, create_problem
from tests.judging.helpers import ADMIN, follow, types, worker_env

SLOW_GENERATOR = """import time
size, seed = input().split()
time.sleep(0.4)
print(int(seed), {"small": 1, "medium": 2, "max": 3}[size])
"""
RUNS = 12


async def _start_worker(settings) -> asyncio.subprocess.Process:
    env = worker_env(
        settings,
        ALGOITNY_JUDGE__LEASE_S="2",
        ALGOITNY_AI__API_KEY=TEST_KEY,
        ALGOITNY_AI__BASE_URL=settings.ai.base_url,
    )
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "algoitny.cli",
        "worker",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_sigkill_mid_generation_then_restart(live_api, settings, gemini):
    gemini.answer({"script": SLOW_GENERATOR})
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as client:
        await create_problem(client, "restart")
        response = await client.post(
            "/api/problems/custom/restart/generation-jobs",
            headers=ADMIN,
            json={"counts": {"small": 4, "medium": 4, "max": 4}},
        )
        job_id = response.json()["job_id"]
        watcher = asyncio.ensure_future(follow(live_api, response.json()["websocket"], hang_guard_s=240))
        first = await _start_worker(settings)
        redis = open_redis(settings)
        try:
            partial: list[dict] = []
            while sum(e["type"] == "progress" and e["step"] == "generate" for e in partial) < 3:
                assert not watcher.done() and first.returncode is None
                await asyncio.sleep(0.1)
                partial = await EventLog(redis).history(job_id)
            # What any worker does when it starts: the running job has a live lease, so it is left alone.
            reclaimed = await lease.reclaim_stale(
                redis,
                settings.redis.queue_name,
                lease_s=2,
                in_progress_timeout_s=settings.judge.job_timeout_s + ARQ_IN_PROGRESS_EXTRA_S,
            )
            assert reclaimed == []
            assert (await client.get(f"/api/generation-jobs/{job_id}", headers=ADMIN)).json()[
                "status"
            ] == "running"

            first.send_signal(signal.SIGKILL)
            await first.wait()
            second = await _start_worker(settings)
            try:
                events = await watcher
            finally:
                second.send_signal(signal.SIGTERM)
                await second.wait()
        finally:
            await redis.aclose()
        started = [e for e in events if e["type"] == "started"]
        assert [e["resumed"] for e in started] == [False, True]
        assert types(events)[-1] == "done" and events[-1]["status"] == "succeeded", events[-1]
        assert len(gemini.received) == 1, "the resumed run reuses the saved script"
        generated = [tc for tc in await all_test_cases(client, "restart") if tc["kind"] == "generated"]
        assert len(generated) == RUNS and len({tc["input"] for tc in generated}) == RUNS
