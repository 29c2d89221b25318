"""A task's event stream: published by the worker, followed by WebSocket clients.

Events are JSON objects with a ``type`` (see ``docs/events.md``), stored in a
Redis stream, one entry per event, whose entry id is the event ``id``. A
client that reconnects with the last id it saw reads everything after it
(``XRANGE``) and then follows live (``XREAD BLOCK``): no gaps, no duplicates.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from redis.asyncio import Redis

from algoitny import redis_keys

FIELD = b"e"
TERMINAL = "done"
# A counterexample search's last events: the stream ends there (services/counterexample.py).
SEARCH_FINISHED = frozenset({"counterexample", "counterexample_none"})


def is_terminal(event: dict[str, Any]) -> bool:
    """The stream ends after this event: ``done`` (unless a counterexample search follows
    it: ``counterexample: "searching"``), or a search's ``counterexample``/``counterexample_none``."""
    kind = event["type"]
    if kind == TERMINAL:
        return event.get("counterexample") != "searching"
    return kind in SEARCH_FINISHED


def _decode(entry_id: bytes, fields: dict[bytes, bytes]) -> dict[str, Any]:
    return {"id": entry_id.decode(), **json.loads(fields[FIELD])}


class EventLog:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def publish(self, task_id: str, event: dict[str, Any]) -> str:
        key = redis_keys.events(task_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(key, {FIELD: json.dumps(event, separators=(",", ":"))})
            pipe.expire(key, redis_keys.TASK_TTL_S)
            entry_id, _ = await pipe.execute()
        return entry_id.decode()

    async def publish_tests(
        self, task_id: str, tests: Sequence[tuple[int, dict[str, Any], dict[str, Any]]]
    ) -> None:
        """Several tests' ``(index, result, event)`` in one MULTI: each result goes into the
        results hash with its event, and each event is its own stream entry, in this order."""
        results, stream = redis_keys.results(task_id), redis_keys.events(task_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            for index, result, event in tests:
                pipe.hset(results, str(index), json.dumps(result, separators=(",", ":")))
                pipe.xadd(stream, {FIELD: json.dumps(event, separators=(",", ":"))})
            pipe.expire(results, redis_keys.TASK_TTL_S)
            await pipe.execute()

    async def finished_results(self, task_id: str) -> dict[int, dict[str, Any]]:
        raw: dict[bytes, bytes] = await self.redis.hgetall(redis_keys.results(task_id))  # type: ignore[misc]
        return {int(k): json.loads(v) for k, v in raw.items()}

    async def history(self, task_id: str, after: str | None = None) -> list[dict[str, Any]]:
        start = f"({after}" if after else "-"
        entries = await self.redis.xrange(redis_keys.events(task_id), min=start, max="+")
        return [_decode(entry_id, fields) for entry_id, fields in entries]

    async def exists(self, task_id: str) -> bool:
        return bool(await self.redis.exists(redis_keys.events(task_id)))

    async def retire(self, task_id: str) -> None:
        """A finished task's events linger for late clients, then go."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.expire(redis_keys.events(task_id), redis_keys.FINISHED_TTL_S)
            pipe.expire(redis_keys.results(task_id), redis_keys.FINISHED_TTL_S)
            pipe.expire(redis_keys.task(task_id), redis_keys.FINISHED_TTL_S)
            await pipe.execute()

    async def last(self, task_id: str) -> dict[str, Any] | None:
        """The stream's newest event, or None when there is no stream."""
        entries = await self.redis.xrevrange(redis_keys.events(task_id), max="+", min="-", count=1)
        return _decode(*entries[0]) if entries else None

    async def follow(
        self, task_id: str, after: str | None = None, block_ms: int = 5_000
    ) -> AsyncIterator[dict[str, Any]]:
        """Every event after ``after``, then live ones, until a terminal event (``is_terminal``)
        that is the newest one: a ``done`` followed by a requested search's events is not the end.

        Ends at once when the client already holds the newest, terminal event,
        and when the stream expires. Raises ``UnknownEventId`` for an ``after`` newer than
        the stream's last event: no such id was ever sent, and following from it could
        skip events. The caller's cancellation (client gone, shutdown) stops the blocking
        read; redis-py then drops that connection instead of reusing it half-read.
        """
        key = redis_keys.events(task_id)
        newest = await self.last(task_id)
        if newest is None:
            return
        if after is not None and stream_id(after) > stream_id(newest["id"]):
            raise UnknownEventId(after)
        last = after or "0-0"
        history = await self.history(task_id, after)
        for event in history:
            yield event
            last = event["id"]
        if history and is_terminal(history[-1]):
            return
        if is_terminal(newest) and stream_id(last) >= stream_id(newest["id"]):
            return
        while True:
            response = await self.redis.xread({key: last}, block=block_ms, count=100)
            if not response:
                if not await self.redis.exists(key):
                    return
                continue
            for entry_id, fields in response[0][1]:
                event = _decode(entry_id, fields)
                yield event
                last = event["id"]
                if is_terminal(event):
                    return


class UnknownEventId(ValueError):
    """A ``last_event_id`` that this task's stream never held."""


def stream_id(text: str) -> tuple[int, int]:
    """``"1795325683984-0"`` → ``(1795325683984, 0)``; ``ValueError`` unless two decimal numbers."""
    left, dash, right = text.partition("-")
    if not (
        dash
        and 0 < len(left) <= 20
        and 0 < len(right) <= 20
        and text.isascii()
        and left.isdigit()
        and right.isdigit()
    ):
        raise ValueError(f"not an event id: {text!r}")
    return int(left), int(right)
