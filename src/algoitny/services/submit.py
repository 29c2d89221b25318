"""Accepting work: a judged submission or a custom-input run.

Both validate, check that some live worker can judge the language (the
workers' announcements, ``services/workers.py``: ``no_worker`` when none is
alive, ``language_unavailable`` when none has the toolchain) and, for a
submission, read the problem — at the same time as they count against the
daily quota (given back if any check or anything after the count fails;
docs/capacity.md has the round trips) — then record the
task, publish its ``queued`` event and enqueue one arq job whose id is the
task id (so a retried enqueue is a no-op). If publishing or enqueueing fails
after the task was recorded, the record is discarded again: a 503 never leaves
a submission ``queued`` in the history with no job behind it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from algoitny import client_identity, redis_keys
from algoitny.domain import Caller, Problem, Submission, Usage
from algoitny.errors import (
    LanguageUnavailable,
    NoWorker,
    ProblemHasNoTests,
    ProblemNotFound,
    UnsupportedLanguage,
)
from algoitny.executor import UnknownLanguage, get_language
from algoitny.resources import Resources
from algoitny.services import problems as problem_access
from algoitny.services import quota, workers
from algoitny.services.ids import new_task_id

log = logging.getLogger(__name__)

JUDGE_JOB = "judge_submission"
RUN_JOB = "run_custom"


@dataclass
class Accepted:
    task_id: str
    usage: Usage
    anonymous_token: str | None = None  # anonymous callers: the token that owns this task


def _owner(caller: Caller) -> tuple[str, str | None]:
    """The owner key to record, and (anonymous callers) the token behind it — the one they
    presented, or a new one when they had none."""
    if caller.owner is not None:
        return caller.owner, caller.anonymous_token
    token = client_identity.new_anonymous_token()
    return client_identity.anonymous_owner(token), token


def language_id_of(name: str) -> str:
    try:
        return get_language(name).id
    except UnknownLanguage as exc:
        raise UnsupportedLanguage(str(exc)) from exc


async def require_worker(resources: Resources, language_id: str) -> None:
    """Some live worker announces ``language_id`` (``no_worker`` / ``language_unavailable``).
    Runs beside the quota count and the problem read; a failure gives the count back, so a
    Redis outage still refuses the request (503) with nothing left behind."""
    alive = await workers.live(resources.redis, resources.settings.redis.queue_name)
    if not alive:
        raise NoWorker()
    judged = workers.judged_languages(alive)
    if language_id not in judged:
        raise LanguageUnavailable(
            f"No live worker can judge {language_id} right now (they judge: {', '.join(sorted(judged))}).",
            details={"available": sorted(judged)},
        )


async def _checked(*checks: Awaitable[Any]) -> list[Any]:
    """Awaits the checks at once; if several fail, the first one listed decides the answer
    (as if they had run in order), whichever failed first in time."""
    results = await asyncio.gather(*checks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


async def _accept(
    resources: Resources,
    caller: Caller,
    task_id: str,
    job: str,
    *,
    check: Callable[[], Awaitable[Any]],
    record: Callable[[Any], Awaitable[None]],
    discard: Callable[[], Awaitable[None]],
) -> Usage:
    """Counts the request and runs ``check()`` (validation reads) at the same time; a failed
    check gives the count back and wins over a quota refusal. Then records the task and
    publishes ``queued`` together, and enqueues the job (only once the task is recorded);
    if either fails, ``discard()`` takes the record back (best effort) and the count too."""
    counted: Usage | BaseException
    checked: Any
    counted, checked = await asyncio.gather(
        quota.consume(resources.usage, caller, quota.EXECUTE, resources.settings.quota),
        check(),
        return_exceptions=True,
    )
    if isinstance(checked, BaseException):
        if not isinstance(counted, BaseException):
            await quota.refund(resources.usage, caller, quota.EXECUTE)
        raise checked
    if isinstance(counted, BaseException):
        raise counted
    try:
        await asyncio.gather(
            record(checked), resources.events.publish(task_id, {"type": "queued", "task_id": task_id})
        )
        await resources.redis.enqueue_job(job, task_id, _job_id=task_id)
    except BaseException:
        try:
            await discard()
        except Exception:  # the outage that failed the enqueue may fail this too; say so
            log.exception("task %s was recorded but not queued, and could not be discarded", task_id)
        await quota.refund(resources.usage, caller, quota.EXECUTE)
        raise
    return counted


async def submit(
    resources: Resources,
    caller: Caller,
    *,
    platform: str,
    identifier: str,
    language: str,
    code: str,
    public: bool,
) -> Accepted:
    language_id = language_id_of(language)
    task_id = new_task_id()
    owner, token = _owner(caller)

    async def check() -> Problem:
        _, problem = await _checked(require_worker(resources, language_id), visible_problem())
        return problem

    async def visible_problem() -> Problem:
        problem = await resources.problems.get(platform=platform, identifier=identifier)
        viewer = caller.user.user_id if caller.user else None
        if not problem_access.may_see(problem, admin=caller.is_admin, viewer=viewer):
            raise ProblemNotFound()  # drafts are judged for admins (and their author) only
        if problem.test_case_count == 0:
            raise ProblemHasNoTests()
        return problem

    async def record(problem: Problem) -> None:
        submission = Submission(
            submission_id=task_id,
            user_id=owner,
            platform=platform,
            identifier=identifier,
            problem_title=problem.title,
            language=language_id,
            code=code,
            # A submission to an unreleased problem never enters the public feed: it would
            # show the draft's title and, through its counterexamples, its hidden tests.
            public=public and problem_access.is_released(problem),
        )
        await resources.submissions.create(submission)

    async def discard() -> None:
        await resources.submissions.discard(task_id)

    usage = await _accept(resources, caller, task_id, JUDGE_JOB, check=check, record=record, discard=discard)
    return Accepted(task_id, usage, token)


async def start_run(
    resources: Resources, caller: Caller, *, language: str, code: str, stdin: str
) -> Accepted:
    language_id = language_id_of(language)
    task_id = new_task_id()
    owner, token = _owner(caller)

    async def check() -> None:
        await require_worker(resources, language_id)

    async def record(_: None) -> None:
        key = redis_keys.task(task_id)
        async with resources.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "kind": "run",
                    "owner": owner,
                    "language": language_id,
                    "code": code,
                    "stdin": stdin,
                },
            )
            pipe.expire(key, redis_keys.TASK_TTL_S)
            await pipe.execute()

    async def discard() -> None:
        await resources.redis.delete(redis_keys.task(task_id))

    usage = await _accept(resources, caller, task_id, RUN_JOB, check=check, record=record, discard=discard)
    return Accepted(task_id, usage, token)
