"""The event stream ends at the newest terminal event: ``done`` unless a search follows it,
else the search's ``counterexample``/``counterexample_none``."""

from __future__ import annotations

import asyncio

from algoitny.events import EventLog, is_terminal
from algoitny.resources import open_redis
from algoitny.services.ids import new_task_id


def test_which_events_end_the_stream():
    assert is_terminal({"type": "done", "summary": {}})
    assert not is_terminal({"type": "done", "summary": {}, "counterexample": "searching"})
    assert is_terminal({"type": "counterexample"}) and is_terminal({"type": "counterexample_none"})
    assert not is_terminal({"type": "counterexample_progress"})


async def _all(log: EventLog, task_id: str, after: str | None = None) -> list[str]:
    return [e["type"] async for e in log.follow(task_id, after=after, block_ms=100)]


async def test_follow_goes_past_done_to_a_later_search(settings):
    redis = open_redis(settings)
    log, task_id = EventLog(redis), new_task_id()
    try:
        done = await log.publish(task_id, {"type": "done", "summary": {}})
        assert await _all(log, task_id) == ["done"]
        await log.publish(task_id, {"type": "counterexample_searching", "search": 1})
        live = asyncio.ensure_future(_all(log, task_id, after=done))
        await log.publish(task_id, {"type": "counterexample_progress", "size": 1, "tries": 2})
        last = await log.publish(task_id, {"type": "counterexample_none", "search": 1, "reason": "none"})
        assert await live == ["counterexample_searching", "counterexample_progress", "counterexample_none"]
        assert await _all(log, task_id) == [
            "done", "counterexample_searching", "counterexample_progress", "counterexample_none",
        ]  # fmt: skip
        assert await _all(log, task_id, after=last) == []
    finally:
        await redis.aclose()
