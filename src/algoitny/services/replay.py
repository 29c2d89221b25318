"""Events of a finished submission rebuilt from the table, for clients that come back
after its Redis stream expired. Ids are ``0-{n}``: stable between replays."""

from __future__ import annotations

from typing import Any

from algoitny.domain import SubmissionStatus, Summary
from algoitny.resources import Resources
from algoitny.services.judge import done_event, test_event


async def replay_from_table(resources: Resources, task_id: str, *, after: str | None) -> list[dict[str, Any]]:
    found = await resources.submissions.get_with_results(task_id)
    submission = found.submission
    events: list[dict[str, Any]] = [{"type": "queued", "task_id": task_id}]
    if submission.status == SubmissionStatus.DONE:
        events.append({"type": "compiling"})
        if submission.compile_message is not None and not found.results:
            events.append(
                {
                    "type": "compile_error",
                    "verdict": submission.verdict,
                    "message": submission.compile_message,
                }
            )
        else:
            events.append({"type": "compiled", "message": ""})
        events += [test_event(r) for r in sorted(found.results, key=lambda r: r.index)]
        summary = Summary(
            submission.verdict or "IE",
            submission.passed,
            submission.failed,
            submission.total,
            submission.max_cpu_ms,
            submission.max_memory_kb,
            submission.compile_message,
        )
        events.append(done_event(summary))
    numbered = [{"id": f"0-{n}", **event} for n, event in enumerate(events, start=1)]
    if after and after.startswith("0-"):
        numbered = [e for e in numbered if int(e["id"][2:]) > int(after[2:])]
    elif after:
        numbered = numbered[-1:] if submission.status == SubmissionStatus.DONE else []
    return numbered
