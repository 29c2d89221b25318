"""Importing a seeded old database, then using it through the API as its users would."""

from __future__ import annotations

import datetime as dt

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
    listed = await dev_api.get(
        f"/api/problems/{wrong['platform']}/{wrong['problem_identifier']}/submissions", headers=alice
    )
    assert wrong["submission_id"] in [i["submission_id"] for i in listed.json()["items"]], (
        "an imported submission is in its problem's list"
    )
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


async def test_a_rerun_imports_nothing_and_changes_no_counter(legacy_db, run_import, table, submissions):
    ids = await seed.world(legacy_db)
    await run_import()
    before = await dump(table)
    again = await run_import()
    assert again.clean, again.dumps()
    assert {name: e.imported for name, e in again.entities.items()} == dict.fromkeys(again.entities, 0)
    assert await dump(table) == before
    alice = legacy_user_id(ids["alice"])
    assert len((await submissions.list_mine(alice, limit=9, cursor=None)).items) == 2
    assert await table.get({"PK": f"USER#{alice}", "SK": "STATS"}) is None, "statistics are the indexer's"


async def test_rows_added_after_a_run_are_picked_up_by_the_next(legacy_db, run_import, table, problems):
    ids = await seed.world(legacy_db)
    await run_import()
    later = seed.T0 + dt.timedelta(minutes=3)
    await seed.test_case(legacy_db, ids["ab"], "8 8\n", "16\n", created_at=later)
    # created before the imported cases (a racing insert): the old order puts it first
    await seed.test_case(legacy_db, ids["ab"], "0 0\n", "0\n", created_at=seed.T0 - dt.timedelta(minutes=1))
    fresh = await seed.problem(legacy_db, "custom", "new-one")
    await seed.history(legacy_db, ids["alice"], fresh, [], [])
    report = await run_import()
    assert report.clean, report.dumps()
    assert report.entities["test_cases"].imported == 2 and report.entities["problems"].imported == 1
    assert report.entities["history"].imported == 1 and report.entities["users"].imported == 0
    found = await problems.get_with_test_cases(platform="baekjoon", identifier="1000")
    assert [t.input for t in found.test_cases] == ["0 0\n", "1 2\n", "3 4\n", "5 5\n", "8 8\n"], (
        "the old (created_at, id) order across runs"
    )
    assert found.problem.test_case_count == 5


async def test_bad_rows_are_reported_and_skipped(legacy_db, run_import):
    ids = await seed.world(legacy_db)
    twin = await seed.user(legacy_db, "alice@example.com")  # differs from Alice@Example.com only by case
    bad_tags = await seed.problem(legacy_db, "baekjoon", "2000", tags={"not": "a list"})
    await legacy_db.execute("SET session_replication_role = replica")  # a dump with broken references
    dangling_case = await seed.test_case(legacy_db, 99999, "1\n", "1\n")
    dangling_user = await seed.history(legacy_db, 88888, ids["ab"], [], [])
    await legacy_db.execute("SET session_replication_role = DEFAULT")
    unknown_language = await seed.history(legacy_db, ids["alice"], ids["ab"], [], [], language="brainfuck")
    bad_results = await seed.history(legacy_db, ids["alice"], ids["ab"], [], [], test_results='"oops"')
    oversize = await seed.history(legacy_db, ids["alice"], ids["ab"], [], [], code="x" * 300_000)
    of_twin = await seed.history(legacy_db, twin, ids["ab"], [], [])
    # within every limit of the mapping, but over the table's 400 KB per item
    too_big = await seed.history(
        legacy_db, ids["alice"], ids["ab"], [], [], code="x" * 250_000, hints=["y" * 200_000]
    )
    bad_action = await seed.insert(
        legacy_db, "usage_logs", user_id=ids["alice"], action="teleport", metadata={}
    )
    report = await run_import()
    assert not report.clean
    skipped = {(n.table, n.id): n.reason for e in report.entities.values() for n in e.skipped_rows}
    assert "differs only by case" in skipped[("users", twin)]
    assert "tags" in skipped[("problems", bad_tags)]
    assert "not imported" in skipped[("test_cases", dangling_case)]
    assert "user 88888 was not imported" in skipped[("search_history", dangling_user)]
    assert "unknown language" in skipped[("search_history", unknown_language)]
    assert "test_results" in skipped[("search_history", bad_results)]
    assert "oversize" in skipped[("search_history", oversize)]
    assert "not imported" in skipped[("search_history", of_twin)]
    assert "teleport" in skipped[("usage_logs", bad_action)]
    assert "rejected by the table" in skipped[("search_history", too_big)]
    assert report.entities["history"].imported == 3, "the good rows still went in"
    verified = {name: e.verify["ok"] for name, e in report.entities.items()}
    assert verified == dict.fromkeys(verified, True) | {"history": False}, "skipped rows verify (as skipped)"
    history = report.entities["history"].verify
    assert history["differences"] == [{"id": too_big, "outcome": "missing"}], "but the table's refusal shows"


async def test_dry_run_writes_nothing(legacy_db, run_import, table):
    await seed.world(legacy_db)
    before = await dump(table)
    report = await run_import(dry_run=True)
    assert report.entities["history"].imported == 3 and report.entities["users"].imported == 3
    assert await dump(table) == before


async def dump(table) -> list[dict]:
    """Every item of the table, without the checkpoints' and plans' write times."""
    items = []
    start = None
    while True:
        page = await table.client.scan(
            TableName=table.name, **({"ExclusiveStartKey": start} if start else {})
        )
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    for item in items:
        if item["PK"]["S"].startswith(("IMPORT#", "PLAN#")):
            item.pop("upd", None)
    return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


async def test_a_run_that_lost_every_checkpoint_rewrites_nothing(legacy_db, run_import, table):
    """As after a kill -9 before any checkpoint was saved: every row is met again."""
    await seed.world(legacy_db)
    await run_import()
    before = await dump(table)
    for entity in ("plans", "users", "problems", "test_cases", "history", "usage", "generation_jobs"):
        await table.delete({"PK": f"IMPORT#{entity}", "SK": "CHECKPOINT"})
    again = await run_import()
    assert again.clean, again.dumps()
    written = {name: e.imported for name, e in again.entities.items() if name != "plans"}
    assert written == dict.fromkeys(written, 0), "plans are re-saved with the same limits; nothing else"
    assert again.entities["generation_jobs"].existing == 1 and again.entities["history"].existing == 3
    assert [i for i in await dump(table) if i["tp"]["S"] != "plan"] == [
        i for i in before if i["tp"]["S"] != "plan"
    ]
