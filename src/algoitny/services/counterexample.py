"""Counterexample searches around ``stress.engine.find_counterexample``: when one starts,
where it runs, what it publishes and stores.

A search runs for a finished submission (started by the judge when it ends WA or RE, or
asked for: ``POST /api/submissions/{id}/counterexample``) or for code not submitted at
all (``POST /api/stress/``, see ``services/stress_task.py``). Either way it is the arq
job ``find_counterexample`` on a queue of its own (``stress_queue``): every worker
serves that queue with ``StressSettings.worker_jobs`` jobs at a time beside its judging
jobs, so searches wait for each other, never for submissions, and submissions never wait
for them (see ``worker.py``).

Idempotent, because arq may run a job twice and a killed worker's job is run again:

- the search is named by its start time, stored on the submission when it was started
  (``StressRepository.start_search``, conditional: one at a time); its job id is
  ``cx:{submission}:{start}``, so a second enqueue of the same search is a no-op;
- the result is stored only while that search is the running one and nothing is stored
  (``finish_search``), so a rerun stores nothing twice; a rerun that finds the result
  stored only makes sure the final event was published.

Events, on the submission's stream (``docs/events.md``): ``done`` says
``counterexample: "searching"`` when a search follows it; then ``counterexample_progress``
(size, tries) while it runs, and one final ``counterexample`` or ``counterexample_none``,
after which the stream ends. The reference's outputs never leave the worker, except the
counterexample's own expected output.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from typing import Any

from arq import Retry

from algoitny.domain import Caller, CounterexampleStatus, Problem, Submission, SubmissionStatus, Summary
from algoitny.errors import (
    CounterexampleExists,
    NotSubmissionOwner,
    ReferenceSolutionMissing,
    StressSetupMissing,
    SubmissionNotFinished,
)
from algoitny.resources import Resources

# ``judge`` calls ``after_judging``: imported as a module, its names read at call time.
from algoitny.services import judge, lease, quota
from algoitny.settings import Settings
from algoitny.stress import engine
from algoitny.stress.engine import Budget, Program, Progress, SearchOutcome, StressSetup

log = logging.getLogger(__name__)

STRESS_JOB = "find_counterexample"
SEARCHED_VERDICTS = frozenset({"WA", "RE"})  # what the judge searches after by itself
PROGRESS_EVERY_S = 0.5  # at most two progress events a second (and one per new size)
ERROR_RETRIES = 3
FINAL_EVENTS = ("counterexample", "counterexample_none")


def stress_queue(settings: Settings) -> str:
    return settings.redis.queue_name + settings.stress.queue_suffix


def search_job_id(task_id: str, started_at: int) -> str:
    return f"cx:{task_id}:{started_at}"


def budget(settings: Settings) -> Budget:
    stress = settings.stress
    return Budget(runs=stress.runs, cpu_seconds=stress.cpu_seconds, wall_seconds=stress.wall_seconds)


def _stale_before_ms(settings: Settings) -> int:
    """A search started before this never finished: its job is gone (timeouts passed)."""
    return int(time.time() * 1000) - (settings.stress.job_timeout_s + 60) * 1000


# A generation job's script reads ``"small|medium|max <seed>"``; a stress setup's generator
# reads ``"<size> <seed>"``. The saved generator is the script behind this adapter, which
# maps sizes 1–4, 5–8 and 9–12 onto small, medium and max.
GENERATION_SIZES = (1, 12)
_ADAPTER = """import io, sys
_size, _seed = sys.stdin.readline().split()
_band = "small" if int(_size) <= 4 else "medium" if int(_size) <= 8 else "max"
sys.stdin = io.StringIO(_band + " " + _seed + "\\n")
exec(compile({script!r}, "generator.py", "exec"), {{"__name__": "__main__"}})
"""


def adapted_generator(script: str) -> StressSetup:
    """The stress setup a successful generation job leaves on its problem."""
    return StressSetup(
        generator=_ADAPTER.format(script=script),
        validator=None,
        size_min=GENERATION_SIZES[0],
        size_max=GENERATION_SIZES[1],
    )


async def enqueue(resources: Resources, task_id: str, started_at: int) -> None:
    await resources.redis.enqueue_job(
        STRESS_JOB,
        task_id,
        started_at,
        _job_id=search_job_id(task_id, started_at),
        _queue_name=stress_queue(resources.settings),
    )


async def _setup_and_reference(resources: Resources, problem: Problem) -> StressSetup | None:
    if not problem.solution_code or not problem.solution_language:
        return None
    return await resources.stress.get_setup(platform=problem.platform, identifier=problem.identifier)


async def after_judging(
    resources: Resources, submission: Submission, summary: Summary, problem: Problem | None = None
) -> str | None:
    """Called by the judge once the submission is stored as done, before ``done`` is
    published: ``"searching"`` when a search follows (started now, or by an earlier run of
    the judge job: then enqueued again, which arq ignores if its job exists), else None.
    The caller enqueues nothing itself: ``enqueue_started`` does, after ``done`` is out."""
    if summary.verdict not in SEARCHED_VERDICTS:
        return None
    if submission.counterexample_status is not None:  # a rerun of the judge job
        return "searching" if submission.counterexample_status == CounterexampleStatus.SEARCHING else None
    problem = problem or await resources.problems.get(
        platform=submission.platform, identifier=submission.identifier
    )
    if await _setup_and_reference(resources, problem) is None:
        return None
    started = await resources.stress.start_search(
        submission.submission_id, stale_before_ms=_stale_before_ms(resources.settings)
    )
    if started is None:
        return None
    submission.counterexample_status = CounterexampleStatus.SEARCHING
    submission.counterexample_started_at = started
    return "searching"


async def enqueue_started(resources: Resources, submission_id: str) -> None:
    """Enqueues the submission's running search (if any) — again on a rerun: arq dedups."""
    current = await resources.submissions.get(submission_id, consistent=True)
    if current.counterexample_status == CounterexampleStatus.SEARCHING and current.counterexample_started_at:
        await enqueue(resources, submission_id, current.counterexample_started_at)


async def request(resources: Resources, caller: Caller, submission: Submission) -> Any:
    """``POST /api/submissions/{id}/counterexample``: owner or admin; one ``stress`` quota
    unit; 409 while a search runs or once one found a counterexample."""
    if not caller.is_admin and (caller.owner is None or caller.owner != submission.user_id):
        raise NotSubmissionOwner("Only the submission's owner (or an admin) can ask for a counterexample.")
    if submission.status != SubmissionStatus.DONE:
        raise SubmissionNotFinished()
    if submission.counterexample_status in (CounterexampleStatus.SEARCHING, CounterexampleStatus.FOUND):
        raise CounterexampleExists()
    problem = await resources.problems.get(platform=submission.platform, identifier=submission.identifier)
    if not problem.solution_code or not problem.solution_language:
        raise ReferenceSolutionMissing()
    if await _setup_and_reference(resources, problem) is None:
        raise StressSetupMissing()
    usage = await quota.consume(resources.usage, caller, quota.STRESS, resources.settings.quota)
    try:
        started = await resources.stress.start_search(
            submission.submission_id, stale_before_ms=_stale_before_ms(resources.settings)
        )
        if started is None:
            raise CounterexampleExists()
        await resources.events.publish(
            submission.submission_id, {"type": "counterexample_searching", "search": started}
        )
        await enqueue(resources, submission.submission_id, started)
    except BaseException:
        await quota.refund(resources.usage, caller, quota.STRESS)
        raise
    return usage


# --- the job -------------------------------------------------------------------------------


def progress_publisher(
    publish: Callable[[dict[str, Any]], Awaitable[Any]],
) -> Callable[[Progress], Awaitable[None]]:
    """``on_progress`` for the engine: an event per new size, else at most every
    ``PROGRESS_EVERY_S`` (the engine may report every run)."""
    last: dict[str, float] = {"size": -1, "at": 0.0}

    async def on_progress(progress: Progress) -> None:
        now = time.monotonic()
        if progress.size != last["size"] or now - last["at"] >= PROGRESS_EVERY_S:
            last["size"], last["at"] = progress.size, now
            await publish({"type": "counterexample_progress", "size": progress.size, "tries": progress.tries})

    return on_progress


def final_event(status: str, counterexample: dict[str, Any] | None, *, search: int, **extra: Any) -> dict:
    if status == CounterexampleStatus.FOUND and counterexample is not None:
        return {"type": "counterexample", "search": search, "counterexample": counterexample}
    return {"type": "counterexample_none", "search": search, "reason": status, **extra}


def outcome_fields(outcome: SearchOutcome) -> tuple[CounterexampleStatus, dict[str, Any] | None]:
    found = outcome.counterexample
    if found is not None:
        return CounterexampleStatus.FOUND, asdict(found) | {"verdict": found.verdict.value}
    return (CounterexampleStatus.FAILED if outcome.error else CounterexampleStatus.NONE), None


async def search(
    resources: Resources, setup: StressSetup, problem: Problem, candidate: Program, task_id: str
) -> SearchOutcome:
    assert problem.solution_code and problem.solution_language
    outcome = await engine.find_counterexample(
        setup,
        Program(problem.solution_language, problem.solution_code),
        candidate,
        limits=judge.limits_for(problem),
        checker=judge.checker_for(problem),
        budget=budget(resources.settings),
        on_progress=progress_publisher(lambda event: resources.events.publish(task_id, event)),
    )
    return bounded(outcome)


SHOWN_CHARS = 16 * 1024  # of each text of a counterexample: what is stored and streamed


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "\n… (cut)\n"


def bounded(outcome: SearchOutcome) -> SearchOutcome:
    """The counterexample with each text cut to ``SHOWN_CHARS``: a search without a
    validator may return a generated input of up to 1 MiB (and outputs as large), which
    would not fit in the submission's item (400 KB) nor belong in one WebSocket event."""
    found = outcome.counterexample
    if found is None:
        return outcome
    cut = replace(found, input=_cut(found.input), expected=_cut(found.expected), output=_cut(found.output))
    return replace(outcome, counterexample=cut)


async def publish_final_once(resources: Resources, submission: Submission) -> None:
    started = submission.counterexample_started_at or 0
    status = submission.counterexample_status
    if status is None or status == CounterexampleStatus.SEARCHING:
        return
    for event in await resources.events.history(submission.submission_id):
        if event["type"] in FINAL_EVENTS and event.get("search") == started:
            return
    await resources.events.publish(
        submission.submission_id, final_event(status, submission.counterexample, search=started)
    )
    await resources.events.retire(submission.submission_id)


async def search_submission(resources: Resources, submission_id: str, started_at: int) -> str | None:
    """Runs (or, on a rerun, finishes) the search ``started_at`` of the submission."""
    submission = await resources.submissions.get(submission_id, consistent=True)
    if submission.counterexample_started_at != started_at:
        return None  # superseded by a newer search: that one's job reports
    if submission.counterexample_status != CounterexampleStatus.SEARCHING:
        await publish_final_once(resources, submission)  # stored, maybe not yet published
        return submission.counterexample_status
    problem = await resources.problems.get(
        platform=submission.platform, identifier=submission.identifier, include_deleted=True
    )
    setup = await _setup_and_reference(resources, problem)
    if setup is None:
        outcome = SearchOutcome(None, 0, 0, False, error="The problem lost its stress setup or reference.")
    else:
        candidate = Program(submission.language, submission.code)
        outcome = await search(resources, setup, problem, candidate, submission_id)
    status, _ = outcome_fields(outcome)
    await resources.stress.finish_search(
        submission_id, started_at=started_at, status=status, counterexample=outcome.counterexample
    )
    # Publish what is stored (a concurrent run may have stored first), once.
    await publish_final_once(resources, await resources.submissions.get(submission_id, consistent=True))
    return status


async def find_counterexample_job(ctx: dict[str, Any], task_id: str, started_at: int) -> str | None:
    """arq job on the stress queue: a submission's search (``started_at`` > 0) or an
    unsubmitted stress task's (``started_at`` = 0, ``services/stress_task.py``)."""
    from algoitny.services import stress_task  # the stress task module imports this one

    resources: Resources = ctx["resources"]
    job_id = search_job_id(task_id, started_at)
    async with lease.held(resources.redis, job_id, resources.settings.judge.lease_s):
        try:
            if started_at == 0:
                return await stress_task.run(resources, task_id)
            return await search_submission(resources, task_id, started_at)
        except Exception as exc:  # the table, Redis or the sandbox failed: retry, then give up
            if ctx["job_try"] <= ERROR_RETRIES:
                log.warning("search %s failed (try %d); retrying", job_id, ctx["job_try"], exc_info=True)
                raise Retry(defer=2 ** ctx["job_try"]) from exc
            log.exception("search %s failed for good", job_id)
            if started_at:
                await resources.stress.finish_search(
                    task_id, started_at=started_at, status=CounterexampleStatus.FAILED, counterexample=None
                )
                await publish_final_once(resources, await resources.submissions.get(task_id, consistent=True))
            else:
                await stress_task.give_up(resources, task_id, f"Internal error: {type(exc).__name__}")
            return CounterexampleStatus.FAILED
