"""Submitting through the API, judging in a real worker, following over a real WebSocket."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import websockets

from tests.judging.helpers import ADMIN, SOLUTION, WRONG_ON_EQUAL, create_problem, follow, types


@pytest.fixture
async def client(live_api):
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as http:
        yield http


async def test_events_arrive_in_order_and_history_keeps_the_counterexample(client, live_api, worker):
    await create_problem(client, "ab", tests=6)
    response = await client.post(
        "/api/execute/",
        json={
            "platform": "custom",
            "problem_identifier": "ab",
            "code": WRONG_ON_EQUAL,
            "language": "python3",
            "is_code_public": True,
        },
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["usage"]["current_count"] == 1 and accepted["usage"]["limit"] >= 1
    events = await follow(live_api, accepted["websocket"])
    assert types(events)[:3] == ["queued", "compiling", "compiled"]
    assert types(events)[-1] == "done" and types(events).count("test") == 6
    assert sorted(e["index"] for e in events if e["type"] == "test") == list(range(6))
    ids = [e["id"] for e in events]
    assert len(set(ids)) == len(ids)
    summary = events[-1]["summary"]
    # Inputs with a == b are i % 3 == 0: tests 0 and 3 fail, the first failure decides.
    assert summary == {
        "verdict": "WA",
        "passed": 4,
        "failed": 2,
        "total": 6,
        "max_cpu_ms": summary["max_cpu_ms"],
        "max_memory_kb": summary["max_memory_kb"],
        "compile_message": None,
    }

    detail = (await client.get(f"/api/submissions/{accepted['task_id']}")).json()
    assert detail["status"] == "done" and detail["code"] == WRONG_ON_EQUAL
    failed = [t for t in detail["tests"] if not t["passed"]]
    assert [t["index"] for t in failed] == [0, 3]
    example = failed[1]["counterexample"]
    assert example["input"] == "3 3\n" and example["expected"] == "6\n" and example["output"] == "7\n"
    assert (await client.get(example["output_url"])).text == "7\n"
    assert (await client.get(example["input_url"])).text == "3 3\n"
    assert (await client.get(example["expected_url"])).text == "6\n"
    assert (await client.get("/api/problems/custom/ab")).json()["execution_count"] == 1

    mine = (await client.get("/api/submissions/mine")).json()["items"]
    public = (await client.get("/api/submissions/public")).json()["items"]
    assert [s["submission_id"] for s in mine] == [s["submission_id"] for s in public] == [accepted["task_id"]]


async def test_late_client_and_reconnect_lose_nothing(client, live_api, worker):
    await create_problem(client, "late", tests=8)
    accepted = (
        await client.post(
            "/api/execute/",
            json={"platform": "custom", "problem_identifier": "late", "code": SOLUTION, "language": "python"},
        )
    ).json()
    first_part = await follow(live_api, accepted["websocket"], stop_after=4)
    rest = await follow(live_api, accepted["websocket"], last_event_id=first_part[-1]["id"])
    everything = await follow(live_api, accepted["websocket"])
    assert [e["id"] for e in first_part + rest] == [e["id"] for e in everything]
    assert types(everything)[-1] == "done" and everything[-1]["summary"]["verdict"] == "AC"


async def test_legacy_id_submission_and_compile_error(client, live_api, worker):
    await create_problem(client, "legacy", tests=2, legacy_id=4242)
    accepted = (
        await client.post(
            "/api/execute/", json={"problem_id": 4242, "code": "int main( { return 0; }", "language": "cpp"}
        )
    ).json()
    events = await follow(live_api, accepted["websocket"])
    assert types(events) == ["queued", "compiling", "compile_error", "done"]
    assert events[-1]["summary"]["verdict"] == "CE" and events[2]["message"]
    detail = (await client.get(f"/api/submissions/{accepted['task_id']}")).json()
    assert detail["summary"]["verdict"] == "CE" and detail["compile_message"]


async def test_custom_input_run(client, live_api, worker):
    response = await client.post(
        "/api/run/",
        json={
            "code": "import sys\nprint(sys.stdin.read().upper(), end='')",
            "language": "python",
            "stdin": "hi there",
        },
    )
    assert response.status_code == 202, response.text
    events = await follow(live_api, response.json()["websocket"])
    assert types(events) == ["queued", "compiling", "compiled", "run", "done"]
    assert events[3]["stdout"] == "HI THERE" and events[3]["verdict"] == "AC"


async def test_unknown_task_closes_with_4404(live_api):
    for task_id in ("0" * 28, "not-an-id"):
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await follow(live_api, f"/ws/executions/{task_id}")
        assert closed.value.rcvd.code == 4404


async def test_private_code_is_for_its_owner(client, live_api, worker, api):
    await create_problem(client, "private", tests=1)
    accepted = (
        await client.post(
            "/api/execute/",
            json={
                "platform": "custom",
                "problem_identifier": "private",
                "code": SOLUTION,
                "language": "python",
            },
            headers=ADMIN,
        )
    ).json()
    await follow(live_api, accepted["websocket"])
    assert (await client.get(f"/api/submissions/{accepted['task_id']}", headers=ADMIN)).status_code == 200
    other = await client.get(f"/api/submissions/{accepted['task_id']}")
    assert other.status_code == 404 and other.json()["error"]["code"] == "submission_not_found"
    assert (await client.get("/api/submissions/public")).json()["items"] == []


@pytest.mark.parametrize(
    "body,status,code",
    [
        (
            {"platform": "custom", "problem_identifier": "v", "code": SOLUTION, "language": "brainfuck"},
            422,
            "validation_error",
        ),
        (
            {"platform": "custom", "problem_identifier": "v", "code": "   ", "language": "python"},
            422,
            "validation_error",
        ),
        (
            {"platform": "custom", "problem_identifier": "v", "code": "x" * 70_000, "language": "python"},
            422,
            "validation_error",
        ),
        (
            {"platform": "custom", "problem_identifier": "nope", "code": SOLUTION, "language": "python"},
            404,
            "problem_not_found",
        ),
        ({"problem_id": 99999, "code": SOLUTION, "language": "python"}, 404, "problem_not_found"),
        (
            {
                "problem_id": 1,
                "platform": "custom",
                "problem_identifier": "v",
                "code": SOLUTION,
                "language": "python",
            },
            422,
            "validation_error",
        ),
        ({"platform": "custom", "code": SOLUTION, "language": "python"}, 422, "validation_error"),
        (
            {"platform": "custom", "problem_identifier": "empty", "code": SOLUTION, "language": "python"},
            400,
            "problem_has_no_tests",
        ),
    ],
)
async def test_bad_submissions_are_refused_and_not_counted(api, announced_worker, body, status, code):
    for identifier in ("v", "empty"):
        await api.post(
            "/api/problems",
            json={
                "platform": "custom",
                "problem_identifier": identifier,
                "title": "t",
                "status": "completed",
            },
            headers=ADMIN,
        )
    await api.post(
        "/api/problems/custom/v/test-cases",
        json={"test_cases": [{"input": "1 1", "output": "2"}]},
        headers=ADMIN,
    )
    response = await api.post("/api/execute/", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    ok = await api.post(
        "/api/execute/",
        json={"platform": "custom", "problem_identifier": "v", "code": SOLUTION, "language": "python"},
    )
    assert ok.json()["usage"]["current_count"] == 1, "a refused request does not count"


async def test_quota_is_exact_under_concurrency(api, settings, announced_worker):
    settings.quota.anonymous_executions = 7
    await api.post(
        "/api/problems",
        json={"platform": "custom", "problem_identifier": "q", "title": "t", "status": "completed"},
        headers=ADMIN,
    )
    await api.post(
        "/api/problems/custom/q/test-cases",
        json={"test_cases": [{"input": "1 1", "output": "2"}]},
        headers=ADMIN,
    )
    body = {"platform": "custom", "problem_identifier": "q", "code": SOLUTION, "language": "python"}
    responses = await asyncio.gather(*(api.post("/api/execute/", json=body) for _ in range(25)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202] * 7 + [429] * 18
    counts = sorted(r.json()["usage"]["current_count"] for r in responses if r.status_code == 202)
    assert counts == list(range(1, 8))
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused.json()["error"]["details"]["limit"] == 7
    assert 0 < int(refused.headers["Retry-After"]) <= 86400
