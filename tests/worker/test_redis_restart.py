"""Redis restarts under a running `algoitny worker`: the worker waits it out, announces
itself again and judges the next submission, without being restarted."""

from __future__ import annotations

import asyncio
import signal
import sys

from algoitny.localstack import free_port, start_redis
from algoitny.resources import open_redis
from algoitny.services import workers
from algoitny.settings import RedisSettings
from tests.conftest import app_client
from tests.judging.helpers import ADMIN, SOLUTION, worker_env

WAIT_LIMIT_S = 120  # a bound on each wait below, so a broken worker fails the test instead of hanging it


async def _until(condition, what: str, worker: asyncio.subprocess.Process, log_path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_LIMIT_S
    while not await condition():
        assert worker.returncode is None, f"the worker exited ({worker.returncode}):\n{log_path.read_text()}"
        assert loop.time() < deadline, f"never saw: {what}\n{log_path.read_text()[-3000:]}"
        await asyncio.sleep(0.1)


async def _announced(settings) -> bool:
    redis = open_redis(settings)
    try:
        return bool(await workers.live(redis, settings.redis.queue_name))
    except Exception:  # Redis is still coming up
        return False
    finally:
        await redis.aclose()


async def test_worker_outlives_a_redis_restart_and_judges_afterwards(settings, tmp_path):
    port = free_port()
    redis_server = await start_redis(port, data_dir=None)
    own = settings.model_copy(
        update={
            "redis": RedisSettings(url=f"redis://127.0.0.1:{port}/0", queue_name=settings.redis.queue_name)
        }
    )
    log_path = tmp_path / "worker.log"
    log_file = log_path.open("wb")  # noqa: ASYNC230 (opening a local file: instant)
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "algoitny.cli",
        "worker",
        env=worker_env(own, ALGOITNY_JUDGE__SLOTS="1"),
        stdout=log_file,
        stderr=log_file,
    )
    log_file.close()
    try:
        await _until(lambda: _announced(own), "the first announcement", worker, log_path)

        await redis_server.stop()

        async def noticed() -> bool:
            return "Redis is unreachable" in log_path.read_text()

        await _until(noticed, "the worker noticing the outage", worker, log_path)
        redis_server = await start_redis(port, data_dir=None)  # empty: the announcement is gone too
        await _until(lambda: _announced(own), "the worker announcing itself again", worker, log_path)

        async with app_client(own) as api:
            ready = (await api.get("/health/ready")).json()
            assert ready["workers_alive"] == 1 and ready["checks"]["workers"] == "ok: 1 alive", ready
            await api.post(
                "/api/problems",
                json={
                    "platform": "custom",
                    "problem_identifier": "blip",
                    "title": "A+B",
                    "status": "completed",
                },
                headers=ADMIN,
            )
            await api.post(
                "/api/problems/custom/blip/test-cases",
                json={"test_cases": [{"input": f"{i} 1\n", "output": f"{i + 1}\n"} for i in range(3)]},
                headers=ADMIN,
            )
            accepted = await api.post(
                "/api/execute/",
                json={
                    "platform": "custom",
                    "problem_identifier": "blip",
                    "code": SOLUTION,
                    "language": "python",
                },
            )
            assert accepted.status_code == 202, accepted.text
            task_id = accepted.json()["task_id"]

            async def judged() -> bool:
                return (await api.get(f"/api/submissions/{task_id}")).json()["status"] == "done"

            await _until(judged, "the submission judged", worker, log_path)
            detail = (await api.get(f"/api/submissions/{task_id}")).json()
        assert detail["summary"]["verdict"] == "AC" and detail["summary"]["passed"] == 3
        assert "Redis is back; resuming" in log_path.read_text()
    finally:
        if worker.returncode is None:
            worker.send_signal(signal.SIGTERM)
            await worker.wait()
        await redis_server.stop()
