"""``POST /api/stress/``: the counterexample search for code that is not submitted.

Like a custom run (``services/run.py``), nothing goes to the table: the task (problem,
language, code) lives in Redis and its events stream on ``/ws/executions/{task_id}``:
``queued``, ``counterexample_progress`` …, then ``counterexample`` or
``counterexample_none``, after which the socket closes. The search is the same job as a
submission's (``services/counterexample.py``, on the stress queue), counted against the
caller's daily ``stress`` quota; the official tests are never run.
"""

from __future__ import annotations

import logging
from typing import Any

from algoitny import redis_keys
from algoitny.domain import Caller, Usage
from algoitny.errors import ProblemNotFound, ReferenceSolutionMissing, StressSetupMissing
from algoitny.resources import Resources
from algoitny.services import counterexample, quota
from algoitny.services import problems as problem_access
from algoitny.services.ids import new_task_id
from algoitny.services.submit import Accepted, _owner, language_id_of, require_worker
from algoitny.stress.engine import Program, SearchOutcome

log = logging.getLogger(__name__)

KIND = "stress"


async def start(
    resources: Resources, caller: Caller, *, platform: str, identifier: str, language: str, code: str
) -> Accepted:
    language_id = language_id_of(language)
    await require_worker(resources, language_id)
    problem = await resources.problems.get(platform=platform, identifier=identifier)
    viewer = caller.user.user_id if caller.user else None
    if not problem_access.may_see(problem, admin=caller.is_admin, viewer=viewer):
        raise ProblemNotFound()
    if not problem.solution_code or not problem.solution_language:
        raise ReferenceSolutionMissing()
    if await resources.stress.get_setup(platform=platform, identifier=identifier) is None:
        raise StressSetupMissing()
    usage: Usage = await quota.consume(resources.usage, caller, quota.STRESS, resources.settings.quota)
    task_id = new_task_id()
    owner, token = _owner(caller)
    key = redis_keys.task(task_id)
    try:
        async with resources.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "kind": KIND,
                    "owner": owner,
                    "platform": platform,
                    "identifier": identifier,
                    "language": language_id,
                    "code": code,
                },
            )
            pipe.expire(key, redis_keys.TASK_TTL_S)
            await pipe.execute()
        await resources.events.publish(task_id, {"type": "queued", "task_id": task_id})
        await counterexample.enqueue(resources, task_id, 0)
    except BaseException:
        await quota.refund(resources.usage, caller, quota.STRESS)
        raise
    return Accepted(task_id, usage, token)


async def _final_published(resources: Resources, task_id: str) -> bool:
    return any(e["type"] in counterexample.FINAL_EVENTS for e in await resources.events.history(task_id))


async def _publish_final(resources: Resources, task_id: str, outcome: SearchOutcome) -> str:
    status, found = counterexample.outcome_fields(outcome)
    event = counterexample.final_event(
        status,
        found,
        search=0,
        tries=outcome.tries,
        elapsed_ms=outcome.elapsed_ms,
        exhausted=outcome.exhausted,
        error=outcome.candidate_error or outcome.error,  # a candidate that does not compile says so
    )
    if not await _final_published(resources, task_id):
        await resources.events.publish(task_id, event)
    await resources.events.retire(task_id)
    return status


async def run(resources: Resources, task_id: str) -> str | None:
    task: dict[bytes, bytes] = await resources.redis.hgetall(redis_keys.task(task_id))  # type: ignore[misc]
    if not task or await _final_published(resources, task_id):
        return None
    fields: dict[str, Any] = {k.decode(): v.decode() for k, v in task.items()}
    problem = await resources.problems.get(
        platform=fields["platform"], identifier=fields["identifier"], include_deleted=True
    )
    setup = await resources.stress.get_setup(platform=problem.platform, identifier=problem.identifier)
    if setup is None or not problem.solution_code:
        outcome = SearchOutcome(None, 0, 0, False, error="The problem lost its stress setup or reference.")
    else:
        candidate = Program(fields["language"], fields["code"])
        outcome = await counterexample.search(resources, setup, problem, candidate, task_id)
    return await _publish_final(resources, task_id, outcome)


async def give_up(resources: Resources, task_id: str, message: str) -> None:
    await _publish_final(resources, task_id, SearchOutcome(None, 0, 0, False, error=message))
