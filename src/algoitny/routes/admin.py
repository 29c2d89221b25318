"""Admin: users and their plans, plan management, usage statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from algoitny.deps import AdminDep, ResourcesDep
from algoitny.domain import Plan
from algoitny.errors import CannotDeactivateSelf, PlanInUse
from algoitny.routes.responses import errors
from algoitny.schemas.accounts import (
    ActiveChange,
    DayStats,
    PlanChange,
    PlanName,
    PlanRead,
    PlanWrite,
    StatsRead,
    UserPage,
    UserRead,
)
from algoitny.schemas.common import PageLimit
from algoitny.schemas.presenters import plan_read, user_read
from algoitny.schemas.stats import totals_read
from algoitny.table import StatisticsRepository

router = APIRouter(prefix="/api/admin", tags=["admin"])

BUILT_IN_PLANS = ("free", "pro", "admin")
UserId = Annotated[str, Path(pattern=r"^u[0-9a-f]{20}$")]


@router.get("/users", response_model=UserPage, responses=errors(400, 401, 403))
async def list_users(
    resources: ResourcesDep,
    admin: AdminDep,
    limit: PageLimit = 50,
    email_prefix: Annotated[str | None, Query(max_length=254)] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> UserPage:
    """Users by email (optionally those starting with `email_prefix`), a page at a time."""
    page = await resources.users.list_users(email_prefix=email_prefix, limit=limit, cursor=cursor)
    return UserPage(items=[user_read(u) for u in page.items], next_cursor=page.next_cursor)


@router.put("/users/{user_id}/plan", response_model=UserRead, responses=errors(401, 403, 404))
async def change_user_plan(
    user_id: UserId, body: PlanChange, resources: ResourcesDep, admin: AdminDep
) -> UserRead:
    """Move a user onto a plan (admins only: users cannot change their own plan)."""
    await resources.plans.get(body.plan)
    return user_read(await resources.users.set_plan(user_id, body.plan))


@router.put("/users/{user_id}/active", response_model=UserRead, responses=errors(401, 403, 404, 409))
async def change_user_active(
    user_id: UserId, body: ActiveChange, resources: ResourcesDep, admin: AdminDep
) -> UserRead:
    """Deactivate a user (or reactivate one). A deactivated user cannot sign in or refresh,
    and their access tokens are refused at once by this process, within
    `ALGOITNY_AUTH__SESSION_CACHE_S` (5 s) by the others. Admins cannot deactivate themselves."""
    if admin.user is not None and user_id == admin.user.user_id and not body.active:
        raise CannotDeactivateSelf()
    return user_read(await resources.users.set_active(user_id, body.active))


@router.put("/plans/{name}", response_model=PlanRead, responses=errors(401, 403))
async def save_plan(name: PlanName, body: PlanWrite, resources: ResourcesDep, admin: AdminDep) -> PlanRead:
    """Create or change a plan."""
    plan = await resources.plans.save(Plan(name=name, **body.model_dump()))
    resources.plan_cache.pop(name, None)
    return plan_read(plan)


@router.delete(
    "/plans/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(401, 403, 404, 409),
)
async def delete_plan(name: PlanName, resources: ResourcesDep, admin: AdminDep) -> Response:
    """Delete a plan that is not built in. Its users fall back to the default limits."""
    if name in BUILT_IN_PLANS or name == resources.settings.auth.default_plan:
        raise PlanInUse()
    await resources.plans.delete(name)
    resources.plan_cache.pop(name, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/stats", response_model=StatsRead, responses=errors(401, 403))
async def get_usage_statistics(
    resources: ResourcesDep, admin: AdminDep, days: Annotated[int, Query(ge=1, le=90)] = 7
) -> StatsRead:
    """Per-day counters (executions, runs, hints, sign-ups, sign-ins, accepted), newest first,
    and the stream indexer's totals of judged submissions (`submissions`)."""
    return StatsRead(
        days=[DayStats(**day) for day in await resources.stats.get_days(days)],
        submissions=totals_read(await StatisticsRepository(resources.table).get_totals()),
    )
