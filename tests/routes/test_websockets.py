"""Both task WebSockets over a real uvicorn, real Redis and (where a task must finish) a real
worker: resuming at the end, close codes, disconnects, and events against the published schema."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import httpx
import jsonschema
import pytest
import websockets
from redis.asyncio import Redis

from algoitny import redis_keys
from algoitny.localstack import free_port, start_redis
from algoitny.routes.task_stream import CloseCode
from algoitny.schemas.events import EXECUTION_EVENTS, GENERATION_EVENTS
from tests.ai.helpers import GENERATOR
from tests.ai.helpers import create_problem as create_ai_problem
from tests.judging.helpers import ADMIN, SOLUTION, WRONG_ON_EQUAL, create_problem, types

DOCS = Path(__file__).resolve().parents[2] / "docs"
HANG = 30  # seconds: an upper bound on a hang, never a timing assertion
UNKNOWN = "0" * 28


@pytest.fixture
async def client(live_api):
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as http:
        yield http


@pytest.fixture
async def redis(settings):
    client = Redis.from_url(settings.redis.url)
    yield client
    await client.aclose()


async def follow_to_close(
    host: str, path: str, *, last_event_id: str | None = None, headers: dict | None = None
) -> tuple[list[dict], int | None]:
    """Every event until the server closes the socket, and its close code."""
    query = f"?last_event_id={quote(last_event_id)}" if last_event_id is not None else ""
    url = f"ws://{host}{path}{query}"
    events: list[dict] = []

    async def read() -> int | None:
        async with websockets.connect(url, additional_headers=headers) as socket:
            try:
                async for message in socket:
                    events.append(json.loads(message))
            except websockets.ConnectionClosed:
                pass
            return socket.close_code

    return events, await asyncio.wait_for(read(), HANG)


async def submit(client: httpx.AsyncClient, identifier: str, code: str = SOLUTION) -> dict:
    body = {"platform": "custom", "problem_identifier": identifier, "code": code, "language": "python"}
    response = await client.post("/api/execute/", json=body)
    assert response.status_code == 202, response.text
    return response.json()


async def queued_then_cancelled_job(client: httpx.AsyncClient, identifier: str) -> dict:
    """A generation job that ends without a worker: cancelled while queued."""
    await create_ai_problem(client, identifier)
    response = await client.post(
        f"/api/problems/custom/{identifier}/generation-jobs",
        json={"generator_script": GENERATOR},
        headers=ADMIN,
    )
    assert response.status_code == 202, response.text
    job = response.json()
    cancelled = await client.post(f"/api/generation-jobs/{job['job_id']}/cancel", headers=ADMIN)
    assert cancelled.json()["status"] == "cancelled"
    return job


# --- resuming at the end ----------------------------------------------------------------


async def test_resuming_a_finished_submission_at_or_after_its_end(client, live_api, worker):
    await create_problem(client, "resume", tests=3)
    path = (await submit(client, "resume"))["websocket"]
    events, code = await follow_to_close(live_api, path)
    assert code == CloseCode.NORMAL and types(events)[-1] == "done"

    assert await follow_to_close(live_api, path, last_event_id=events[-1]["id"]) == ([], CloseCode.NORMAL)
    assert await follow_to_close(live_api, path, last_event_id=events[-2]["id"]) == (
        events[-1:],
        CloseCode.NORMAL,
    )
    seconds = int(events[-1]["id"].split("-")[0])
    for never_sent in (f"{seconds}-999", f"{seconds + 1}-0"):
        rest, code = await follow_to_close(live_api, path, last_event_id=never_sent)
        assert (rest, code) == ([], CloseCode.BAD_EVENT_ID), never_sent


async def test_resuming_a_finished_generation_job_at_its_end(client, live_api):
    job = await queued_then_cancelled_job(client, "gen-resume")
    events, code = await follow_to_close(live_api, job["websocket"])
    assert types(events) == ["queued", "done"] and code == CloseCode.NORMAL
    assert events[-1]["status"] == "cancelled"
    assert await follow_to_close(live_api, job["websocket"], last_event_id=events[-1]["id"]) == (
        [],
        CloseCode.NORMAL,
    )
    after_end = f"{int(events[-1]['id'].split('-')[0]) + 1}-0"
    assert await follow_to_close(live_api, job["websocket"], last_event_id=after_end) == (
        [],
        CloseCode.BAD_EVENT_ID,
    )


async def test_resuming_events_rebuilt_from_the_table(client, live_api, worker, redis):
    await create_problem(client, "rebuilt", tests=2)
    accepted = await submit(client, "rebuilt")
    live, _ = await follow_to_close(live_api, accepted["websocket"])
    await redis.delete(redis_keys.events(accepted["task_id"]))  # as if it expired

    rebuilt, code = await follow_to_close(live_api, accepted["websocket"])
    assert code == CloseCode.NORMAL and types(rebuilt) == types(live)
    assert [e["id"] for e in rebuilt] == [f"0-{n}" for n in range(1, len(live) + 1)]
    ws = accepted["websocket"]
    assert await follow_to_close(live_api, ws, last_event_id=rebuilt[-1]["id"]) == ([], CloseCode.NORMAL)
    assert await follow_to_close(live_api, ws, last_event_id=rebuilt[-2]["id"]) == (
        rebuilt[-1:],
        CloseCode.NORMAL,
    )
    assert await follow_to_close(live_api, ws, last_event_id=live[-1]["id"]) == (
        rebuilt[-1:],
        CloseCode.NORMAL,
    ), "an id of the expired stream gets the outcome again"
    beyond = f"0-{len(rebuilt) + 1}"
    assert await follow_to_close(live_api, ws, last_event_id=beyond) == ([], CloseCode.BAD_EVENT_ID)


async def test_resuming_a_generation_job_rebuilt_from_the_table(client, live_api, redis):
    job = await queued_then_cancelled_job(client, "gen-rebuilt")  # no worker: nothing else publishes
    await redis.delete(redis_keys.events(job["job_id"]))
    outcome, code = await follow_to_close(live_api, job["websocket"])
    assert types(outcome) == ["done"] and outcome[0]["id"] == "0-1" and code == CloseCode.NORMAL
    assert await follow_to_close(live_api, job["websocket"], last_event_id="0-1") == ([], CloseCode.NORMAL)
    assert await follow_to_close(live_api, job["websocket"], last_event_id="0-2") == (
        [],
        CloseCode.BAD_EVENT_ID,
    )


# --- close codes ------------------------------------------------------------------------

PATHS = ("/ws/executions/{}", "/ws/generation/{}")


@pytest.mark.parametrize("path", PATHS)
async def test_unknown_tasks_close_with_4404(live_api, path):
    for task_id in (UNKNOWN, "not-an-id", "A" * 28):
        assert await follow_to_close(live_api, path.format(task_id)) == ([], CloseCode.NOT_FOUND)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("bad", ["abc", "1-", "-1", "1-2-3", "1.5-0", "９-0", "1" * 30 + "-0", "x" * 60])
async def test_malformed_last_event_ids_close_with_4400(live_api, path, bad):
    assert await follow_to_close(live_api, path.format(UNKNOWN), last_event_id=bad) == (
        [],
        CloseCode.BAD_EVENT_ID,
    )


async def test_credentials_that_do_not_verify_close_with_4401(client, live_api):
    job = await queued_then_cancelled_job(client, "gen-auth")
    for header in ("Bearer not-a-token", "Basic dXNlcjpwdw==", "Bearer"):
        got = await follow_to_close(live_api, job["websocket"], headers={"Authorization": header})
        assert got == ([], CloseCode.INVALID_TOKEN), header
    events, code = await follow_to_close(live_api, job["websocket"], headers=ADMIN)
    assert types(events) == ["queued", "done"] and code == CloseCode.NORMAL


def test_the_documented_close_codes_are_the_ones_used():
    documented = {
        int(code) for code in re.findall(r"^\| `(\d{4})` \|", (DOCS / "events.md").read_text(), re.M)
    }
    assert documented == {int(code) for code in CloseCode}


@contextlib.asynccontextmanager
async def serve(settings) -> AsyncIterator[str]:
    """The app under uvicorn on a free port, for settings of the test's own (like ``live_api``)."""
    import uvicorn

    from algoitny.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def announce_on(settings) -> None:
    """What ``announced_worker`` does, on this test's own Redis: submissions are accepted."""
    from algoitny.executor import languages
    from algoitny.services import workers

    redis = Redis.from_url(settings.redis.url)
    announcement = workers.WorkerAnnouncement(
        worker_id=workers.new_worker_id(),
        languages=tuple(i.id for i in languages() if i.available),
        slots=1,
        max_jobs=1,
        version="test",
    )
    await workers.announce(redis, settings.redis.queue_name, announcement, ttl_s=3600)
    await redis.aclose()


async def test_an_event_store_outage_while_following_closes_with_1011(settings):
    port = free_port()
    redis_server = await start_redis(port, data_dir=None)
    own = settings.model_copy(
        update={"redis": settings.redis.model_copy(update={"url": f"redis://127.0.0.1:{port}/0"})}
    )
    try:
        await announce_on(own)
        async with serve(own) as host, httpx.AsyncClient(base_url=f"http://{host}", timeout=60) as client:
            await create_problem(client, "outage", tests=1)
            accepted = await submit(client, "outage")  # no worker: the follower waits in XREAD
            async with websockets.connect(f"ws://{host}{accepted['websocket']}") as socket:
                assert json.loads(await asyncio.wait_for(socket.recv(), HANG))["type"] == "queued"
                await redis_server.stop()
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(socket.recv(), HANG)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == CloseCode.INTERNAL_ERROR
    finally:
        await redis_server.stop()


# --- clients that go --------------------------------------------------------------------


async def _blocked_readers(redis: Redis) -> set[int]:
    return {c["id"] for c in await redis.client_list() if c["cmd"] == "xread" and "b" in c["flags"]}


async def _until(predicate, what: str) -> None:
    for _ in range(HANG * 20):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {HANG} s: {what}")


async def test_a_client_that_goes_releases_its_redis_reader(client, live_api, redis, announced_worker):
    await create_problem(client, "left", tests=1)
    accepted = await submit(client, "left")  # no worker: it stays queued, the follower blocks
    before = await _blocked_readers(redis)
    async with websockets.connect(f"ws://{live_api}{accepted['websocket']}") as socket:
        assert json.loads(await asyncio.wait_for(socket.recv(), HANG))["type"] == "queued"
        found: set[int] = set()

        async def reader_blocked() -> bool:
            found.update(await _blocked_readers(redis) - before)
            return bool(found)

        await _until(reader_blocked, "the follower blocks in XREAD")
    ours = found

    async def reader_gone() -> bool:
        alive = {c["id"] for c in await redis.client_list()}
        return not ours & alive

    await _until(reader_gone, "the follower's Redis connection is released")


# --- events against the published schema -------------------------------------------------


def _validator(openapi: dict, union: str) -> jsonschema.Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{union}", "components": openapi["components"]}
    return jsonschema.Draft202012Validator(schema)


def _documented_types(doc: str, heading: str) -> set[str]:
    section = (DOCS / doc).read_text().split(heading, 1)[1]
    table = section.split("\n\n| `type`", 1)[1].split("\n\n", 1)[0] if "\n\n| `type`" in section else ""
    return set(re.findall(r"^\| `([a-z_]+)` \|", table, re.M))


async def test_recorded_events_match_the_published_schemas(client, live_api, worker):
    openapi = (await client.get("/openapi.json")).json()
    published = openapi["components"]["schemas"]
    mapping = published["ExecutionEvent"]["discriminator"]["mapping"]
    assert set(mapping) == _documented_types("events.md", "# Task events")
    job_mapping = published["GenerationEvent"]["discriminator"]["mapping"]
    assert set(job_mapping) == _documented_types("ai.md", "## Events")

    await create_problem(client, "typed", tests=4)
    await create_ai_problem(client, "typed-gen")
    paths = [
        (await submit(client, "typed", WRONG_ON_EQUAL))["websocket"],
        (await submit(client, "typed", "print(("))["websocket"],
    ]
    run = await client.post("/api/run/", json={"code": "print(input())", "language": "python", "stdin": "hi"})
    paths.append(run.json()["websocket"])
    generation = await client.post(
        "/api/problems/custom/typed-gen/generation-jobs",
        json={"generator_script": GENERATOR, "counts": {"small": 1, "medium": 1, "max": 0}},
        headers=ADMIN,
    )
    assert generation.status_code == 202, generation.text

    execution_schema = _validator(openapi, "ExecutionEvent")
    seen: set[str] = set()
    for path in paths:
        events, code = await follow_to_close(live_api, path)
        assert code == CloseCode.NORMAL and types(events)[-1] == "done"
        for event in events:
            execution_schema.validate(event)
            EXECUTION_EVENTS.validate_python(event)
            seen.add(event["type"])
    # The counterexample search's events are recorded and checked against the same schemas
    # in tests/counterexample/test_submission_search.py (they need a problem's stress setup).
    searched = {
        "counterexample_searching",
        "counterexample_progress",
        "counterexample",
        "counterexample_none",
    }
    assert seen | searched == set(mapping), "every execution event type was recorded"

    job_events, code = await follow_to_close(live_api, generation.json()["websocket"])
    assert code == CloseCode.NORMAL and job_events[-1]["status"] == "succeeded", job_events
    generation_schema = _validator(openapi, "GenerationEvent")
    for event in job_events:
        generation_schema.validate(event)
        GENERATION_EVENTS.validate_python(event)
    assert {"queued", "started", "script", "progress", "stored", "done"} <= set(types(job_events))

    with pytest.raises(jsonschema.ValidationError):
        execution_schema.validate({**job_events[-1], "type": "done"})  # a job's done is not a task's


def test_event_schemas_take_no_existing_component_name(settings):
    from algoitny.app import create_app
    from algoitny.schemas.events import event_schemas

    components = create_app(settings).openapi()["components"]["schemas"]
    for name, definition in event_schemas().items():
        assert components[name] == definition, name
