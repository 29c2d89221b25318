"""Who may see, register and edit a problem.

A problem is released when its status is ``completed``. Drafts (unreleased statements,
problems still under review) and soft-deleted problems exist for admins only — and a
draft also for the user who registered it: everyone else gets ``404 problem_not_found``,
exactly as for an identifier that was never used, on every read — the problem, lists,
samples, hints — and on submit/execute.

Registering: admins create any problem. A signed-in user whose plan has
``can_register_problems`` may create problems too; theirs are always drafts, carry
``created_by`` and the review flag ``REVIEW_FLAG`` (so they appear in the admins'
``flagged=true`` queue), and only an admin publishes them (``status: completed``). Until
then the author may read their draft and change its content, not its status or flags.
"""

from __future__ import annotations

from typing import Any

from algoitny.domain import Plan, Problem, ProblemStatus
from algoitny.errors import Forbidden, ProblemNotFound
from algoitny.table import ProblemRepository

REVIEW_FLAG = "registered by a user: review, then publish"
_ADMIN_ONLY_FIELDS = {"status", "review_flags"}


def is_released(problem: Problem) -> bool:
    return not problem.deleted and problem.status == ProblemStatus.COMPLETED


def may_see(problem: Problem, *, admin: bool, viewer: str | None = None) -> bool:
    if admin or is_released(problem):
        return True
    return not problem.deleted and viewer is not None and viewer == problem.created_by


async def get_visible(
    problems: ProblemRepository,
    *,
    platform: str,
    identifier: str,
    admin: bool,
    viewer: str | None = None,
    consistent: bool = False,
) -> Problem:
    """The problem if the caller may see it: any problem for an admin (deleted ones too, so
    they can be restored), a draft for its author, released ones for everyone else."""
    problem = await problems.get(
        platform=platform, identifier=identifier, consistent=consistent, include_deleted=admin
    )
    if not may_see(problem, admin=admin, viewer=viewer):
        raise ProblemNotFound()
    return problem


def may_register(plan: Plan | None) -> bool:
    return plan is not None and plan.can_register_problems


def registered_by_user(problem: Problem, user_id: str) -> Problem:
    """What a (non-admin) user's registration becomes: their draft, queued for review."""
    problem.status = ProblemStatus.DRAFT
    problem.created_by = user_id
    problem.review_flags = list(dict.fromkeys([*problem.review_flags, REVIEW_FLAG]))
    return problem


async def author_changes(
    problems: ProblemRepository, *, platform: str, identifier: str, user_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Checks that ``user_id`` may make ``changes`` as the author (not an admin): their own
    draft, content fields only."""
    problem = await problems.get(platform=platform, identifier=identifier, consistent=True)
    if not may_see(problem, admin=False, viewer=user_id):
        raise ProblemNotFound()  # someone else's draft: not even its existence is confirmed
    if problem.created_by != user_id or problem.status != ProblemStatus.DRAFT:
        raise Forbidden("Only admins change this problem.")
    if changes.keys() & _ADMIN_ONLY_FIELDS:
        raise Forbidden("Only an admin publishes a problem or changes its review flags.")
    return changes
