"""An unreachable table is a quick 503, not a hang (issue 10, item 4).

The API's DynamoDB client has short timeouts and one retry; the worker's waits longer.
The bound asserted here (10 s) only guards against a hang — botocore's defaults took
14–23 s — and is not a timing target.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from algoitny.localstack import free_port
from algoitny.resources import open_resources
from algoitny.settings import RedisSettings, Settings, TableClientSettings, TableSettings
from tests.conftest import app_client

HANG_GUARD_S = 10.0


@contextlib.asynccontextmanager
async def silent_server(received: asyncio.Event | None = None) -> AsyncIterator[int]:
    """A port that accepts connections, reads what it is sent and never answers
    (``received`` is set once a request has arrived)."""
    held: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        while await reader.read(65536):
            if received is not None:
                received.set()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()


def _settings(endpoint: str, services, api: TableClientSettings | None = None) -> Settings:
    return Settings(
        table=TableSettings(name="outage", endpoint_url=endpoint, api=api or TableClientSettings()),
        redis=RedisSettings(url=services.redis_url, queue_name="q-outage"),
    )


async def _timed_get(settings: Settings, path: str):
    async with app_client(settings) as client:
        started = time.monotonic()
        response = await client.get(path)
        return response, time.monotonic() - started


async def test_a_table_that_never_answers_is_a_503_not_a_hang(services):
    async with silent_server() as port:
        response, elapsed = await _timed_get(
            _settings(f"http://127.0.0.1:{port}", services), "/api/problems/custom/x"
        )
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "service_unavailable"
    assert elapsed < HANG_GUARD_S


async def test_a_closed_table_port_is_a_503_not_a_hang(services):
    response, elapsed = await _timed_get(
        _settings(f"http://127.0.0.1:{free_port()}", services), "/api/problems?limit=1"
    )
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "service_unavailable"
    assert elapsed < HANG_GUARD_S


async def test_the_worker_client_is_more_patient_than_the_api_client(services):
    settings = _settings(services.dynamodb_url, services)
    async with open_resources(settings) as api, open_resources(settings, worker=True) as worker:
        api_config, worker_config = api.dynamodb.meta.config, worker.dynamodb.meta.config
    assert api_config.read_timeout == settings.table.api.read_timeout_s
    assert api_config.retries["total_max_attempts"] == settings.table.api.max_attempts
    assert worker_config.read_timeout > api_config.read_timeout
    assert worker_config.retries["total_max_attempts"] > api_config.retries["total_max_attempts"]


async def test_a_request_queued_behind_a_hung_table_gets_its_503_without_waiting_for_the_queue(services):
    """Every connection is held by a call the table never answers: the next caller waits
    at most ``connection_wait_s`` for a turn, not for the held calls' read timeouts."""
    one_slot = TableClientSettings(
        max_connections=1, connection_wait_s=0.2, read_timeout_s=30, max_attempts=1
    )
    received = asyncio.Event()
    async with silent_server(received) as port:
        settings = _settings(f"http://127.0.0.1:{port}", services, one_slot)
        async with app_client(settings) as client:
            holder = asyncio.create_task(client.get("/api/problems/custom/held"))
            await asyncio.wait_for(received.wait(), HANG_GUARD_S)
            queued = await asyncio.wait_for(client.get("/api/problems/custom/queued"), HANG_GUARD_S)
            assert not holder.done()  # the slot is still held: the 503 came from the bounded wait
            holder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await holder
    assert queued.status_code == 503, queued.text
    assert queued.json()["error"]["code"] == "service_unavailable"
    assert "every connection to it is busy" in queued.json()["error"]["message"]
