"""A custom-input run in the worker: compile, run once on the given stdin, stream the result.

Nothing goes to the table; the task (code, stdin) lives in Redis and its
events stream exactly like a submission's: ``queued``, ``compiling``,
``compiled`` or ``compile_error``, ``run``, ``done``.
"""

from __future__ import annotations

from typing import Any

from algoitny import redis_keys
from algoitny.executor import Limits, compile_source, run_once
from algoitny.resources import Resources

EXCERPT_BYTES = 64 * 1024


async def run_custom(resources: Resources, task_id: str) -> dict[str, Any] | None:
    task: dict[bytes, bytes] = await resources.redis.hgetall(redis_keys.task(task_id))  # type: ignore[misc]
    if not task:
        return None
    fields = {k.decode(): v.decode() for k, v in task.items()}
    events = resources.events
    published = {e["type"] for e in await events.history(task_id)}
    if "done" in published:
        return None

    async def publish_once(event: dict[str, Any]) -> None:
        if event["type"] not in published:
            await events.publish(task_id, event)
            published.add(event["type"])

    judge = resources.settings.judge
    limits = Limits(time_limit_s=judge.run_time_limit_ms / 1000, memory_mb=judge.run_memory_limit_mb)
    await publish_once({"type": "compiling"})
    compiled = await compile_source(fields["language"], fields["code"])
    try:
        if not compiled.ok:
            verdict = compiled.verdict.value if compiled.verdict else "CE"
            await publish_once({"type": "compile_error", "verdict": verdict, "message": compiled.message})
            summary: dict[str, Any] = {"verdict": verdict}
        else:
            await publish_once({"type": "compiled", "message": compiled.message[:4096]})
            result = await run_once(compiled, fields["stdin"].encode(), limits)
            stdout = result.stdout[:EXCERPT_BYTES].decode(errors="replace")
            summary = {
                "verdict": result.verdict.value,
                "cpu_ms": result.cpu_ms,
                "wall_ms": result.wall_ms,
                "memory_kb": result.memory_kb,
                "exit_code": result.exit_code,
                "signal": result.signal,
            }
            await publish_once(
                {
                    "type": "run",
                    **summary,
                    "stdout": stdout,
                    "stdout_truncated": result.stdout_truncated or len(result.stdout) > EXCERPT_BYTES,
                    "stderr": result.stderr_excerpt,
                    "message": result.message,
                }
            )
    finally:
        await compiled.cleanup()
    if "done" not in published:
        await resources.stats.count("runs")
    await publish_once({"type": "done", "summary": summary})
    await events.retire(task_id)
    return summary
