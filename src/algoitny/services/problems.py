"""Who may see a problem.

A problem is released when its status is ``completed``. Drafts (unreleased statements,
problems still under review) and soft-deleted problems exist for admins only: everyone
else gets ``404 problem_not_found``, exactly as for an identifier that was never used, on
every read — the problem, lists, samples, hints — and on submit/execute.
"""

from __future__ import annotations

from algoitny.domain import Problem, ProblemStatus
from algoitny.errors import ProblemNotFound
from algoitny.table import ProblemRepository


def is_released(problem: Problem) -> bool:
    return not problem.deleted and problem.status == ProblemStatus.COMPLETED


async def get_visible(
    problems: ProblemRepository, *, platform: str, identifier: str, admin: bool, consistent: bool = False
) -> Problem:
    """The problem if the caller may see it: any problem for an admin (deleted ones too, so they
    can be restored), released ones for everyone else."""
    problem = await problems.get(
        platform=platform, identifier=identifier, consistent=consistent, include_deleted=admin
    )
    if not admin and not is_released(problem):
        raise ProblemNotFound()
    return problem
