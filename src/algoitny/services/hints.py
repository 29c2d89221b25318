"""Hints: for a failed submission (3–5, from the model or, without one, from the
results themselves) and a problem's progressive hints (admin-made, user-read).

A submission's hints are made once: a second request reads them back (no
model call, no quota). Nothing is counted when there is nothing to hint
(accepted) or the hints exist; the quota unit is given back if making them fails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from algoitny.ai import AiBadAnswer, AiCallFailed, HintList, ProblemHintLevels, Task
from algoitny.ai.prompts import HINT_SYSTEM, problem_hints_prompt, submission_hints_prompt
from algoitny.domain import (
    Caller,
    Problem,
    ProblemHints,
    Role,
    Submission,
    SubmissionHints,
    SubmissionStatus,
    TestRecord,
    Usage,
)
from algoitny.errors import (
    AiFailed,
    AiUnavailable,
    NotAuthenticated,
    NotSubmissionOwner,
    ProblemNotFound,
    SubmissionNotFinished,
)
from algoitny.resources import Resources
from algoitny.services import quota
from algoitny.services.fallback_hints import results_hints

log = logging.getLogger(__name__)

PROMPT_FAILURES = 3


@dataclass
class HintsOutcome:
    hints: list[str]
    source: str | None  # "ai", "results", or None when there is nothing to hint
    cached: bool
    usage: Usage | None = None


async def submission_hints(resources: Resources, caller: Caller, submission: Submission) -> HintsOutcome:
    if not (caller.is_admin or (caller.owner is not None and caller.owner == submission.user_id)):
        if caller.role == Role.ANONYMOUS:  # signing in may make them the owner: 401, not 403
            raise NotAuthenticated("Sign in as the submission's owner to ask for its hints.")
        raise NotSubmissionOwner()
    if submission.status != SubmissionStatus.DONE:
        raise SubmissionNotFinished()
    if submission.verdict == "AC":
        return HintsOutcome([], None, cached=False)
    stored = await resources.hints.get_submission_hints(submission.submission_id)
    if stored is not None:
        return HintsOutcome(stored.hints, stored.source, cached=True)
    usage = await quota.consume(resources.usage, caller, quota.HINT, resources.settings.quota)
    try:
        made = await _make_hints(resources, submission)
        if not await resources.hints.save_submission_hints(submission.submission_id, made):
            # Another request made them first: theirs stand, this one costs nothing.
            await quota.refund(resources.usage, caller, quota.HINT)
            stored = await resources.hints.get_submission_hints(submission.submission_id)
            theirs = stored or made
            return HintsOutcome(theirs.hints, theirs.source, cached=True)
    except BaseException:
        await quota.refund(resources.usage, caller, quota.HINT)
        raise
    await resources.stats.count("hints")
    return HintsOutcome(made.hints, made.source, cached=False, usage=usage)


async def _make_hints(resources: Resources, submission: Submission) -> SubmissionHints:
    found = await resources.submissions.get_with_results(submission.submission_id)
    failures = sorted((r for r in found.results if not r.passed), key=lambda r: r.index)
    try:
        problem: Problem | None = await resources.problems.get(
            platform=submission.platform, identifier=submission.identifier
        )
    except ProblemNotFound:
        problem = None
    if resources.ai is not None and problem is not None:
        detailed: list[TestRecord] = [r for r in failures if r.input_excerpt is not None][:PROMPT_FAILURES]
        prompt = submission_hints_prompt(problem, found.submission, detailed)
        try:
            answer = await resources.ai.generate(Task.HINTS, prompt, HintList, system=HINT_SYSTEM)
            return SubmissionHints(answer.value.hints, "ai", tokens=answer.usage.total_tokens)
        except (AiCallFailed, AiBadAnswer) as exc:
            log.warning("hints for %s fall back to the results: %s", submission.submission_id, exc)
    return SubmissionHints(results_hints(found.submission, failures, problem), "results")


async def generate_problem_hints(resources: Resources, *, platform: str, identifier: str) -> ProblemHints:
    if resources.ai is None:
        raise AiUnavailable("No AI model is configured here: write the hints yourself (PUT …/hints).")
    problem = await resources.problems.get(platform=platform, identifier=identifier)
    samples = await resources.test_cases.list_samples(platform=platform, identifier=identifier)
    try:
        answer = await resources.ai.generate(
            Task.PROBLEM_HINTS, problem_hints_prompt(problem, samples), ProblemHintLevels, system=HINT_SYSTEM
        )
    except (AiCallFailed, AiBadAnswer) as exc:
        raise AiFailed(f"The model gave no usable hints: {exc}") from exc
    levels = [level.model_dump() for level in answer.value.levels]
    return await resources.hints.save_problem_hints(
        ProblemHints(
            platform=platform,
            identifier=identifier,
            levels=levels,
            source="ai",
            tokens=answer.usage.total_tokens,
        )
    )


async def set_problem_hints(
    resources: Resources, *, platform: str, identifier: str, levels: list[dict[str, str]]
) -> ProblemHints:
    await resources.problems.get(platform=platform, identifier=identifier)
    return await resources.hints.save_problem_hints(ProblemHints(platform, identifier, levels, "admin"))


async def get_problem_hints(resources: Resources, *, platform: str, identifier: str) -> ProblemHints | None:
    await resources.problems.get(platform=platform, identifier=identifier)
    return await resources.hints.get_problem_hints(platform=platform, identifier=identifier)
