"""Plans decide quotas; only admins change plans; counting is exact under concurrency."""

from __future__ import annotations

import asyncio

from tests.accounts.conftest import ADMIN_EMAIL, bearer, sign_in
from tests.conftest import ADMIN_TOKEN

OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SOLUTION = "print(sum(map(int, input().split())))"


async def _problem(client, identifier: str = "quota") -> dict:
    await client.post(
        "/api/problems",
        json={"platform": "custom", "problem_identifier": identifier, "title": "t", "status": "completed"},
        headers=OPERATOR,
    )
    await client.post(
        f"/api/problems/custom/{identifier}/test-cases",
        json={"test_cases": [{"input": "1 2\n", "output": "3\n"}]},
        headers=OPERATOR,
    )
    return {"platform": "custom", "problem_identifier": identifier, "code": SOLUTION, "language": "python"}


async def test_200_simultaneous_submissions_of_a_free_user_accept_exactly_50(auth_api):
    body = await _problem(auth_api)
    user = bearer(await sign_in(auth_api, "busy@example.com"))
    responses = await asyncio.gather(
        *(auth_api.post("/api/execute/", json=body, headers=user) for _ in range(200))
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(202) == 50 and statuses.count(429) == 150
    assert sorted(r.json()["usage"]["current_count"] for r in responses if r.status_code == 202) == list(
        range(1, 51)
    )
    usage = (await auth_api.get("/api/account/usage", headers=user)).json()
    execute = next(i for i in usage["items"] if i["action"] == "execute")
    assert (usage["plan"], execute["current_count"], execute["limit"]) == ("free", 50, 50)


async def test_a_plan_change_by_an_admin_changes_the_limit(auth_api):
    body = await _problem(auth_api, "upgrade")
    user_tokens = await sign_in(auth_api, "upgrade@example.com")
    user, user_id = bearer(user_tokens), user_tokens["user"]["user_id"]
    self_upgrade = await auth_api.put(f"/api/admin/users/{user_id}/plan", json={"plan": "pro"}, headers=user)
    assert self_upgrade.status_code == 403, "a user cannot put themselves on a paid plan"
    admin = bearer(await sign_in(auth_api, ADMIN_EMAIL))
    moved = await auth_api.put(f"/api/admin/users/{user_id}/plan", json={"plan": "pro"}, headers=admin)
    assert moved.status_code == 200 and moved.json()["plan"] == "pro"
    accepted = await auth_api.post("/api/execute/", json=body, headers=user)
    assert accepted.json()["usage"]["limit"] == 1000
    missing = await auth_api.put(f"/api/admin/users/{user_id}/plan", json={"plan": "gold"}, headers=admin)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "plan_not_found"


async def test_an_admin_deactivates_a_user(auth_api):
    """Their current token is refused at once, sign-in and refresh too; reactivated, they
    sign in again. An admin cannot lock themselves out."""
    tokens = await sign_in(auth_api, "leaving@example.com")
    user, user_id = bearer(tokens), tokens["user"]["user_id"]
    assert tokens["user"]["active"] is True
    admin_tokens = await sign_in(auth_api, ADMIN_EMAIL)
    admin = bearer(admin_tokens)
    path = f"/api/admin/users/{user_id}/active"
    assert (await auth_api.put(path, json={"active": False}, headers=user)).status_code == 403
    off = await auth_api.put(path, json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    me = await auth_api.get("/api/account/me", headers=user)
    assert me.status_code == 403 and me.json()["error"]["code"] == "user_inactive"
    again = await auth_api.post("/api/auth/dev/", json={"email": "leaving@example.com"})
    assert again.status_code == 403 and again.json()["error"]["code"] == "user_inactive"
    refreshed = await auth_api.post("/api/auth/refresh/", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 403
    listed = await auth_api.get("/api/admin/users", params={"email_prefix": "leaving@"}, headers=admin)
    assert [u["active"] for u in listed.json()["items"]] == [False]
    on = await auth_api.put(path, json={"active": True}, headers=admin)
    assert on.status_code == 200 and on.json()["active"] is True
    assert (await sign_in(auth_api, "leaving@example.com"))["user"]["active"] is True
    self_path = f"/api/admin/users/{admin_tokens['user']['user_id']}/active"
    refused = await auth_api.put(self_path, json={"active": False}, headers=admin)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "cannot_deactivate_self"
    unknown = await auth_api.put(
        "/api/admin/users/u" + "0" * 20 + "/active", json={"active": False}, headers=admin
    )
    assert unknown.status_code == 404
    wrong = await auth_api.put(path, json={"active": "no"}, headers=admin)
    assert wrong.status_code == 422


async def test_admins_manage_plans(auth_api):
    admin = bearer(await sign_in(auth_api, ADMIN_EMAIL))
    saved = await auth_api.put(
        "/api/admin/plans/team",
        headers=admin,
        json={"display_name": "Team", "daily_executions": 300, "daily_hints": 30, "paid": True},
    )
    assert saved.status_code == 200 and saved.json()["daily_executions"] == 300
    assert "team" in {p["name"] for p in (await auth_api.get("/api/plans")).json()}
    assert (await auth_api.delete("/api/admin/plans/team", headers=admin)).status_code == 204
    refused = await auth_api.delete("/api/admin/plans/free", headers=admin)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "plan_in_use"


async def test_anonymous_limit_zero_means_sign_in_required(auth_api, settings):
    body = await _problem(auth_api, "anon")
    settings.quota.anonymous_executions = 0
    response = await auth_api.post("/api/execute/", json=body)
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


async def test_usage_statistics_count_sign_ins_and_signups(auth_api):
    admin = bearer(await sign_in(auth_api, ADMIN_EMAIL))
    await sign_in(auth_api, "stat1@example.com")
    await sign_in(auth_api, "stat1@example.com")
    today = (await auth_api.get("/api/admin/stats", params={"days": 3}, headers=admin)).json()["days"][0]
    assert today["signups"] == 2 and today["sign_ins"] == 3


async def test_admin_lists_and_searches_users(auth_api):
    admin = bearer(await sign_in(auth_api, ADMIN_EMAIL))
    for name in ("zed", "zoe", "amy"):
        await sign_in(auth_api, f"{name}@example.com")
    found = (await auth_api.get("/api/admin/users", params={"email_prefix": "z"}, headers=admin)).json()
    assert [u["email"] for u in found["items"]] == ["zed@example.com", "zoe@example.com"]
