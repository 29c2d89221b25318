"""Which daily limit applies to a caller, and turning "over the limit" into a 429."""

from __future__ import annotations

import time

from algoitny.deps import Caller, Role
from algoitny.domain import Usage
from algoitny.errors import NotAuthenticated, RateLimited
from algoitny.settings import QuotaSettings
from algoitny.table import QuotaExceeded, UsageRepository

EXECUTE = "execute"


def execution_limit(caller: Caller, quota: QuotaSettings) -> int:
    if caller.role == Role.ADMIN:
        return quota.admin_executions
    if caller.role == Role.ANONYMOUS:
        return quota.anonymous_executions
    return quota.user_executions


async def consume_execution(usage: UsageRepository, caller: Caller, quota: QuotaSettings) -> Usage:
    limit = execution_limit(caller, quota)
    if limit == 0 and caller.role == Role.ANONYMOUS:
        raise NotAuthenticated("Sign in to run code.")
    try:
        return await usage.consume(subject=caller.subject, action=EXECUTE, limit=limit)
    except QuotaExceeded as exc:
        spent = exc.usage
        raise RateLimited(
            f"Daily limit of {spent.limit} executions reached; it resets at {spent.resets_at} (epoch seconds).",
            details={"action": spent.action, "current_count": spent.count, "limit": spent.limit,
                     "resets_at": spent.resets_at},
            retry_after_s=max(1, spent.resets_at - int(time.time())),
        ) from exc
