import os

from tests import factories


async def _problem(api, admin, **overrides) -> str:
    body = factories.problem_body(**overrides)
    assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    return f"/api/problems/codeforces/{body['problem_identifier']}"


def _cases(count: int, kind: str = "manual") -> list[dict]:
    return [{"input": f"{i} {i}\n", "output": f"{2 * i}\n", "kind": kind} for i in range(count)]


async def test_bulk_add_of_1000_is_idempotent(api, admin):
    path = await _problem(api, admin)
    body = {"test_cases": _cases(1000)}
    first = await api.post(f"{path}/test-cases", json=body, headers=admin)
    assert first.status_code == 201, first.text
    assert len(first.json()["added"]) == 1000
    retry = await api.post(f"{path}/test-cases", json=body, headers=admin)
    assert retry.json()["added"] == [] and retry.json()["test_case_count"] == 1000
    assert (await api.get(path)).json()["test_case_count"] == 1000


async def test_two_megabyte_case_round_trips_byte_for_byte(api, admin):
    path = await _problem(api, admin)
    text_in = os.urandom(1_000_000).hex()  # 2 MB, incompressible
    text_out = os.urandom(1_000_000).hex() + "\r\n \t\u00e9\n"
    added = await api.post(
        f"{path}/test-cases", json={"test_cases": [{"input": text_in, "output": text_out}]}, headers=admin
    )
    case_id = added.json()["added"][0]
    read = (await api.get(f"{path}/test-cases/{case_id}", headers=admin)).json()
    assert read["input"] == text_in and read["output"] == text_out
    full = (await api.get(f"{path}/with-test-cases", headers=admin)).json()
    assert full["test_cases"][0]["input"] == text_in and full["test_cases"][0]["output"] == text_out


async def test_samples_are_public_hidden_cases_are_not(api, admin):
    path = await _problem(api, admin)
    added = (
        await api.post(
            f"{path}/test-cases", json={"test_cases": _cases(1, "sample") + _cases(2)[1:]}, headers=admin
        )
    ).json()["added"]
    sample_id, hidden_id = added
    samples = await api.get(f"{path}/samples")
    assert samples.status_code == 200 and [s["test_case_id"] for s in samples.json()] == [sample_id]
    assert samples.headers["content-type"] == "application/json"
    one = (await api.get(f"{path}/test-cases/{sample_id}")).json()
    assert samples.json() == [one]  # the same fields as reading the test case itself
    hidden = await api.get(f"{path}/test-cases/{hidden_id}")
    assert hidden.status_code == 401
    assert (await api.get(f"{path}/test-cases")).status_code == 401
    assert (await api.get(f"{path}/with-test-cases")).status_code == 401
    assert (await api.get(f"{path}/test-cases/{hidden_id}", headers=admin)).status_code == 200


async def test_list_delete_and_replace(api, admin):
    path = await _problem(api, admin)
    added = (await api.post(f"{path}/test-cases", json={"test_cases": _cases(5)}, headers=admin)).json()[
        "added"
    ]
    page = (await api.get(f"{path}/test-cases", params={"limit": 3}, headers=admin)).json()
    rest = (
        await api.get(f"{path}/test-cases", params={"limit": 3, "cursor": page["next_cursor"]}, headers=admin)
    ).json()
    listed = page["items"] + rest["items"]
    assert sorted(c["test_case_id"] for c in listed) == sorted(added), "pages in id order, no gaps"
    assert {c["test_case_id"]: c["position"] for c in listed} == {i: n for n, i in enumerate(added)}
    assert (await api.delete(f"{path}/test-cases/{added[0]}", headers=admin)).status_code == 204
    assert (await api.get(f"{path}/test-cases/{added[0]}", headers=admin)).json()["error"][
        "code"
    ] == "test_case_not_found"
    replaced = await api.put(f"{path}/test-cases", json={"test_cases": _cases(1, "sample")}, headers=admin)
    assert replaced.json()["test_case_count"] == 1
    assert (await api.get(path)).json()["test_case_count"] == 1


async def test_test_cases_of_unknown_problem(api, admin):
    response = await api.post(
        "/api/problems/baekjoon/404404/test-cases", json={"test_cases": _cases(1)}, headers=admin
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "problem_not_found"


async def test_legacy_address_reaches_test_cases(api, admin):
    path = await _problem(api, admin, legacy_id=3030)
    await api.post(
        "/api/problems/legacy/3030/test-cases", json={"test_cases": _cases(2, "sample")}, headers=admin
    )
    assert len((await api.get("/api/problems/legacy/3030/samples")).json()) == 2
    assert len((await api.get(f"{path}/samples")).json()) == 2
