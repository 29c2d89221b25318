"""`can_register_problems` is enforced: such users register drafts, admins publish (item 10)."""

from __future__ import annotations

from tests.accounts.conftest import ADMIN_EMAIL, bearer, sign_in
from tests.conftest import ADMIN_TOKEN

OPERATOR = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def _user_on(client, email: str, plan: str) -> dict:
    tokens = await sign_in(client, email)
    user_id = tokens["user"]["user_id"]
    moved = await client.put(f"/api/admin/users/{user_id}/plan", json={"plan": plan}, headers=OPERATOR)
    assert moved.status_code == 200, moved.text
    return bearer(tokens)


def _body(identifier: str, **fields) -> dict:
    return {
        "platform": "custom",
        "problem_identifier": identifier,
        "title": "Mine",
        "statement": "S",
        **fields,
    }


async def test_a_plan_without_it_cannot_register(auth_api):
    free = await _user_on(auth_api, "free-author@example.com", "free")
    refused = await auth_api.post("/api/problems", json=_body("f1"), headers=free)
    assert refused.status_code == 403 and "plan" in refused.json()["error"]["message"]
    assert (await auth_api.post("/api/problems", json=_body("f1"))).status_code == 401


async def test_a_registering_plan_makes_a_draft_that_an_admin_publishes(auth_api):
    author = await _user_on(auth_api, "author@example.com", "pro")
    other = await _user_on(auth_api, "reader@example.com", "pro")
    admin = bearer(await sign_in(auth_api, ADMIN_EMAIL))
    created = await auth_api.post("/api/problems", json=_body("u1", status="completed"), headers=author)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft", "a user cannot publish"
    path = "/api/problems/custom/u1"

    assert (await auth_api.get(path, headers=author)).status_code == 200, "the author sees their draft"
    assert (await auth_api.get(path, headers=other)).status_code == 404
    assert (await auth_api.get(path)).status_code == 404
    edited = await auth_api.patch(path, json={"statement": "Better"}, headers=author)
    assert edited.status_code == 200 and edited.json()["statement"] == "Better"
    assert (await auth_api.patch(path, json={"status": "completed"}, headers=author)).status_code == 403
    assert (await auth_api.patch(path, json={"statement": "x"}, headers=other)).status_code == 404

    queue = (await auth_api.get("/api/problems", params={"flagged": True}, headers=admin)).json()["items"]
    assert [p["problem_identifier"] for p in queue] == ["u1"]
    published = await auth_api.patch(path, json={"status": "completed", "review_flags": []}, headers=admin)
    assert published.status_code == 200
    assert (await auth_api.get(path)).json()["statement"] == "Better"
    late = await auth_api.patch(path, json={"statement": "changed after release"}, headers=author)
    assert late.status_code == 403, "once published, only admins change it"
