"""Hints: for a failed submission (3–5, from the model or, without one, from the
results themselves) and a problem's progressive hints (admin-made, user-read).

A submission's hints are made once: a second request reads them back (no
model call, no quota). Nothing is counted when there is nothing to hint
(accepted) or the hints exist; the quota unit is given back if making them fails.

Hints quote the counterexample search's result when there is one, so hints asked for
while a search runs are stored as *provisional*: served (free) while it runs, and
replaced by the first request after it ends (free too: the caller paid for hints once),
whose hints are final. Final hints are stored only if the search is still in the state
they were made from (``HintRepository.save_submission_hints``); otherwise that answer
carries them without storing them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from algoitny.ai import AiBadAnswer, AiCallFailed, HintList, ProblemHintLevels, Task
from algoitny.ai.prompts import HINT_SYSTEM, problem_hints_prompt, submission_hints_prompt
from algoitny.domain import (
    Caller,
    CounterexampleStatus,
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
    provisional: bool = False  # made while a counterexample search runs (see the module docstring)


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
    searching = submission.counterexample_status == CounterexampleStatus.SEARCHING
    if stored is not None and (not stored.provisional or searching):
        return HintsOutcome(stored.hints, stored.source, cached=True, provisional=stored.provisional)
    # Replacing provisional hints once their search ended is free: the caller paid for hints.
    usage = None
    if stored is None:
        usage = await quota.consume(resources.usage, caller, quota.HINT, resources.settings.quota)
    try:
        made, seen = await _make_hints(resources, submission)
        saved = await resources.hints.save_submission_hints(
            submission.submission_id,
            made,
            search_seen=(seen.counterexample_status, seen.counterexample_started_at),
        )
        if not saved:
            stored = await resources.hints.get_submission_hints(submission.submission_id)
            if stored is not None and not stored.provisional:
                # Another request made final ones first: theirs stand, this one costs nothing.
                if usage is not None:
                    await quota.refund(resources.usage, caller, quota.HINT)
                return HintsOutcome(stored.hints, stored.source, cached=True)
            # A search started or ended while they were made: they stand for this answer only.
    except BaseException:
        if usage is not None:
            await quota.refund(resources.usage, caller, quota.HINT)
        raise
    await resources.stats.count("hints")
    return HintsOutcome(made.hints, made.source, cached=False, usage=usage, provisional=made.provisional)


async def _make_hints(resources: Resources, submission: Submission) -> tuple[SubmissionHints, Submission]:
    """The hints, and the submission as they saw it (its counterexample search's state)."""
    found = await resources.submissions.get_with_results(submission.submission_id)
    seen = found.submission
    provisional = seen.counterexample_status == CounterexampleStatus.SEARCHING
    failures = sorted((r for r in found.results if not r.passed), key=lambda r: r.index)
    try:
        problem: Problem | None = await resources.problems.get(
            platform=submission.platform, identifier=submission.identifier
        )
    except ProblemNotFound:
        problem = None
    if resources.ai is not None and problem is not None:
        detailed: list[TestRecord] = [r for r in failures if r.input_excerpt is not None][:PROMPT_FAILURES]
        prompt = submission_hints_prompt(problem, seen, detailed)
        try:
            answer = await resources.ai.generate(Task.HINTS, prompt, HintList, system=HINT_SYSTEM)
            tokens = answer.usage.total_tokens
            return SubmissionHints(answer.value.hints, "ai", tokens=tokens, provisional=provisional), seen
        except (AiCallFailed, AiBadAnswer) as exc:
            log.warning("hints for %s fall back to the results: %s", submission.submission_id, exc)
    return SubmissionHints(results_hints(seen, failures, problem), "results", provisional=provisional), seen


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
