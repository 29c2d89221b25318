"""Accepting work: a judged submission or a custom-input run.

Both validate, count against the daily quota (given back if anything after
the count fails), record the task, publish its ``queued`` event and enqueue
one arq job whose id is the task id (so a retried enqueue is a no-op).
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass

from algoitny import redis_keys
from algoitny.deps import Caller
from algoitny.domain import Problem, Submission, Usage
from algoitny.errors import ProblemHasNoTests, UnsupportedLanguage
from algoitny.executor import UnknownLanguage, get_language, languages
from algoitny.resources import Resources
from algoitny.services import quota
from algoitny.services.ids import new_task_id

JUDGE_JOB = "judge_submission"
RUN_JOB = "run_custom"


@dataclass
class Accepted:
    task_id: str
    usage: Usage


@functools.cache
def _available() -> dict[str, str]:
    """Language id → reason it is unavailable ("" when available); probed once."""
    return {info.id: ("" if info.available else info.reason) for info in languages()}


def resolve_language(name: str) -> str:
    try:
        language = get_language(name)
    except UnknownLanguage as exc:
        raise UnsupportedLanguage(str(exc)) from exc
    reason = _available().get(language.id, "unknown")
    if reason:
        raise UnsupportedLanguage(f"{language.id} is not available on this judge: {reason}")
    return language.id


async def _accept(resources: Resources, caller: Caller, task_id: str, job: str, *, check, record) -> Usage:
    """Counts the request and runs ``check()`` (validation reads) at the same time; a failed
    check gives the count back and wins over a quota refusal. Then records the task and
    publishes ``queued`` together, and enqueues the job (only once the task is recorded)."""
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
    language_id = resolve_language(language)
    task_id = new_task_id()

    async def check() -> Problem:
        problem = await resources.problems.get(platform=platform, identifier=identifier)
        if problem.test_case_count == 0:
            raise ProblemHasNoTests()
        return problem

    async def record(problem: Problem) -> None:
        submission = Submission(
            submission_id=task_id,
            user_id=caller.subject,
            platform=platform,
            identifier=identifier,
            problem_title=problem.title,
            language=language_id,
            code=code,
            public=public,
        )
        await resources.submissions.create(submission)

    usage = await _accept(resources, caller, task_id, JUDGE_JOB, check=check, record=record)
    return Accepted(task_id, usage)


async def start_run(
    resources: Resources, caller: Caller, *, language: str, code: str, stdin: str
) -> Accepted:
    language_id = resolve_language(language)
    task_id = new_task_id()

    async def check() -> None:
        return None

    async def record(_: None) -> None:
        key = redis_keys.task(task_id)
        async with resources.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "kind": "run",
                    "owner": caller.subject,
                    "language": language_id,
                    "code": code,
                    "stdin": stdin,
                },
            )
            pipe.expire(key, redis_keys.TASK_TTL_S)
            await pipe.execute()

    usage = await _accept(resources, caller, task_id, RUN_JOB, check=check, record=record)
    return Accepted(task_id, usage)
