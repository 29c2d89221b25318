"""A task's events rebuilt from the table, for clients that come back after its Redis
stream expired. Ids are ``0-{n}``: stable between replays (``events_after``)."""

from __future__ import annotations

from typing import Any

from algoitny.domain import CounterexampleStatus, SubmissionStatus
from algoitny.errors import GenerationJobNotFound, SubmissionNotFound
from algoitny.events import UnknownEventId, is_terminal, stream_id
from algoitny.resources import Resources
from algoitny.services.ai_jobs import job_event
from algoitny.services.counterexample import final_event
from algoitny.services.judge import done_event, test_event


class NoSuchTask(LookupError):
    """Neither a stream nor a stored record holds this task."""


async def submission_events(resources: Resources, task_id: str) -> list[dict[str, Any]]:
    """A submission's events; up to ``queued`` while it is not finished."""
    try:
        found = await resources.submissions.get_with_results(task_id)
    except SubmissionNotFound as exc:
        raise NoSuchTask(task_id) from exc
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
        summary = submission.summary()
        status = submission.counterexample_status
        events.append(done_event(summary, "searching" if status == CounterexampleStatus.SEARCHING else None))
        if status is not None and status != CounterexampleStatus.SEARCHING:
            search = submission.counterexample_started_at or 0
            events.append(final_event(status, submission.counterexample, search=search))
    return _numbered(events)


async def job_events(resources: Resources, job_id: str) -> list[dict[str, Any]]:
    """A generation job's outcome (its step events are gone): ``done``, once it ended."""
    try:
        job = await resources.generation_jobs.get(job_id)
    except GenerationJobNotFound as exc:
        raise NoSuchTask(job_id) from exc
    return _numbered([job_event(job)] if job.finished_at is not None else [])


def _numbered(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": f"0-{n}", **event} for n, event in enumerate(events, start=1)]


def events_after(events: list[dict[str, Any]], after: str | None) -> list[dict[str, Any]]:
    """The rebuilt events a client holding ``after`` has not seen.

    An id of the expired Redis stream cannot be mapped onto the rebuilt ones: such a client
    gets the ``done`` event again (its ids changed), or nothing while the task runs. A
    ``0-n`` id past the rebuilt events was never sent: ``UnknownEventId``.
    """
    if after is None:
        return events
    seconds, sequence = stream_id(after)
    if seconds != 0:
        return events[-1:] if events and is_terminal(events[-1]) else []
    if sequence > len(events):
        raise UnknownEventId(after)
    return events[sequence:]
