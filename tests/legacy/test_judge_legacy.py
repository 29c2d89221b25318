"""An imported problem is judged through its legacy integer id, with its imported cases."""

from __future__ import annotations

import asyncio

import httpx

from tests.legacy import seed


async def test_imported_problem_is_judged_by_its_legacy_id(legacy_db, run_import, live_api, worker):
    ids = await seed.world(legacy_db)
    assert (await run_import()).clean
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as client:
        response = await client.post(
            "/api/execute/", json={"problem_id": ids["ab"], "code": seed.SOLUTION, "language": "python"}
        )
        assert response.status_code == 202, response.text
        task_id = response.json()["task_id"]
        for _ in range(600):
            detail = (await client.get(f"/api/submissions/{task_id}")).json()
            if detail["status"] == "done":
                break
            await asyncio.sleep(0.1)
        assert detail["status"] == "done", detail
        assert detail["summary"]["verdict"] == "AC" and detail["summary"]["total"] == 3
        problem = (await client.get(f"/api/problems/legacy/{ids['ab']}")).json()
        assert problem["execution_count"] == 8, "the old count carried over, plus this run"
