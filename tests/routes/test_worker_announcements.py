"""An announcement the API cannot read (a newer worker's extra field, a corrupt value)
must not break submit, languages or readiness for everyone (hostile review of issue 10, item 2)."""

from __future__ import annotations

import json

from algoitny import redis_keys
from algoitny.resources import open_redis
from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def _problem(api) -> None:
    body = {"platform": "custom", "problem_identifier": "ann", "title": "A+B", "status": "completed"}
    assert (await api.post("/api/problems", json=body, headers=ADMIN)).status_code == 201
    cases = {"test_cases": [{"input": "1 2\n", "output": "3\n"}]}
    assert (
        await api.post("/api/problems/custom/ann/test-cases", json=cases, headers=ADMIN)
    ).status_code == 201


async def test_an_unreadable_announcement_is_skipped_and_the_others_still_count(
    settings, api, announced_worker
):
    queue = settings.redis.queue_name
    redis = open_redis(settings)
    newer = json.loads(announced_worker.to_json()) | {"worker_id": "newer-1", "gpu": "none"}
    try:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.set(redis_keys.worker(queue, "newer-1"), json.dumps(newer), ex=3600)
            pipe.set(redis_keys.worker(queue, "corrupt-1"), "{not json", ex=3600)
            pipe.zadd(redis_keys.workers(queue), {"newer-1": 1e12, "corrupt-1": 1e12})
            await pipe.execute()
        await _problem(api)

        ready = await api.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["workers_alive"] == 2  # the test's worker and the newer one
        languages = await api.get("/api/languages")
        assert languages.status_code == 200, languages.text
        body = {"platform": "custom", "problem_identifier": "ann", "code": "print(3)", "language": "python"}
        submitted = await api.post("/api/execute/", json=body)
        assert submitted.status_code == 202, submitted.text
    finally:
        await redis.delete(redis_keys.worker(queue, "newer-1"), redis_keys.worker(queue, "corrupt-1"))
        await redis.zrem(redis_keys.workers(queue), "newer-1", "corrupt-1")
        await redis.aclose()
