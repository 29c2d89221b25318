"""The read-through problem cache (services/problem_cache.py), through the real app.

Each test first proves the cache is in use: it changes the problem's item behind the
cache's back (a plain repository on the same table) and sees the API still answer the
cached value; then a write through the API must be visible at once.
"""

from __future__ import annotations

import httpx
import pytest
from redis.asyncio import Redis

from algoitny import redis_keys
from algoitny.domain import NewTestCase
from algoitny.localstack import free_port, start_redis
from algoitny.table import ProblemRepository
from tests.conftest import app_client
from tests.factories import problem_body

PATH = "/api/problems/codeforces/{}"


@pytest.fixture
async def created(api: httpx.AsyncClient, admin) -> str:
    body = problem_body(title="Cached")
    assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    cases = [{"input": "1 2\n", "output": "3\n", "kind": "sample"}]
    added = await api.post(
        PATH.format(body["problem_identifier"]) + "/test-cases", json={"test_cases": cases}, headers=admin
    )
    assert added.status_code == 201, added.text
    return PATH.format(body["problem_identifier"])


async def change_behind_the_cache(problems: ProblemRepository, path: str, title: str) -> None:
    """Rewrites the title with a repository that has no cache: the cached value goes stale."""
    identifier = path.rsplit("/", 1)[1]
    await problems.update(platform="codeforces", identifier=identifier, changes={"title": title})


async def title(api: httpx.AsyncClient, path: str) -> str:
    response = await api.get(path)
    assert response.status_code == 200, response.text
    return response.json()["title"]


async def test_reads_are_cached_and_an_update_invalidates(api, admin, created, problems, settings):
    assert await title(api, created) == "Cached"
    await change_behind_the_cache(problems, created, "Behind")
    assert await title(api, created) == "Cached"  # served from Redis
    redis = Redis.from_url(settings.redis.url)
    identifier = created.rsplit("/", 1)[1]
    key = redis_keys.problem_cache(settings.table.name, "problem", "codeforces", identifier)
    assert await redis.pttl(key) > 0  # the TTL bounds staleness from writers that skip the cache
    await redis.aclose()

    patched = await api.patch(created, json={"title": "Patched"}, headers=admin)
    assert patched.status_code == 200
    assert await title(api, created) == "Patched"


async def test_delete_and_restore_are_visible_at_once(api, admin, created, problems):
    assert await title(api, created) == "Cached"
    await change_behind_the_cache(problems, created, "Behind")
    assert (await api.delete(created, headers=admin)).status_code == 204
    assert (await api.get(created)).status_code == 404
    assert (await api.get(created + "/samples")).status_code == 404
    assert (await api.get(created, headers=admin)).status_code == 200  # admins still see it
    assert (await api.post(created + "/restore", headers=admin)).status_code == 200
    assert await title(api, created) == "Behind"


async def test_a_new_test_case_invalidates_samples_and_the_count(api, admin, created, test_cases):
    samples = (await api.get(created + "/samples")).json()
    assert [s["input"] for s in samples] == ["1 2\n"]
    count = (await api.get(created)).json()["test_case_count"]
    identifier = created.rsplit("/", 1)[1]
    behind = NewTestCase(input="9 9\n", output="18\n", kind="sample")
    await test_cases.add_many(platform="codeforces", identifier=identifier, new_cases=[behind])
    assert len((await api.get(created + "/samples")).json()) == 1  # cached

    more = {"test_cases": [{"input": "2 2\n", "output": "4\n", "kind": "sample"}]}
    assert (await api.post(created + "/test-cases", json=more, headers=admin)).status_code == 201
    assert {s["input"] for s in (await api.get(created + "/samples")).json()} == {"1 2\n", "9 9\n", "2 2\n"}
    assert (await api.get(created)).json()["test_case_count"] == count + 2


async def test_a_cached_draft_never_reaches_other_callers(api, admin, created):
    assert (await api.patch(created, json={"status": "draft"}, headers=admin)).status_code == 200
    assert (await api.get(created, headers=admin)).status_code == 200  # cached, as a draft
    assert (await api.get(created)).status_code == 404
    assert (await api.get(created + "/samples")).status_code == 404
    assert (await api.get(created)).status_code == 404  # and again, from the cache
    assert (await api.patch(created, json={"status": "completed"}, headers=admin)).status_code == 200
    assert await title(api, created) == "Cached"


async def test_reads_and_writes_work_while_redis_is_down(settings, admin):
    port = free_port()
    redis_server = await start_redis(port, data_dir=None)
    own = settings.model_copy(
        update={"redis": settings.redis.model_copy(update={"url": f"redis://127.0.0.1:{port}/0"})}
    )
    try:
        async with app_client(own) as api:
            body = problem_body(title="Outage")
            path = PATH.format(body["problem_identifier"])
            assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
            assert await title(api, path) == "Outage"  # cached now
            await redis_server.stop()
            assert await title(api, path) == "Outage"
            assert (await api.get(path + "/samples")).json() == []
            patched = await api.patch(path, json={"title": "Changed"}, headers=admin)
            assert patched.status_code == 200
            assert await title(api, path) == "Changed"  # from the table: Redis is not asked
    finally:
        await redis_server.stop()
