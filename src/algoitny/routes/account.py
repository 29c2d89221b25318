"""The signed-in user's own account: profile, consents, usage; and the plan list."""

from __future__ import annotations

from fastapi import APIRouter

from algoitny.deps import CallerDep, ResourcesDep, SignedInDep
from algoitny.routes.responses import errors
from algoitny.schemas.accounts import ConsentsWrite, PlanRead, UsageItem, UsageRead, UserRead
from algoitny.schemas.presenters import plan_read, user_read
from algoitny.services import quota

router = APIRouter(tags=["account"])


@router.get("/api/account/me", response_model=UserRead, responses=errors(401))
async def get_me(caller: SignedInDep) -> UserRead:
    """Who the access token belongs to."""
    return user_read(caller.account)


@router.put("/api/account/consents", response_model=UserRead, responses=errors(401))
async def record_consents(body: ConsentsWrite, caller: SignedInDep, resources: ResourcesDep) -> UserRead:
    """Accept (true) or withdraw (false) the privacy policy, terms, or the code-ownership notice."""
    given = {name: value for name, value in body.model_dump().items() if value is not None}
    user = await resources.users.set_consents(caller.account.user_id, given) if given else caller.account
    return user_read(user)


@router.get("/api/account/usage", response_model=UsageRead, responses=errors(401))
async def get_usage(caller: CallerDep, resources: ResourcesDep) -> UsageRead:
    """Today's count, limit and reset time of each limited action, for the caller
    (signed in: by plan; anonymous: by IP)."""
    items = []
    for action in quota.ACTIONS:
        limit = quota.limit_for(caller, action, resources.settings.quota)
        found = await resources.usage.get(subject=caller.subject, action=action, limit=limit)
        items.append(
            UsageItem(action=action, current_count=found.count, limit=limit, resets_at=found.resets_at)
        )
    return UsageRead(plan=caller.plan.name if caller.plan else None, items=items)


@router.get("/api/plans", response_model=list[PlanRead], responses=errors(401))
async def list_plans(resources: ResourcesDep) -> list[PlanRead]:
    """Every plan and its daily limits."""
    return [plan_read(p) for p in await resources.plans.list_plans()]
