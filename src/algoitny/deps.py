"""FastAPI dependencies: shared clients, the caller, and access checks.

Handlers never check roles themselves; they ask for ``CallerDep`` (anyone,
identified), ``SignedInDep`` (a signed-in user) or ``AdminDep``. Credentials
are ``Authorization: Bearer <access token>`` (our JWT; its session must not be
revoked) or, for operators and scripts, the configured ``admin_token``.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from algoitny import client_identity
from algoitny.domain import Caller, Plan, Platform, Problem, Role, Submission, User, UserRole
from algoitny.errors import (
    Forbidden,
    InvalidToken,
    NotAuthenticated,
    PlanNotFound,
    ProblemNotFound,
    SubmissionNotFound,
    UserInactive,
    UserNotFound,
)
from algoitny.resources import Resources
from algoitny.services import problems as problem_access
from algoitny.services.ids import TASK_ID_PATTERN
from algoitny.settings import Settings
from algoitny.table import ProblemRepository, SubmissionRepository, TestCaseRepository


# Dependencies are ``async def`` even when they await nothing: FastAPI runs a plain ``def``
# dependency in a worker thread, a thread hop per dependency per request (docs/capacity.md).
async def get_resources(request: Request) -> Resources:
    return request.app.state.resources


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


ResourcesDep = Annotated[Resources, Depends(get_resources)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_problems(resources: ResourcesDep) -> ProblemRepository:
    return resources.problems


async def get_test_cases(resources: ResourcesDep) -> TestCaseRepository:
    return resources.test_cases


ProblemsDep = Annotated[ProblemRepository, Depends(get_problems)]
TestCasesDep = Annotated[TestCaseRepository, Depends(get_test_cases)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from `POST /api/auth/google/` (or `/api/auth/dev/` in development).",
)

PLAN_CACHE_S = 30.0


async def plan_named(resources: Resources, name: str) -> Plan | None:
    """Plans change rarely and are read on every signed-in request: cached for a few seconds."""
    cached = resources.plan_cache.get(name)
    if cached and time.monotonic() - cached[1] < PLAN_CACHE_S:
        return cached[0]
    try:
        plan = await resources.plans.get(name)
    except PlanNotFound:
        plan = None
    resources.plan_cache[name] = (plan, time.monotonic())
    return plan


async def current_caller(
    request: Request,
    resources: ResourcesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        address = client_identity.request_address(request, resources.settings.clients)
        token = client_identity.presented_token(request)
        owner = client_identity.anonymous_owner(token) if token else None
        return Caller(Role.ANONYMOUS, f"ip:{address}", owner=owner, anonymous_token=token)
    token = credentials.credentials
    operator = resources.settings.admin_token
    if operator and secrets.compare_digest(token.encode(), operator.get_secret_value().encode()):
        return Caller(Role.ADMIN, "admin")
    claims = resources.token_service.verify(token)
    active, user = await asyncio.gather(
        resources.tokens.is_active(claims.family_id), _user_or_none(resources, claims.user_id)
    )
    if not active:
        raise InvalidToken("This session was signed out or revoked; sign in again.")
    if user is None:
        raise InvalidToken("This token's user no longer exists.")
    if not user.active:
        raise UserInactive()  # deactivated after signing in: their tokens stop at once
    role = Role.ADMIN if user.role == UserRole.ADMIN else Role.USER
    return Caller(role, user.user_id, user, await plan_named(resources, user.plan))


async def _user_or_none(resources: Resources, user_id: str) -> User | None:
    try:
        return await resources.users.get(user_id)
    except UserNotFound:
        return None


CallerDep = Annotated[Caller, Depends(current_caller)]


async def signed_in_user(caller: CallerDep) -> Caller:
    if caller.user is None:
        raise NotAuthenticated()
    return caller


SignedInDep = Annotated[Caller, Depends(signed_in_user)]


async def admin_user(caller: CallerDep) -> Caller:
    if caller.role == Role.ANONYMOUS:
        raise NotAuthenticated()
    if not caller.is_admin:
        raise Forbidden()
    return caller


AdminDep = Annotated[Caller, Depends(admin_user)]


async def identified_caller(caller: CallerDep) -> Caller:
    """Anyone but an anonymous caller: a signed-in user, or an admin (the operator token too)."""
    if caller.role == Role.ANONYMOUS:
        raise NotAuthenticated()
    return caller


IdentifiedDep = Annotated[Caller, Depends(identified_caller)]


async def problem_registrar(caller: CallerDep) -> Caller:
    """An admin, or a signed-in user whose plan has ``can_register_problems``."""
    if caller.role == Role.ANONYMOUS:
        raise NotAuthenticated()
    if not caller.is_admin and not problem_access.may_register(caller.plan):
        raise Forbidden("Your plan does not include registering problems.")
    return caller


RegistrarDep = Annotated[Caller, Depends(problem_registrar)]


class ProblemPlatform(StrEnum):
    """A platform, or ``legacy`` to address a problem by its old integer id."""

    BAEKJOON = Platform.BAEKJOON.value
    CODEFORCES = Platform.CODEFORCES.value
    LEETCODE = Platform.LEETCODE.value
    ATCODER = Platform.ATCODER.value
    CUSTOM = Platform.CUSTOM.value
    LEGACY = "legacy"


@dataclass(frozen=True)
class ProblemKey:
    platform: str
    identifier: str


async def problem_key(
    problems: ProblemsDep,
    platform: Annotated[
        ProblemPlatform,
        Path(description="The problem's platform, or `legacy` with the old integer id as identifier."),
    ],
    problem_identifier: Annotated[
        str,
        Path(
            pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$", description="The platform's id, or the legacy id."
        ),
    ],
) -> ProblemKey:
    """Both addressings, everywhere: ``/{platform}/{id}`` and ``/legacy/{old integer id}``."""
    if platform != ProblemPlatform.LEGACY:
        return ProblemKey(platform.value, problem_identifier)
    if not problem_identifier.isdigit() or not 1 <= int(problem_identifier) <= 2**53:
        raise ProblemNotFound("A legacy problem id is a positive integer.")
    platform_, identifier = await problems.resolve_legacy_id(int(problem_identifier))
    return ProblemKey(platform_, identifier)


ProblemKeyDep = Annotated[ProblemKey, Depends(problem_key)]


async def visible_problem(key: ProblemKeyDep, problems: ProblemsDep, caller: CallerDep) -> Problem:
    """The addressed problem if the caller may see it (drafts and deleted ones: admins only)."""
    return await problem_access.get_visible(
        problems,
        platform=key.platform,
        identifier=key.identifier,
        admin=caller.is_admin,
        viewer=caller.user.user_id if caller.user else None,
    )


VisibleProblem = Annotated[Problem, Depends(visible_problem)]


async def get_submissions(resources: ResourcesDep) -> SubmissionRepository:
    return resources.submissions


SubmissionsDep = Annotated[SubmissionRepository, Depends(get_submissions)]

SubmissionId = Annotated[str, Path(pattern=TASK_ID_PATTERN, description="The submission's (task's) id.")]


async def visible_submission(
    submission_id: SubmissionId, submissions: SubmissionsDep, caller: CallerDep
) -> Submission:
    """A public submission for anyone; a private one for its owner and admins only
    (everyone else gets 404, so private ids are not even confirmed)."""
    submission = await submissions.get(submission_id)
    if (
        submission.public
        or caller.is_admin
        or (caller.owner is not None and caller.owner == submission.user_id)
    ):
        return submission
    raise SubmissionNotFound()


VisibleSubmission = Annotated[Submission, Depends(visible_submission)]
