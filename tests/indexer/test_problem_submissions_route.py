"""GET /api/problems/{platform}/{id}/submissions: mine plus every public one, one cursor."""

from __future__ import annotations

from tests import factories


async def _submit(api, problem: dict, *, public: bool, headers: dict) -> str:
    body = {
        "platform": problem["platform"],
        "problem_identifier": problem["problem_identifier"],
        "code": "print(1)",
        "language": "python",
        "is_code_public": public,
    }
    response = await api.post("/api/execute/", json=body, headers=headers)
    assert response.status_code == 202, response.text
    return response.json()["task_id"]


async def test_problem_submissions_are_mine_and_the_public_ones(api, admin, announced_worker):
    problem = factories.problem_body()
    assert (await api.post("/api/problems", json=problem, headers=admin)).status_code == 201
    cases = {"test_cases": [{"input": "1\n", "output": "1\n"}]}
    added = await api.post(
        f"/api/problems/{problem['platform']}/{problem['problem_identifier']}/test-cases",
        json=cases,
        headers=admin,
    )
    assert added.status_code == 201, added.text
    anonymous = {"X-Anonymous-Token": "a" * 43}
    made = [
        (await _submit(api, problem, public=public, headers=headers), public, headers is admin)
        for public, headers in [
            (False, admin),
            (True, anonymous),
            (False, anonymous),
            (True, admin),
            (False, admin),
        ]
    ]
    path = f"/api/problems/{problem['platform']}/{problem['problem_identifier']}/submissions"

    seen, cursor = [], None
    while True:
        page = await api.get(
            path, params={"limit": 2} | ({"cursor": cursor} if cursor else {}), headers=admin
        )
        assert page.status_code == 200, page.text
        seen += [item["submission_id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [sid for sid, public, mine in made[::-1] if public or mine]
    owners_cookie = dict(api.cookies)
    api.cookies.clear()  # the anonymous owner's cookie, set at submit
    strangers = (await api.get(path)).json()["items"]
    assert [i["submission_id"] for i in strangers] == [sid for sid, public, _ in made[::-1] if public]
    assert all("code" not in item for item in strangers)
    api.cookies.update(owners_cookie)
    theirs = (await api.get(path)).json()["items"]
    assert [i["submission_id"] for i in theirs] == [
        sid for sid, public, mine in made[::-1] if public or not mine
    ]
    bad = await api.get(path, params={"cursor": "junk"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"
    draft = factories.problem_body(status="draft")
    assert (await api.post("/api/problems", json=draft, headers=admin)).status_code == 201
    hidden = await api.get(f"/api/problems/{draft['platform']}/{draft['problem_identifier']}/submissions")
    assert hidden.status_code == 404
