"""Statistics: mine, any user's (public numbers), a problem's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from algoitny.deps import ResourcesDep, SignedInDep, VisibleProblem
from algoitny.routes.responses import errors
from algoitny.schemas.stats import ProblemStatsRead, UserStatsRead, problem_stats_read, user_stats_read
from algoitny.table.stats import StatisticsRepository

router = APIRouter(tags=["statistics"])

UserId = Annotated[str, Path(pattern=r"^u[0-9a-f]{20}$")]


def _statistics(resources: ResourcesDep) -> StatisticsRepository:
    return StatisticsRepository(resources.table)


@router.get("/api/account/stats", response_model=UserStatsRead, responses=errors(401))
async def get_my_stats(caller: SignedInDep, resources: ResourcesDep) -> UserStatsRead:
    """My judged submissions: counts, problems tried and solved, by language, platform and
    verdict, activity and daily streaks of accepted submissions (UTC days)."""
    return user_stats_read(await _statistics(resources).get_user(caller.account.user_id))


@router.get("/api/users/{user_id}/stats", response_model=UserStatsRead, responses=errors(401, 404))
async def get_user_stats(user_id: UserId, resources: ResourcesDep) -> UserStatsRead:
    """A user's public profile numbers (the same as their own view; no code, no problem names)."""
    await resources.users.get(user_id)  # 404 user_not_found for someone who does not exist
    return user_stats_read(await _statistics(resources).get_user(user_id))


@router.get(
    "/api/problems/{platform}/{problem_identifier}/stats",
    response_model=ProblemStatsRead,
    responses=errors(401, 404),
)
async def get_problem_stats(problem: VisibleProblem, resources: ResourcesDep) -> ProblemStatsRead:
    """A problem's judged submissions (also as `legacy/{old id}`); drafts and deleted
    problems: admins only, like the problem itself."""
    return problem_stats_read(await _statistics(resources).get_problem(problem.platform, problem.identifier))
