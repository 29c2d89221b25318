"""Hints: for a failed submission (owner or admin; quota-limited) and a problem's
progressive hints (admins write or generate them, anyone reads them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from algoitny.deps import AdminDep, CallerDep, ProblemKeyDep, ResourcesDep, VisibleProblem, VisibleSubmission
from algoitny.domain import ProblemHints
from algoitny.errors import HintsNotFound
from algoitny.routes.responses import errors, json_body
from algoitny.schemas.ai import ProblemHintsRead, ProblemHintsUpdate, SubmissionHintsRead
from algoitny.services import hints as hinting

router = APIRouter(tags=["hints"])


@router.post(
    "/api/submissions/{submission_id}/hints",
    response_model=SubmissionHintsRead,
    responses=errors(401, 403, 404, 409, 429),
)
async def request_submission_hints(submission: VisibleSubmission, resources: ResourcesDep, caller: CallerDep):
    """3–5 hints that point at the bug of a failed submission without giving the answer
    (its owner or an admin). Made once and counted against the daily hints quota; asking
    again returns them (`cached`) for free. Nothing to hint (empty list) when it passed.
    Without an AI model the hints come from the results (`source: results`). Hints asked
    for while a counterexample search runs are `provisional`: asking again after it ends
    replaces them, for free, with hints that quote its counterexample."""
    outcome = await hinting.submission_hints(resources, caller, submission)
    return json_body(
        SubmissionHintsRead.model_validate(
            {
                "submission_id": submission.submission_id,
                "hints": outcome.hints,
                "source": outcome.source,
                "cached": outcome.cached,
                "provisional": outcome.provisional,
                "current_count": outcome.usage.count if outcome.usage else None,
                "limit": outcome.usage.limit if outcome.usage else None,
            }
        )
    )


@router.get(
    "/api/submissions/{submission_id}/hints", response_model=SubmissionHintsRead, responses=errors(401, 404)
)
async def get_submission_hints(submission: VisibleSubmission, resources: ResourcesDep):
    """The submission's hints, once made (`404 hints_not_found` before)."""
    stored = await resources.hints.get_submission_hints(submission.submission_id)
    if stored is None:
        raise HintsNotFound()
    return json_body(
        SubmissionHintsRead.model_validate(
            {
                "submission_id": submission.submission_id,
                "hints": stored.hints,
                "source": stored.source,
                "cached": True,
                "provisional": stored.provisional,
            }
        )
    )


def _problem_hints_read(hints: ProblemHints, levels: int | None = None) -> ProblemHintsRead:
    # Stored levels and source are plain values; the model checks them on the way out.
    return ProblemHintsRead.model_validate(
        {
            "platform": hints.platform,
            "problem_identifier": hints.identifier,
            "levels": hints.levels[:levels],
            "total_levels": len(hints.levels),
            "source": hints.source,
            "updated_at": hints.updated_at,
        }
    )


@router.get(
    "/api/problems/{platform}/{problem_identifier}/hints",
    response_model=ProblemHintsRead,
    responses=errors(401, 404),
)
async def get_problem_hints(
    key: ProblemKeyDep,
    problem: VisibleProblem,
    resources: ResourcesDep,
    levels: Annotated[int | None, Query(ge=1, le=5, description="Reveal only the first n levels.")] = None,
):
    """A problem's progressive hints (approach → insight → pitfalls → implementation), for
    anyone; ask for one more `levels` at a time. `404 hints_not_found` when there are none."""
    found = await hinting.get_problem_hints(resources, platform=key.platform, identifier=key.identifier)
    if found is None:
        raise HintsNotFound()
    return json_body(_problem_hints_read(found, levels))


@router.put(
    "/api/problems/{platform}/{problem_identifier}/hints",
    response_model=ProblemHintsRead,
    responses=errors(401, 403, 404, 413),
)
async def set_problem_hints(
    key: ProblemKeyDep, body: ProblemHintsUpdate, resources: ResourcesDep, admin: AdminDep
):
    """Write a problem's hints yourself (admin; 3–5 levels)."""
    saved = await hinting.set_problem_hints(
        resources,
        platform=key.platform,
        identifier=key.identifier,
        levels=[level.model_dump() for level in body.levels],
    )
    return json_body(_problem_hints_read(saved))


@router.post(
    "/api/problems/{platform}/{problem_identifier}/hints/generate",
    response_model=ProblemHintsRead,
    responses=errors(401, 403, 404, 409),
)
async def generate_problem_hints(key: ProblemKeyDep, resources: ResourcesDep, admin: AdminDep):
    """Have the AI model write the problem's progressive hints (admin), replacing the old ones.
    `409 ai_unavailable` without a model; `503 ai_failed` when it gives no usable answer."""
    saved = await hinting.generate_problem_hints(resources, platform=key.platform, identifier=key.identifier)
    return json_body(_problem_hints_read(saved))
