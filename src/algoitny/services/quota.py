"""Daily quotas: which limit applies to a caller for an action, and "over the limit" as a 429."""

from __future__ import annotations

import datetime as dt
import time

from algoitny.domain import Caller, Role, Usage
from algoitny.errors import NotAuthenticated, RateLimited
from algoitny.observability import metrics
from algoitny.settings import QuotaSettings
from algoitny.table import QuotaExceeded, UsageRepository

EXECUTE = "execute"
HINT = "hint"
STRESS = "stress"  # counterexample searches asked for (POST …/counterexample, POST /api/stress/)
# action → the QuotaSettings field suffix that holds its daily limits
ACTIONS = {EXECUTE: "executions", HINT: "hints", STRESS: "stress"}


def limit_for(caller: Caller, action: str, quota: QuotaSettings) -> int:
    """The caller's plan decides; without one (anonymous callers, the operator token,
    a user whose plan was deleted, a plan saved before plans had a stress limit) the
    settings do."""
    plan = caller.plan
    if plan is not None:
        if action == EXECUTE:
            return plan.daily_executions
        if action == HINT:
            return plan.daily_hints
        if plan.daily_stress is not None:
            return plan.daily_stress
    role = {Role.ADMIN: "admin", Role.ANONYMOUS: "anonymous"}.get(caller.role, "user")
    return getattr(quota, f"{role}_{ACTIONS[action]}")


async def consume(usage: UsageRepository, caller: Caller, action: str, quota: QuotaSettings) -> Usage:
    """Counts one ``action`` for the caller, or raises 429 (401 when anonymous callers get none)."""
    limit = limit_for(caller, action, quota)
    if limit == 0 and caller.role == Role.ANONYMOUS:
        raise NotAuthenticated(f"Sign in to use {action}.")
    try:
        return await usage.consume(subject=caller.subject, action=action, limit=limit)
    except QuotaExceeded as exc:
        metrics.quota_rejections.labels(action).inc()
        spent = exc.usage
        resets_at = dt.datetime.fromtimestamp(spent.resets_at, dt.UTC).isoformat().replace("+00:00", "Z")
        raise RateLimited(
            f"Daily limit of {spent.limit} ({action}) reached; it resets at {resets_at}.",
            details={
                "action": spent.action,
                "current_count": spent.count,
                "limit": spent.limit,
                "resets_at": resets_at,  # ISO 8601, UTC
            },
            retry_after_s=max(1, spent.resets_at - int(time.time())),
        ) from exc


async def refund(usage: UsageRepository, caller: Caller, action: str) -> None:
    await usage.refund(subject=caller.subject, action=action)
