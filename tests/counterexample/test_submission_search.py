"""End to end: an admin sets a stress setup, a user's subtly wrong submission ends WA, and
seconds after ``done`` a small counterexample arrives on the WebSocket and in the detail."""

from __future__ import annotations

import httpx
import jsonschema

from algoitny.schemas.events import EXECUTION_EVENTS
from tests.counterexample.helpers import SETUP, sign_in, stressed_problem
from tests.judging.helpers import ADMIN, WRONG_ON_EQUAL, follow, types


def _check_schemas(openapi: httpx.Response, events: list[dict]) -> None:
    """Every event matches the published schema (OpenAPI) and the pydantic union."""
    components = openapi.json()["components"]
    validator = jsonschema.Draft202012Validator(
        {"$ref": "#/components/schemas/ExecutionEvent", "components": components}
    )
    for event in events:
        validator.validate(event)
        EXECUTION_EVENTS.validate_python(event)


async def test_wrong_submission_gets_a_counterexample_after_done(live_api, worker, settings):
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as client:
        await stressed_problem(client, "cx1")
        user = await sign_in(client, "alice@example.com")
        path = "/api/problems/custom/cx1/stress"
        assert (await client.get(path, headers=ADMIN)).json() == SETUP
        denied = await client.get(path, headers=user)
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "admin_required"
        assert (await client.get(path)).status_code == 401
        assert (await client.put(path, json=SETUP, headers=user)).status_code == 403
        assert "randint" not in (await client.get("/api/problems/custom/cx1", headers=user)).text
        assert "randint" not in (await client.get("/openapi.json")).text

        accepted = await client.post(
            "/api/execute/",
            json={
                "platform": "custom",
                "problem_identifier": "cx1",
                "code": WRONG_ON_EQUAL,
                "language": "python",
            },
            headers=user,
        )
        assert accepted.status_code == 202, accepted.text
        task_id = accepted.json()["task_id"]
        events = await follow(live_api, accepted.json()["websocket"])
        _check_schemas(await client.get("/openapi.json"), events)
        kinds = types(events)
        done = events[kinds.index("done")]
        assert done["summary"]["verdict"] == "WA" and done["counterexample"] == "searching"
        assert kinds[-1] == "counterexample" and kinds.count("counterexample") == 1
        assert kinds.index("done") < kinds.index("counterexample")
        assert "counterexample_progress" in kinds[kinds.index("done") :]
        found = events[-1]["counterexample"]
        a, b = map(int, found["input"].split())
        assert a == b, "the bug shows only on equal numbers"
        assert int(found["output"]) == int(found["expected"]) + 1 == a + b + 1
        assert found["verdict"] == "WA" and found["size"] <= SETUP["sizes"]["max"]

        detail = (await client.get(f"/api/submissions/{task_id}", headers=user)).json()
        assert detail["counterexample_status"] == "found" and detail["counterexample"] == found
        failed = next(t for t in detail["tests"] if not t["passed"])
        assert failed["first_difference"]["line"] == 1 and failed["first_difference"]["column"] == 1
        assert int(failed["first_difference"]["found"]) == int(failed["first_difference"]["expected"]) + 1
        stranger = await sign_in(client, "mallory@example.com")
        assert (await client.get(f"/api/submissions/{task_id}", headers=stranger)).status_code == 404

        again = await client.post(f"/api/submissions/{task_id}/counterexample", headers=user)
        assert again.status_code == 409 and again.json()["error"]["code"] == "counterexample_exists"

        hints = await client.post(f"/api/submissions/{task_id}/hints", headers=user)
        assert hints.status_code == 200, hints.text
        assert found["input"].strip() in hints.json()["hints"][0], "the hint quotes the small input"

        # A reconnect after the end gets nothing more; one from the start replays it all.
        assert await follow(live_api, accepted.json()["websocket"], last_event_id=events[-1]["id"]) == []
        assert types(await follow(live_api, accepted.json()["websocket"])) == kinds


async def test_stress_before_submitting(live_api, worker, settings):
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as client:
        await stressed_problem(client, "cx2", tests=1)
        body = {
            "platform": "custom",
            "problem_identifier": "cx2",
            "code": WRONG_ON_EQUAL,
            "language": "python",
        }
        anonymous = await client.post("/api/stress/", json=body)
        assert anonymous.status_code == 401, "anonymous callers get no stress quota by default"
        user = await sign_in(client, "carol@example.com")
        accepted = await client.post("/api/stress/", json=body, headers=user)
        assert accepted.status_code == 202, accepted.text
        assert accepted.json()["usage"]["current_count"] == 1
        events = await follow(live_api, accepted.json()["websocket"])
        _check_schemas(await client.get("/openapi.json"), events)
        kinds = types(events)
        assert kinds[0] == "queued" and kinds[-1] == "counterexample" and "done" not in kinds
        assert "test" not in kinds, "the official tests are not run"
        a, b = map(int, events[-1]["counterexample"]["input"].split())
        assert a == b
        history = (await client.get("/api/submissions/mine", headers=user)).json()
        assert history["items"] == [], "nothing is stored"
