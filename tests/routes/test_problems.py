from tests import factories


async def test_create_then_get_by_both_addresses(api, admin):
    body = factories.problem_body(
        legacy_id=555,
        reference_solution={"language": "python", "code": "print(1)"},
        checker={"name": "float", "abs_tol": 1e-4},
    )
    created = await api.post("/api/problems", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["checker"]["abs_tol"] == 1e-4
    by_key = await api.get(f"/api/problems/codeforces/{body['problem_identifier']}")
    by_legacy = await api.get("/api/problems/legacy/555")
    assert by_key.status_code == by_legacy.status_code == 200
    assert by_key.json() == by_legacy.json()
    assert by_key.json()["reference_solution"] is None, "the solution is for admins"
    as_admin = await api.get("/api/problems/legacy/555", headers=admin)
    assert as_admin.json()["reference_solution"]["code"] == "print(1)"


async def test_writes_need_an_admin(api, admin):
    body = factories.problem_body()
    assert (await api.post("/api/problems", json=body)).json()["error"]["code"] == "not_authenticated"
    wrong = await api.post("/api/problems", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_token"
    assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    path = f"/api/problems/codeforces/{body['problem_identifier']}"
    assert (await api.patch(path, json={"title": "x"})).status_code == 401
    assert (await api.delete(path)).status_code == 401


async def test_duplicate_is_a_conflict(api, admin):
    body = factories.problem_body(legacy_id=77)
    await api.post("/api/problems", json=body, headers=admin)
    again = await api.post("/api/problems", json=body, headers=admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "problem_exists"
    other = await api.post("/api/problems", json=factories.problem_body(legacy_id=77), headers=admin)
    assert other.status_code == 409 and other.json()["error"]["code"] == "legacy_id_taken"


async def test_update_changes_only_present_fields(api, admin):
    body = factories.problem_body(url="https://codeforces.com/problemset/problem/1/A", statement="S")
    path = f"/api/problems/codeforces/{body['problem_identifier']}"
    await api.post("/api/problems", json=body, headers=admin)
    updated = await api.patch(path, json={"status": "completed", "url": None}, headers=admin)
    assert updated.status_code == 200, updated.text
    read = (await api.get(path)).json()
    assert read["status"] == "completed" and read["url"] is None and read["statement"] == "S"
    refused = await api.patch(path, json={"title": None}, headers=admin)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error"


async def test_soft_deleted_problem_is_gone_from_reads(api, admin):
    body = factories.problem_body()
    path = f"/api/problems/codeforces/{body['problem_identifier']}"
    await api.post("/api/problems", json=body, headers=admin)
    assert (await api.delete(path, headers=admin)).status_code == 204
    gone = await api.get(path)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "problem_not_found"
    assert (await api.get("/api/problems")).json()["items"] == []
    assert (await api.delete(path, headers=admin)).status_code == 404


async def test_list_filters_and_pages(api, admin):
    for status in ("draft", "completed", "completed"):
        body = factories.problem_body(status=status, tags=["Graphs"])
        assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    body = factories.problem_body(platform="atcoder", tags=["dp"])
    assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    completed = (await api.get("/api/problems", params={"status": "completed", "tag": "graphs"})).json()
    assert len(completed["items"]) == 2 and {p["status"] for p in completed["items"]} == {"completed"}
    first = (await api.get("/api/problems", params={"limit": 3}, headers=admin)).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = (
        await api.get("/api/problems", params={"limit": 3, "cursor": first["next_cursor"]}, headers=admin)
    ).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    atcoder = (await api.get("/api/problems", params={"platform": "atcoder"})).json()
    assert [p["platform"] for p in atcoder["items"]] == ["atcoder"]
    reused = await api.get(
        "/api/problems", params={"limit": 3, "platform": "atcoder", "cursor": first["next_cursor"]}
    )
    assert reused.status_code == 400 and reused.json()["error"]["code"] == "invalid_cursor"


async def test_review_flags_are_for_admins_and_make_a_queue(api, admin):
    flagged = factories.problem_body(review_flags=["statement unclear"])
    plain = factories.problem_body()
    for body in (flagged, plain):
        assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    public = await api.get(f"/api/problems/codeforces/{flagged['problem_identifier']}")
    assert public.json()["review_flags"] == []
    queue = (await api.get("/api/problems", params={"flagged": True}, headers=admin)).json()["items"]
    assert [p["problem_identifier"] for p in queue] == [flagged["problem_identifier"]]
    assert queue[0]["review_flags"] == ["statement unclear"]
    assert (await api.get("/api/problems", params={"flagged": True})).status_code == 401


async def test_drafts_are_for_admins_only(api, admin, announced_worker):
    draft = factories.problem_body(status="draft", statement="unreleased", legacy_id=901)
    released = factories.problem_body()
    for body in (draft, released):
        assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    path = f"/api/problems/codeforces/{draft['problem_identifier']}"
    cases = {"test_cases": [{"input": "1\n", "output": "1\n", "kind": "sample"}]}
    assert (await api.post(f"{path}/test-cases", json=cases, headers=admin)).status_code == 201
    missing = "/api/problems/codeforces/never1"
    for url in (path, "/api/problems/legacy/901", f"{path}/samples", f"{path}/hints"):
        hidden = await api.get(url)
        assert hidden.status_code == 404, url
        assert hidden.json() == (await api.get(url.replace(path, missing))).json() or url.endswith("901")
    sample_id = (await api.get(f"{path}/samples", headers=admin)).json()[0]["test_case_id"]
    assert (await api.get(f"{path}/test-cases/{sample_id}")).status_code == 404
    assert (await api.get(path, headers=admin)).json()["statement"] == "unreleased"
    execute = {"platform": "codeforces", "problem_identifier": draft["problem_identifier"]}
    execute |= {"code": "print(1)", "language": "python"}
    refused = await api.post("/api/execute/", json=execute)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "problem_not_found"
    listed = (await api.get("/api/problems")).json()["items"]
    assert [p["problem_identifier"] for p in listed] == [released["problem_identifier"]]
    assert (await api.get("/api/problems", params={"status": "draft"})).json()["items"] == []
    as_admin = (await api.get("/api/problems", headers=admin)).json()["items"]
    assert len(as_admin) == 2
    # An admin's public submission to the draft stays out of the public feed (its title and
    # counterexamples would show the unreleased problem).
    tried = await api.post("/api/execute/", json=execute | {"is_code_public": True}, headers=admin)
    assert tried.status_code == 202
    assert (await api.get("/api/submissions/public")).json()["items"] == []
    published = await api.patch(path, json={"status": "completed"}, headers=admin)
    assert published.status_code == 200
    assert (await api.get(path)).status_code == 200
    assert (await api.get(f"{path}/samples")).status_code == 200


async def test_deleted_problem_is_for_admins_and_can_be_restored(api, admin):
    body = factories.problem_body(tags=["graphs"], legacy_id=902)
    path = f"/api/problems/codeforces/{body['problem_identifier']}"
    assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    cases = {"test_cases": [{"input": "1\n", "output": "1\n"}]}
    assert (await api.post(f"{path}/test-cases", json=cases, headers=admin)).status_code == 201
    assert (await api.delete(path, headers=admin)).status_code == 204
    assert (await api.get(path)).status_code == 404
    seen = await api.get(path, headers=admin)
    assert seen.status_code == 200 and seen.json()["test_case_count"] == 1
    again = await api.post("/api/problems", json=body, headers=admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "problem_exists"
    assert "restore" in again.json()["error"]["message"]
    assert (await api.post(f"{path}/restore")).status_code == 401
    restored = await api.post(f"{path}/restore", headers=admin)
    assert restored.status_code == 200, restored.text
    assert (await api.get(path)).status_code == 200
    assert (await api.get("/api/problems/legacy/902")).status_code == 200
    by_tag = (await api.get("/api/problems", params={"tag": "graphs"})).json()["items"]
    assert [p["problem_identifier"] for p in by_tag] == [body["problem_identifier"]]
    assert (await api.post(f"{path}/restore", headers=admin)).status_code == 200, (
        "restoring twice is harmless"
    )
    missing = await api.post("/api/problems/codeforces/never2/restore", headers=admin)
    assert missing.status_code == 404
