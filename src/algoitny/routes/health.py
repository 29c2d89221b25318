"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from enum import StrEnum
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from algoitny.deps import ResourcesDep
from algoitny.errors import NotReady
from algoitny.routes.responses import errors
from algoitny.services import workers

router = APIRouter(prefix="/health", tags=["health"])

CHECK_TIMEOUT_S = 2.0
NO_LIVE_WORKER = "no live worker: submissions answer 503 no_worker"


class HealthStatus(StrEnum):
    OK = "ok"
    # Serving, but nothing judges: reads work, submissions and runs answer 503 `no_worker`.
    DEGRADED = "degraded"


class HealthRead(BaseModel):
    status: HealthStatus
    checks: dict[str, str] = {}
    workers_alive: int | None = Field(
        default=None, description="Workers whose heartbeat has not expired (none when Redis is down)."
    )
    queue_depth: int | None = Field(default=None, description="Jobs waiting in the queue.")


@router.get("/live", response_model=HealthRead, responses=errors())
async def live() -> HealthRead:
    """The process answers."""
    return HealthRead(status=HealthStatus.OK)


async def _check(probe: Awaitable[Any]) -> tuple[str, Any]:
    try:
        value = await asyncio.wait_for(probe, CHECK_TIMEOUT_S)
    except Exception as exc:  # any failure means "down"; say which
        return f"down: {type(exc).__name__}: {exc}"[:300], None
    return "ok", value


async def _workers_and_queue(resources) -> tuple[int, int]:
    queue = resources.settings.redis.queue_name
    alive, depth = await asyncio.gather(
        workers.live(resources.redis, queue), workers.queue_depth(resources.redis, queue)
    )
    return len(alive), depth


@router.get("/ready", response_model=HealthRead, responses=errors())
async def ready(resources: ResourcesDep) -> HealthRead:
    """The table and Redis both answer (503 `not_ready` says which one is down, with the
    details), and how many workers are alive and how many jobs wait. With no live worker it
    answers 200 `degraded` and `checks.workers` says so: the API still serves reads."""
    (table_check, _), (redis_check, counts) = await asyncio.gather(
        _check(resources.dynamodb.describe_table(TableName=resources.table.name)),
        _check(_workers_and_queue(resources)),
    )
    alive, depth = counts if counts else (None, None)
    checks = {
        "table": table_check,
        "redis": redis_check,
        "workers": "unknown: redis is down"
        if alive is None
        else (f"ok: {alive} alive" if alive else NO_LIVE_WORKER),
    }
    down = [name for name in ("table", "redis") if checks[name] != "ok"]
    if down:
        raise NotReady(
            f"Not ready: {', '.join(down)} down.",
            details=checks | {"workers_alive": alive, "queue_depth": depth},
        )
    status = HealthStatus.OK if alive else HealthStatus.DEGRADED
    return HealthRead(status=status, checks=checks, workers_alive=alive, queue_depth=depth)
