"""The arq worker: settings and job functions.

Shared clients are opened in ``on_startup`` (the same ``Resources`` as the
API) and closed in ``on_shutdown``. Jobs are ``async def job(ctx, ...)`` and
idempotent: arq may run a job more than once.
"""

from __future__ import annotations

import contextlib
from typing import Any

from algoitny.resources import arq_redis_settings, open_resources
from algoitny.settings import get_settings


async def on_startup(ctx: dict[str, Any]) -> None:
    stack = contextlib.AsyncExitStack()
    ctx["resources"] = await stack.enter_async_context(open_resources(ctx["settings"]))
    ctx["exit_stack"] = stack


async def on_shutdown(ctx: dict[str, Any]) -> None:
    await ctx["exit_stack"].aclose()


async def ping(ctx: dict[str, Any]) -> str:
    """A no-op job: proves a worker is consuming the queue."""
    return "pong"


def worker_settings() -> dict[str, Any]:
    settings = get_settings()
    return {
        "functions": [ping],
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "redis_settings": arq_redis_settings(settings.redis.url),
        "queue_name": settings.redis.queue_name,
        "ctx": {"settings": settings},
        "handle_signals": True,
    }
