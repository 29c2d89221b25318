"""Access patterns of users, plans, token families and daily statistics (see table/keys.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from algoitny.domain import Plan, User
from algoitny.errors import DuplicateId, PlanNotFound, UserExists, UserNotFound
from algoitny.table import RefreshReused, StatsRepository, TokenRepository
from algoitny.table.users import new_user_id


def _user(email: str, google_id: str | None = None) -> User:
    return User(user_id=new_user_id(), email=email, google_id=google_id)


async def test_get_user(users):
    created = await users.create(_user("Ann@Example.com"))
    found = await users.get(created.user_id)
    assert found.email == "ann@example.com" and found.plan == "free" and found.created_at > 0
    with pytest.raises(UserNotFound):
        await users.get(new_user_id())


async def test_get_user_by_email(users):
    created = await users.create(_user("bob@example.com"))
    assert (await users.get_by_email("BOB@example.com")).user_id == created.user_id
    assert await users.get_by_email("nobody@example.com") is None


async def test_get_user_by_google_id(users):
    created = await users.create(_user("cy@example.com", google_id="g-123"))
    assert (await users.get_by_google_id("g-123")).user_id == created.user_id
    assert await users.get_by_google_id("g-999") is None


async def test_create_user(users):
    results = await asyncio.gather(
        *(users.create(_user("race@example.com")) for _ in range(5)), return_exceptions=True
    )
    assert sum(isinstance(r, User) for r in results) == 1, "one email, one user, even when racing"
    assert all(isinstance(r, UserExists) for r in results if not isinstance(r, User))
    with pytest.raises(UserExists):
        await users.create(_user("other@example.com", google_id=None))
        await users.create(_user("other@example.com"))


async def test_link_google_id(users):
    created = await users.create(_user("dee@example.com"))
    await users.link_google_id(created, "g-dee")
    assert (await users.get_by_google_id("g-dee")).user_id == created.user_id
    other = await users.create(_user("eve@example.com"))
    with pytest.raises(UserExists):
        await users.link_google_id(other, "g-dee")


async def test_record_sign_in(users):
    created = await users.create(_user("fay@example.com"))
    updated = await users.record_sign_in(created.user_id, role="admin", plan="admin")
    assert (updated.role, updated.plan) == (
        "admin",
        "admin",
    ) and updated.last_login_at >= created.last_login_at


async def test_change_plan(users):
    created = await users.create(_user("gus@example.com"))
    assert (await users.set_plan(created.user_id, "pro")).plan == "pro"
    with pytest.raises(UserNotFound):
        await users.set_plan(new_user_id(), "pro")


async def test_record_consents(users):
    created = await users.create(_user("hal@example.com"))
    updated = await users.set_consents(created.user_id, {"privacy": True, "terms": True})
    assert (
        updated.privacy_consent_at > 0
        and updated.terms_consent_at > 0
        and not updated.code_ownership_consent_at
    )
    withdrawn = await users.set_consents(created.user_id, {"privacy": False})
    assert not withdrawn.privacy_consent_at and withdrawn.terms_consent_at


async def test_list_users(users):
    for name in ("ivy", "ian", "jon"):
        await users.create(_user(f"{name}@example.com"))
    page = await users.list_users(email_prefix="i", limit=1, cursor=None)
    rest = await users.list_users(email_prefix="i", limit=5, cursor=page.next_cursor)
    assert [u.email for u in page.items + rest.items] == ["ian@example.com", "ivy@example.com"]
    assert len((await users.list_users(email_prefix=None, limit=10, cursor=None)).items) == 3


async def test_get_plan(plans):
    free = await plans.get("free")
    assert free.daily_executions == 50 and not free.paid, "seeded by migration 0003"
    with pytest.raises(PlanNotFound):
        await plans.get("platinum")


async def test_list_plans(plans):
    assert {p.name for p in await plans.list_plans()} >= {"free", "pro", "admin"}


async def test_save_plan(plans):
    saved = await plans.save(Plan("team", "Team", daily_executions=300, daily_hints=30, paid=True))
    again = await plans.save(Plan("team", "Team+", daily_executions=400, daily_hints=30, paid=True))
    assert again.created_at == saved.created_at and (await plans.get("team")).daily_executions == 400


async def test_delete_plan(plans):
    await plans.save(Plan("temp", "Temp", 1, 1))
    await plans.delete("temp")
    with pytest.raises(PlanNotFound):
        await plans.delete("temp")


async def test_start_token_family(table):
    tokens = TokenRepository(table)
    await tokens.start_family("f1", user_id="u1", token_id="t1", expires_at=int(time.time()) + 60)
    assert await tokens.is_active("f1")
    with pytest.raises(DuplicateId):
        await tokens.start_family("f1", user_id="u1", token_id="t9", expires_at=int(time.time()) + 60)


async def test_rotate_refresh_token(table):
    tokens = TokenRepository(table)
    await tokens.start_family("f2", user_id="u1", token_id="t1", expires_at=int(time.time()) + 60)
    await tokens.rotate("f2", presented="t1", new_token_id="t2", expires_at=int(time.time()) + 60)
    with pytest.raises(RefreshReused):
        await tokens.rotate("f2", presented="t1", new_token_id="t3", expires_at=int(time.time()) + 60)
    assert not await tokens.is_active("f2"), "reuse revokes the family"
    with pytest.raises(RefreshReused):
        await tokens.rotate("f2", presented="t2", new_token_id="t4", expires_at=int(time.time()) + 60)


async def test_revoke_token_family(table):
    tokens = TokenRepository(table)
    await tokens.start_family("f3", user_id="u1", token_id="t1", expires_at=int(time.time()) + 60)
    await tokens.revoke("f3")
    assert not await tokens.is_active("f3")


async def test_get_token_family(table):
    tokens = TokenRepository(table)
    await tokens.start_family("f4", user_id="u7", token_id="t1", expires_at=int(time.time()) - 1)
    assert await tokens.get_family("f4") is None, "expired families read as gone (TTL deletes lazily)"
    assert await tokens.get_family("nope") is None


async def test_check_token_family_is_active(table):
    tokens = TokenRepository(table)
    assert not await tokens.is_active("never-started")
    await tokens.start_family("f5", user_id="u1", token_id="t1", expires_at=int(time.time()) + 60)
    assert await tokens.is_active("f5")


async def test_count_daily_event(table):
    stats = StatsRepository(table)
    await asyncio.gather(*(stats.count("executions") for _ in range(20)))
    await stats.count("executions", "accepted")
    today = (await stats.get_days(1))[0]
    assert today["executions"] == 21 and today["accepted"] == 1 and today["hints"] == 0


async def test_get_daily_stats(table):
    stats = StatsRepository(table)
    await stats.count("signups")
    days = await stats.get_days(3)
    assert len(days) == 3 and days[0]["signups"] == 1 and days[1]["signups"] == 0
    assert days[0]["day"] > days[1]["day"] > days[2]["day"]
