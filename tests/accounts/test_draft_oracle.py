"""A signed-in user who PATCHes another user's draft learns nothing: the same 404 as for an
identifier never used (hostile review of issue 10, items 8 and 10)."""

from __future__ import annotations

from tests.accounts.test_problem_registration import _body, _user_on


async def test_patching_someone_elses_draft_answers_like_a_missing_problem(auth_api):
    author = await _user_on(auth_api, "oracle-author@example.com", "pro")
    other = await _user_on(auth_api, "oracle-other@example.com", "free")
    assert (await auth_api.post("/api/problems", json=_body("o1"), headers=author)).status_code == 201

    draft = await auth_api.patch("/api/problems/custom/o1", json={"statement": "x"}, headers=other)
    unused = await auth_api.patch("/api/problems/custom/never-used", json={"statement": "x"}, headers=other)
    assert unused.status_code == 404
    assert (draft.status_code, draft.json()["error"]["code"]) == (404, unused.json()["error"]["code"])
