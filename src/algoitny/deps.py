"""FastAPI dependencies: shared clients, the caller, and access checks.

Handlers never check roles themselves; they ask for ``AdminDep`` or
``CallerDep``. Until sign-in lands, the only credential is the configured
admin token sent as ``Authorization: Bearer <token>``; sign-in will replace
``current_caller`` without touching any handler.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from algoitny.domain import Platform, Submission
from algoitny.errors import Forbidden, InvalidToken, NotAuthenticated, ProblemNotFound, SubmissionNotFound
from algoitny.resources import Resources
from algoitny.settings import Settings
from algoitny.services.ids import TASK_ID_PATTERN
from algoitny.table import ProblemRepository, SubmissionRepository, TestCaseRepository


def get_resources(request: Request) -> Resources:
    return request.app.state.resources


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


ResourcesDep = Annotated[Resources, Depends(get_resources)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_problems(resources: ResourcesDep) -> ProblemRepository:
    return resources.problems


def get_test_cases(resources: ResourcesDep) -> TestCaseRepository:
    return resources.test_cases


ProblemsDep = Annotated[ProblemRepository, Depends(get_problems)]
TestCasesDep = Annotated[TestCaseRepository, Depends(get_test_cases)]

_bearer = HTTPBearer(auto_error=False, description="Admin token (sign-in tokens once sign-in lands).")


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    role: Role
    subject: str  # who is counted and owns submissions: a user id, or ``ip:{address}``

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


async def current_caller(
    request: Request,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        return Caller(Role.ANONYMOUS, f"ip:{request.client.host if request.client else 'unknown'}")
    admin_token = settings.admin_token.get_secret_value() if settings.admin_token else None
    if admin_token and secrets.compare_digest(credentials.credentials.encode(), admin_token.encode()):
        return Caller(Role.ADMIN, "admin")
    raise InvalidToken()


CallerDep = Annotated[Caller, Depends(current_caller)]


async def admin_user(caller: CallerDep) -> Caller:
    if caller.role == Role.ANONYMOUS:
        raise NotAuthenticated()
    if not caller.is_admin:
        raise Forbidden()
    return caller


AdminDep = Annotated[Caller, Depends(admin_user)]


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
        Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$", description="The platform's id, or the legacy id."),
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


def get_submissions(resources: ResourcesDep) -> SubmissionRepository:
    return resources.submissions


SubmissionsDep = Annotated[SubmissionRepository, Depends(get_submissions)]

SubmissionId = Annotated[str, Path(pattern=TASK_ID_PATTERN, description="The submission's (task's) id.")]


async def visible_submission(submission_id: SubmissionId, submissions: SubmissionsDep, caller: CallerDep) -> Submission:
    """A public submission for anyone; a private one for its owner and admins only
    (everyone else gets 404, so private ids are not even confirmed)."""
    submission = await submissions.get(submission_id)
    if submission.public or caller.is_admin or caller.subject == submission.user_id:
        return submission
    raise SubmissionNotFound()


VisibleSubmission = Annotated[Submission, Depends(visible_submission)]
