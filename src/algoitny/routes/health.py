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
from algoitny.table.stream_state import ShardStateRepository, now_ms

router = APIRouter(prefix="/health", tags=["health"])

CHECK_TIMEOUT_S = 2.0
NO_LIVE_WORKER = "no live worker: submissions answer 503 no_worker"
NO_LIVE_INDEXER = "no live indexer: statistics and search are not kept up to date"


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
    indexer_lag_s: float | None = Field(
        default=None,
        description="Age of the oldest stream record the indexer has not applied yet, over all shards "
        "(none when no indexer runs).",
    )
    indexer_shards: dict[str, float] | None = Field(
        default=None, description="The same per stream shard that an indexer holds."
    )


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


async def _indexer_lag(resources) -> tuple[str, dict[str, float]]:
    """What ``indexer.stream`` last wrote into the shard items (docs/indexer.md, Lag)."""
    states = list((await ShardStateRepository(resources.table).list_shards()).values())
    stream = max((s.stream_arn for s in states), default="")  # stream ARNs end in their creation time
    shards = [s for s in states if s.stream_arn == stream and not s.finished]
    now = now_ms()
    live = {
        s.shard_id: round((s.lag_ms + (now - s.lag_measured_at if s.lag_ms else 0)) / 1000, 3)
        for s in shards
        if s.leased(now)
    }
    if not shards or len(live) < len(shards):
        return f"{NO_LIVE_INDEXER} ({len(shards) - len(live)} of {len(shards)} shards unread)", live
    return f"ok: {len(live)} shards, lag {max(live.values()):.1f} s", live


@router.get("/ready", response_model=HealthRead, responses=errors())
async def ready(resources: ResourcesDep) -> HealthRead:
    """The table and Redis both answer (503 `not_ready` says which one is down, with the
    details), and how many workers are alive and how many jobs wait. With no live worker it
    answers 200 `degraded` and `checks.workers` says so: the API still serves reads. The
    same with no live stream indexer (`checks.indexer`): statistics and search go stale;
    `indexer_lag_s` is how far behind the table the indexer is."""
    (table_check, _), (redis_check, counts), (_, indexer) = await asyncio.gather(
        _check(resources.dynamodb.describe_table(TableName=resources.table.name)),
        _check(_workers_and_queue(resources)),
        _check(_indexer_lag(resources)),
    )
    alive, depth = counts if counts else (None, None)
    checks = {
        "table": table_check,
        "redis": redis_check,
        "workers": "unknown: redis is down"
        if alive is None
        else (f"ok: {alive} alive" if alive else NO_LIVE_WORKER),
        "indexer": indexer[0] if indexer else "unknown: the table is down",
    }
    down = [name for name in ("table", "redis") if checks[name] != "ok"]
    if down:
        raise NotReady(
            f"Not ready: {', '.join(down)} down.",
            details=checks | {"workers_alive": alive, "queue_depth": depth},
        )
    lags = indexer[1] if indexer else {}
    indexing = checks["indexer"].startswith("ok")
    status = HealthStatus.OK if alive and indexing else HealthStatus.DEGRADED
    return HealthRead(
        status=status,
        checks=checks,
        workers_alive=alive,
        queue_depth=depth,
        indexer_lag_s=max(lags.values()) if lags else None,
        indexer_shards=lags or None,
    )
