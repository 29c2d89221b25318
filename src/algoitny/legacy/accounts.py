"""Plans and users."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from algoitny.domain import Plan, User, UserRole
from algoitny.errors import UserExists
from algoitny.legacy.context import ImportContext, epoch_ms, legacy_user_id
from algoitny.legacy.report import Skip
from algoitny.legacy.source import Row

_SLUG_DROP = re.compile(r"[^a-z0-9_-]+")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")


def plan_slug(name: str) -> str:
    """``"Pro Plus"`` → ``pro-plus``: our plan names are lower-case ids."""
    slug = _SLUG_DROP.sub("-", name.strip().lower()).strip("-_")[:32]
    if not slug or not slug[0].isalpha():
        slug = ("plan-" + slug)[:32]
    return slug


class PlanMapping:
    table = "subscription_plans"
    order = "id"

    async def map_row(self, row: Row, ctx: ImportContext) -> Plan:
        limits = (row["max_executions_per_day"], row["max_hints_per_day"])
        if any(not isinstance(n, int) or n < -1 for n in limits):
            raise Skip("invalid daily limit")
        unlimited = 1_000_000_000
        return Plan(
            name=plan_slug(row["name"]),
            display_name=row["name"][:100],
            daily_executions=unlimited if limits[0] == -1 else limits[0],
            daily_hints=unlimited if limits[1] == -1 else limits[1],
            can_register_problems=bool(row["can_register_problems"]),
            paid=False,
        )

    def canonical(self, plan: Plan) -> dict[str, Any]:
        return {
            "name": plan.name,
            "display_name": plan.display_name,
            "daily_executions": plan.daily_executions,
            "daily_hints": plan.daily_hints,
            "can_register_problems": plan.can_register_problems,
        }

    async def write(self, plan: Plan, ctx: ImportContext) -> bool:
        await ctx.plans_repo.save(plan)
        return True

    async def read_back(self, plan: Plan, ctx: ImportContext) -> dict[str, Any] | None:
        from algoitny.errors import PlanNotFound

        try:
            return self.canonical(await ctx.plans_repo.get(plan.name))
        except PlanNotFound:
            return None


@dataclass
class MappedUser:
    legacy_id: int
    user: User


class UserMapping:
    table = "users"
    order = "id"

    async def map_row(self, row: Row, ctx: ImportContext) -> MappedUser:
        email = (row["email"] or "").strip().lower()
        if not _EMAIL.match(email):
            raise Skip("invalid email")
        first = ctx.emails.setdefault(email, row["id"])
        if first != row["id"]:
            raise Skip(f"duplicate email {email!r} (differs only by case from user {first})")
        admin = bool(row["is_staff"] or row["is_superuser"])
        plan = ctx.plan_names.get(row["subscription_plan_id"] or -1, "free")
        user = User(
            user_id=legacy_user_id(row["id"]),
            email=email,
            name=(row["name"] or "")[:255],
            google_id=row["google_id"] or None,
            role=UserRole.ADMIN if admin else UserRole.USER,
            plan="admin" if admin else plan,
            created_at=epoch_ms(row["created_at"]),
            last_login_at=epoch_ms(row["last_login"]),
            active=bool(row["is_active"]),
        )
        ctx.users[row["id"]] = user.user_id
        return MappedUser(row["id"], user)

    def canonical(self, mapped: MappedUser) -> dict[str, Any]:
        user = mapped.user
        return {
            "user_id": user.user_id,
            "email": user.email,
            "name": user.name,
            "google_id": user.google_id,
            "role": user.role,
            "plan": user.plan,
            "active": user.active,
            "created_at": user.created_at,
        }

    async def write(self, mapped: MappedUser, ctx: ImportContext) -> bool:
        try:
            await ctx.users_repo.create(mapped.user)
        except UserExists:
            await self._explain_conflict(mapped, ctx)
            return False
        return True

    async def _explain_conflict(self, mapped: MappedUser, ctx: ImportContext) -> None:
        """Already imported (a re-run) is fine; someone else's email or Google id is a skip."""
        holder = await ctx.users_repo.get_by_email(mapped.user.email)
        if holder is not None and holder.user_id != mapped.user.user_id:
            ctx.users.pop(mapped.legacy_id, None)
            raise Skip(f"duplicate email {mapped.user.email!r} (differs only by case from another user)")
        if holder is None:
            ctx.users.pop(mapped.legacy_id, None)
            raise Skip("google id already belongs to another user")

    async def read_back(self, mapped: MappedUser, ctx: ImportContext) -> dict[str, Any] | None:
        from algoitny.errors import UserNotFound

        try:
            user = await ctx.users_repo.get(mapped.user.user_id)
        except UserNotFound:
            return None
        return self.canonical(MappedUser(mapped.legacy_id, user))
