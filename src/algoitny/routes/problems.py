"""Problems: create, read, update, soft-delete, list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from algoitny.deps import (
    AdminDep,
    CallerDep,
    IdentifiedDep,
    ProblemKeyDep,
    ProblemsDep,
    RegistrarDep,
    VisibleProblem,
    admin_user,
)
from algoitny.domain import Platform, Problem, ProblemStatus
from algoitny.routes.responses import errors, json_body
from algoitny.schemas.common import PageLimit, Tag
from algoitny.schemas.presenters import problem_read
from algoitny.schemas.problems import (
    ProblemCreate,
    ProblemPage,
    ProblemRead,
    ProblemUpdate,
)
from algoitny.services import problems as problem_access

router = APIRouter(prefix="/api/problems", tags=["problems"])


def _domain_fields(body: ProblemCreate | ProblemUpdate, present: set[str]) -> dict:
    """API field names → domain field names, for the fields ``present``."""
    fields: dict = {}
    for name in present:
        value = getattr(body, name)
        if name == "url":
            fields["url"] = str(value) if value is not None else None
        elif name == "checker":
            fields["checker"] = value.model_dump(exclude_none=True)
        elif name == "reference_solution":
            fields["solution_code"] = value.code if value else None
            fields["solution_language"] = value.language if value else None
        elif name == "problem_identifier":
            fields["identifier"] = value
        elif name == "tags":
            fields["tags"] = list(dict.fromkeys(value))
        else:
            fields[name] = value.value if hasattr(value, "value") else value
    return fields


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProblemRead,
    responses=errors(401, 403, 409, 413),
)
async def create_problem(body: ProblemCreate, problems: ProblemsDep, caller: RegistrarDep) -> ProblemRead:
    """Create a problem: admins, or users whose plan has `can_register_problems` — theirs
    is a draft queued for admin review (`flagged=true`) that only an admin publishes.
    409 if the platform+identifier or legacy id is taken (a deleted problem's too: restore it)."""
    problem = Problem(**_domain_fields(body, set(ProblemCreate.model_fields)))
    if not caller.is_admin:
        assert caller.user is not None
        problem = problem_access.registered_by_user(problem, caller.user.user_id)
    return problem_read(await problems.create(problem), admin_view=True)


@router.get("", response_model=ProblemPage, responses=errors(400, 401))
async def list_problems(
    problems: ProblemsDep,
    caller: CallerDep,
    platform: Platform | None = None,
    tag: Annotated[Tag | None, Query()] = None,
    status: ProblemStatus | None = None,
    flagged: Annotated[bool | None, Query(description="Admins: only problems with review flags.")] = None,
    limit: PageLimit = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Response:
    """Problems newest first, filtered by platform, tag and status (admins also by review
    flags: `flagged=true` is the review queue); follow `next_cursor`. Drafts are listed for
    admins only; everyone else sees released (`completed`) problems."""
    if flagged is not None and not caller.is_admin:
        await admin_user(caller)
    if not caller.is_admin:
        if status == ProblemStatus.DRAFT:
            return json_body(ProblemPage(items=[], next_cursor=None))
        status = ProblemStatus.COMPLETED
    page = await problems.list_problems(
        platform=platform, tag=tag, status=status, flagged=flagged, limit=limit, cursor=cursor
    )
    return json_body(
        ProblemPage(
            items=[problem_read(p, admin_view=caller.is_admin) for p in page.items],
            next_cursor=page.next_cursor,
        )
    )


@router.get("/{platform}/{problem_identifier}", response_model=ProblemRead, responses=errors(401, 404))
async def get_problem(problem: VisibleProblem, caller: CallerDep) -> Response:
    """One problem, by platform and identifier, or `legacy/{old id}`. Drafts and deleted
    problems are for admins only (404 for everyone else)."""
    return json_body(problem_read(problem, admin_view=caller.is_admin))


@router.patch(
    "/{platform}/{problem_identifier}",
    response_model=ProblemRead,
    responses=errors(401, 403, 404, 409, 413),
)
async def update_problem(
    key: ProblemKeyDep, body: ProblemUpdate, problems: ProblemsDep, caller: IdentifiedDep
) -> ProblemRead:
    """Change the fields present in the body (admin; the author of a user-registered draft
    may change its content, not its status or review flags)."""
    changes = _domain_fields(body, body.model_fields_set)
    if not caller.is_admin:
        assert caller.user is not None
        await problem_access.author_changes(
            problems,
            platform=key.platform,
            identifier=key.identifier,
            user_id=caller.user.user_id,
            changes=changes,
        )
    problem = await problems.update(platform=key.platform, identifier=key.identifier, changes=changes)
    return problem_read(problem, admin_view=True)


@router.delete(
    "/{platform}/{problem_identifier}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(401, 403, 404),
)
async def delete_problem(key: ProblemKeyDep, problems: ProblemsDep, admin: AdminDep) -> Response:
    """Soft-delete (admin): the problem leaves every list and read; history keeps pointing at it."""
    await problems.delete(platform=key.platform, identifier=key.identifier)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{platform}/{problem_identifier}/restore",
    response_model=ProblemRead,
    responses=errors(401, 403, 404),
)
async def restore_problem(key: ProblemKeyDep, problems: ProblemsDep, admin: AdminDep) -> ProblemRead:
    """Undo a soft delete (admin): the problem is back in lists and reads with its tags and
    test cases. Restoring a live problem changes nothing. A deleted identifier cannot be
    created again (409 `problem_exists`): restore it, then update it."""
    return problem_read(
        await problems.restore(platform=key.platform, identifier=key.identifier), admin_view=True
    )
