"""A problem's submissions visible to the caller: theirs plus every public one."""

from __future__ import annotations

from fastapi import APIRouter

from algoitny.deps import CallerDep, SubmissionsDep, VisibleProblem
from algoitny.routes.responses import errors, json_body
from algoitny.routes.submissions import Cursor, _page
from algoitny.schemas.common import PageLimit
from algoitny.schemas.executions import SubmissionPage

router = APIRouter(tags=["history"])


@router.get(
    "/api/problems/{platform}/{problem_identifier}/submissions",
    response_model=SubmissionPage,
    responses=errors(400, 401, 404),
)
async def list_problem_submissions(
    problem: VisibleProblem,
    submissions: SubmissionsDep,
    caller: CallerDep,
    limit: PageLimit = 20,
    cursor: Cursor = None,
):
    """The problem's submissions the caller may see — their own (private ones included)
    and everyone's public ones — newest first, one `cursor` for both. Anonymous callers
    see their own with the owner token they send, like `/api/submissions/mine`."""
    page = await submissions.list_for_problem(
        problem.platform, problem.identifier, viewer=caller.owner, limit=limit, cursor=cursor
    )
    return json_body(_page(page))
