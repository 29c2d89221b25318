"""Importing a seeded old database, then using it through the API as its users would."""

from __future__ import annotations

import pytest

from algoitny.domain import NewTestCase
from algoitny.legacy.context import legacy_user_id
from algoitny.table import UsageRepository, payloads
from tests.conftest import app_client
from tests.legacy import seed


@pytest.fixture
async def dev_api(settings):
    settings.auth = settings.auth.model_copy(update={"dev_login": True})
    async with app_client(settings) as client:
        yield client


async def sign_in(client, email: str) -> dict:
    response = await client.post("/api/auth/dev/", json={"email": email})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_imported_user_sees_history_with_per_test_results(legacy_db, run_import, dev_api, admin):
    ids = await seed.world(legacy_db)
    report = await run_import()
    assert report.clean, report.dumps()
    entities = report.entities
    assert entities["users"].imported == 3 and entities["problems"].imported == 3
    assert entities["test_cases"].imported == 5 and entities["history"].imported == 3
    assert [w.id for w in entities["test_cases"].warning_rows] == [ids["empty"]], "empty output reported"
    assert all(e.verify and e.verify["ok"] for e in entities.values()), report.dumps()

    alice = await sign_in(dev_api, "alice@example.com")
    me = (await dev_api.get("/api/account/me", headers=alice)).json()
    assert me["user_id"] == legacy_user_id(ids["alice"]) and me["plan"] == "pro"
    mine = (await dev_api.get("/api/submissions/mine", headers=alice)).json()["items"]
    assert len(mine) == 2 and mine[0]["summary"]["verdict"] == "AC", "newest first"
    wrong = mine[1]
    assert wrong["summary"] == wrong["summary"] | {"verdict": "WA", "passed": 0, "failed": 3, "total": 3}
    detail = (await dev_api.get(f"/api/submissions/{wrong['submission_id']}", headers=alice)).json()
    assert detail["code"] == seed.WRONG
    assert [(t["index"], t["verdict"], t["passed"]) for t in detail["tests"]] == [
        (0, "WA", False),
        (1, "WA", False),
        (2, "RE", False),
    ]
    expected_id = payloads.test_case_id(NewTestCase(input="1 2\n", output="3\n", kind="generated"))
    assert detail["tests"][0]["test_case_id"] == expected_id, "results point at the imported cases"

    problem = (await dev_api.get(f"/api/problems/legacy/{ids['ab']}", headers=admin)).json()
    assert problem["title"] == "A+B" and problem["execution_count"] == 7 and problem["legacy_id"] == ids["ab"]
    cases = (await dev_api.get(f"/api/problems/legacy/{ids['ab']}/with-test-cases", headers=admin)).json()
    assert [c["input"] for c in cases["test_cases"]] == ["1 2\n", "3 4\n", "5 5\n"], (
        "old (created_at, id) order"
    )
    draft = (await dev_api.get(f"/api/problems/legacy/{ids['draft']}/with-test-cases", headers=admin)).json()
    assert [len(c["input"]) for c in draft["test_cases"]] == [1_200_001, 2], "multi-MB case through chunks"
    assert draft["test_cases"][1]["output"] == "", "the empty expected output is imported (and reported)"
    assert (await dev_api.get(f"/api/problems/legacy/{ids['deleted']}")).status_code == 404


async def test_usage_becomes_todays_quota(legacy_db, run_import, table):
    ids = await seed.world(legacy_db)
    await run_import()
    usage = UsageRepository(table)
    subject = legacy_user_id(ids["alice"])
    assert (await usage.get(subject=subject, action="execute", limit=500)).count == 3
    assert (await usage.get(subject=subject, action="hint", limit=30)).count == 1
    assert (await usage.get(subject=legacy_user_id(ids["staff"]), action="execute", limit=50)).count == 0
