"""Driving the service as a client does: HTTP to submit, a WebSocket to follow."""

from __future__ import annotations

import asyncio
import json

import httpx
import websockets

from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SOLUTION = "a, b = map(int, input().split())\nprint(a + b)\n"
WRONG_ON_EQUAL = "a, b = map(int, input().split())\nprint(a + b + (a == b))\n"


async def create_problem(client: httpx.AsyncClient, identifier: str, tests: int, **fields) -> str:
    body = {
        "platform": "custom",
        "problem_identifier": identifier,
        "title": f"A+B {identifier}",
        "status": "completed",
        **fields,
    }
    response = await client.post("/api/problems", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    cases = [
        {"input": f"{i} {i if i % 3 == 0 else i + 1}\n", "output": f"{i + (i if i % 3 == 0 else i + 1)}\n"}
        for i in range(tests)
    ]
    added = await client.post(
        f"/api/problems/custom/{identifier}/test-cases", json={"test_cases": cases}, headers=ADMIN
    )
    assert added.status_code == 201, added.text
    return identifier


async def follow(
    host: str,
    path: str,
    *,
    last_event_id: str | None = None,
    stop_after: int | None = None,
    hang_guard_s: float = 120,
) -> list[dict]:
    """Every event the WebSocket sends until it closes (or ``stop_after`` events)."""
    url = f"ws://{host}{path}" + (f"?last_event_id={last_event_id}" if last_event_id else "")
    events: list[dict] = []

    async def read() -> None:
        async with websockets.connect(url) as socket:
            async for message in socket:
                events.append(json.loads(message))
                if stop_after is not None and len(events) >= stop_after:
                    return

    await asyncio.wait_for(read(), hang_guard_s)
    return events


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def worker_env(settings, **extra: str) -> dict[str, str]:
    """The environment of an `algoitny worker` subprocess that serves this test's table and queue.

    It inherits the session's ``ALGOITNY_EXECUTOR_*`` (tests/conftest.py): the uid range and
    box root of subprocesses, never the session's own, so a worker a test kills leaves its
    cgroups where only the next subprocess worker (which sweeps them on claim) looks.
    """
    import os

    assert "ALGOITNY_EXECUTOR_UID_BASE" in os.environ, "set by the executor_runtime session fixture"
    return {
        **os.environ,
        "ALGOITNY_TABLE__NAME": settings.table.name,
        "ALGOITNY_TABLE__ENDPOINT_URL": settings.table.endpoint_url,
        "ALGOITNY_REDIS__URL": settings.redis.url,
        "ALGOITNY_REDIS__QUEUE_NAME": settings.redis.queue_name,
        **extra,
    }
