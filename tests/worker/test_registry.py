"""What the API does with the workers' announcements: refuse work nobody would judge,
list the languages the live workers have, and leave nothing behind when Redis fails."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from algoitny.resources import open_redis
from algoitny.services import workers
from algoitny.settings import RedisSettings
from tests.conftest import app_client
from tests.judging.helpers import ADMIN, SOLUTION

C_SOLUTION = '#include <stdio.h>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}\n'


async def _problem(api, identifier: str = "ab") -> dict:
    created = await api.post(
        "/api/problems",
        json={"platform": "custom", "problem_identifier": identifier, "title": "A+B", "status": "completed"},
        headers=ADMIN,
    )
    assert created.status_code == 201, created.text
    added = await api.post(
        f"/api/problems/custom/{identifier}/test-cases",
        json={"test_cases": [{"input": "1 2\n", "output": "3\n"}]},
        headers=ADMIN,
    )
    assert added.status_code == 201, added.text
    return {"platform": "custom", "problem_identifier": identifier, "code": SOLUTION, "language": "python"}


@pytest.fixture
async def redis(settings):
    client = open_redis(settings)
    yield client
    await client.aclose()


async def _announce(redis, settings, languages: tuple[str, ...]) -> workers.WorkerAnnouncement:
    announcement = workers.WorkerAnnouncement(
        worker_id=workers.new_worker_id(), languages=languages, slots=1, max_jobs=1, version="test"
    )
    await workers.announce(redis, settings.redis.queue_name, announcement)
    return announcement


async def test_with_no_live_worker_submit_and_run_answer_no_worker_and_store_nothing(api, settings, redis):
    body = await _problem(api)
    submitted = await api.post("/api/execute/", json=body)
    assert submitted.status_code == 503, submitted.text
    assert submitted.json()["error"]["code"] == "no_worker"
    ran = await api.post("/api/run/", json={"code": SOLUTION, "language": "python", "stdin": "1 2\n"})
    assert ran.status_code == 503 and ran.json()["error"]["code"] == "no_worker"
    assert (await api.get("/api/submissions/mine")).json()["items"] == []
    assert await workers.queue_depth(redis, settings.redis.queue_name) == 0
    await _announce(redis, settings, ("python",))
    accepted = await api.post("/api/execute/", json=body)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["usage"]["current_count"] == 1, "the refusals were not counted"


async def test_a_withdrawn_or_expired_announcement_is_not_a_live_worker(settings, redis):
    queue = settings.redis.queue_name
    first = await _announce(redis, settings, ("python",))
    short = workers.WorkerAnnouncement(
        worker_id=workers.new_worker_id(), languages=("c",), slots=2, max_jobs=4, version="test"
    )
    await workers.announce(redis, queue, short, ttl_s=1)
    assert {w.worker_id for w in await workers.live(redis, queue)} == {first.worker_id, short.worker_id}
    await redis.pexpire(f"algoitny:worker:{queue}:{short.worker_id}", 1)  # as if its TTL ran out
    await asyncio.sleep(0.05)  # ≥ 1 ms on Redis's clock: the key is gone on its next read
    assert await workers.live(redis, queue) == [first]
    await workers.withdraw(redis, queue, first.worker_id)
    assert await workers.live(redis, queue) == []


async def test_languages_are_what_live_workers_announce(api, settings, redis):
    nobody = (await api.get("/api/languages")).json()
    assert nobody and not any(language["available"] for language in nobody)
    assert {language["reason"] for language in nobody} == {"no judging worker is running"}

    await _announce(redis, settings, ("python",))
    listed = {language["id"]: language for language in (await api.get("/api/languages")).json()}
    assert listed["python"]["available"] and listed["python"]["reason"] == ""
    assert not listed["c"]["available"] and listed["c"]["reason"] == "no live worker has its toolchain"

    body = await _problem(api)
    refused = await api.post("/api/execute/", json=body | {"code": C_SOLUTION, "language": "c"})
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["code"] == "language_unavailable" and error["details"] == {"available": ["python"]}
    assert (await api.post("/api/execute/", json=body)).status_code == 202

    await _announce(redis, settings, ("c", "cpp"))
    listed = {language["id"]: language for language in (await api.get("/api/languages")).json()}
    assert listed["c"]["available"] and listed["cpp"]["available"] and listed["python"]["available"]
    assert (
        await api.post("/api/execute/", json=body | {"code": C_SOLUTION, "language": "c"})
    ).status_code == 202


async def test_submit_while_redis_is_down_leaves_no_queued_ghost(api, settings, redis):
    await _announce(redis, settings, ("python",))
    body = await _problem(api)
    dead = settings.model_copy(
        update={"redis": RedisSettings(url="redis://127.0.0.1:1/0", queue_name=settings.redis.queue_name)}
    )
    async with app_client(dead) as down:
        refused = await down.post("/api/execute/", json=body)
        assert refused.status_code == 503, refused.text
        assert (await down.get("/api/languages")).status_code == 503
    assert (await api.get("/api/submissions/mine")).json()["items"] == [], "no ghost in the history"


async def test_a_failed_enqueue_after_the_record_takes_the_record_back(api, settings, redis):
    """Redis answers reads but refuses writes (an ACL user with read rights only), so the
    submission is recorded and then its publish/enqueue fails: the record is discarded."""
    await _announce(redis, settings, ("python",))
    body = await _problem(api)
    user = f"reader-{uuid.uuid4().hex[:8]}"
    await redis.execute_command("ACL", "SETUSER", user, "on", "nopass", "~*", "&*", "+@read", "+@connection")
    try:
        url = settings.redis.url.replace("redis://", f"redis://{user}:x@")
        reader = settings.model_copy(
            update={"redis": RedisSettings(url=url, queue_name=settings.redis.queue_name)}
        )
        async with app_client(reader) as half_down:
            refused = await half_down.post("/api/execute/", json=body)
            assert refused.status_code == 503, refused.text
            ran = await half_down.post("/api/run/", json={"code": SOLUTION, "language": "python"})
            assert ran.status_code == 503, ran.text
    finally:
        await redis.execute_command("ACL", "DELUSER", user)
    assert (await api.get("/api/submissions/mine")).json()["items"] == [], "the record was taken back"
    assert await workers.queue_depth(redis, settings.redis.queue_name) == 0
    accepted = await api.post("/api/execute/", json=body)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["usage"]["current_count"] == 1, "and both counts were given back"
