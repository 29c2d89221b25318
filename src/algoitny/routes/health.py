"""Liveness and readiness."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel

from algoitny.deps import ResourcesDep
from algoitny.errors import NotReady
from algoitny.routes.responses import errors

router = APIRouter(prefix="/health", tags=["health"])

CHECK_TIMEOUT_S = 2.0


class HealthRead(BaseModel):
    status: str
    checks: dict[str, str] = {}


@router.get("/live", response_model=HealthRead, responses=errors())
async def live() -> HealthRead:
    """The process answers."""
    return HealthRead(status="ok")


async def _check(probe) -> str:
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT_S)
    except Exception as exc:  # any failure means "down"; say which
        return f"down: {type(exc).__name__}: {exc}"[:300]
    return "ok"


@router.get("/ready", response_model=HealthRead, responses=errors())
async def ready(resources: ResourcesDep) -> HealthRead:
    """The table and Redis both answer. 503 `not_ready` says which one is down."""
    table_check, redis_check = await asyncio.gather(
        _check(resources.dynamodb.describe_table(TableName=resources.table.name)),
        _check(resources.redis.ping()),
    )
    checks = {"table": table_check, "redis": redis_check}
    down = [name for name, result in checks.items() if result != "ok"]
    if down:
        raise NotReady(f"Not ready: {', '.join(down)} down.", details=checks)
    return HealthRead(status="ok", checks=checks)
