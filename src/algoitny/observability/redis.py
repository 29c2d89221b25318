"""Redis failures counted where they happen: in the connection, not around every call.

redis-py has no event hooks like botocore's; its connection class is its seam instead
(``ConnectionPool(connection_class=...)``). ``CountingConnection`` is redis-py's own asyncio
connection whose three I/O points (connect, send, read) count connection errors and timeouts —
an outage, not a command's error reply — by where they happened, and re-raise them unchanged.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from algoitny.observability import metrics as m

OUTAGE = (RedisConnectionError, RedisTimeoutError)


def count_error(kind: str, exc: BaseException) -> None:
    """Once per exception: a send that connects first sees the connect's error again."""
    if getattr(exc, "_algoitny_counted", False):
        return
    exc._algoitny_counted = True  # type: ignore[attr-defined]
    m.redis_errors.labels(kind, type(exc).__name__).inc()


class CountingConnection(Connection):
    async def connect(self) -> None:
        try:
            await super().connect()
        except OUTAGE as exc:
            count_error("connect", exc)
            raise

    async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        try:
            await super().send_packed_command(*args, **kwargs)
        except OUTAGE as exc:
            count_error("send", exc)
            raise

    async def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().read_response(*args, **kwargs)
        except OUTAGE as exc:
            count_error("read", exc)
            raise
