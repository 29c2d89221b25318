"""No API key (the default): an admin's own generator script gives judged test cases,
and a failed submission gets deterministic hints — through the real API, worker and sandbox."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.ai.helpers import GENERATOR, all_test_cases, create_problem, judge, run_generation
from tests.judging.helpers import ADMIN, follow, types

# Fails (crashes) on the max-size inputs and prints nothing for a == 7.
FRAGILE_REFERENCE = """a, b = map(int, input().split())
assert a < 10**6, "too big for me"
if a != 7:
    print(a + b)
"""
SEVEN_GENERATOR = GENERATOR.replace("print(1, 1)", 'print(7, 1) if seed == "2" else print(1, 1)')


@pytest.fixture
async def client(live_api):
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as http:
        yield http


async def test_admin_generator_script_gives_judged_deduplicated_test_cases(client, live_api, worker):
    await create_problem(client, "gen")
    job, events = await run_generation(
        client, live_api, "gen", generator_script=GENERATOR, counts={"small": 3, "medium": 2, "max": 2}
    )
    assert job["status"] == "succeeded", job["error"]
    assert job["script_source"] == "admin" and job["attempts"] == 0, "no model involved"
    assert types(events)[:3] == ["queued", "started", "script"] and types(events)[-1] == "done"
    assert events[-1]["status"] == "succeeded" and events[-1]["added"] == 5
    steps = {(e["step"], e["total"]) for e in events if e["type"] == "progress"}
    assert {("generate", 7), ("reference", 5), ("store", 5)} <= steps
    generated = [tc for tc in await all_test_cases(client, "gen") if tc["kind"] == "generated"]
    assert len(generated) == 5, "the three identical small inputs count once"
    for case in generated:
        a, b = map(int, case["input"].split())
        assert case["output"].strip() == str(a + b), "expected outputs come from the reference solution"
    assert {"1 1\n", "1000000000 999999999\n", "1000000000 999999998\n"} <= {tc["input"] for tc in generated}

    again, _ = await run_generation(
        client, live_api, "gen", generator_script=GENERATOR, counts={"small": 3, "medium": 2, "max": 2}
    )
    assert again["status"] == "succeeded" and again["added"] == 0 and again["existing"] == 5, "idempotent"


async def test_inputs_the_reference_fails_on_are_dropped_never_stored_empty(client, live_api, worker):
    await create_problem(client, "fragile", reference=FRAGILE_REFERENCE)
    job, events = await run_generation(
        client,
        live_api,
        "fragile",
        generator_script=SEVEN_GENERATOR,
        counts={"small": 2, "medium": 1, "max": 2},
    )
    assert job["status"] == "succeeded", job["error"]
    reasons = sorted(d["reason"] for d in job["dropped"])
    assert len(reasons) == 3
    assert sum("crashed" in r and "too big for me" in r for r in reasons) == 2
    assert sum("printed nothing" in r for r in reasons) == 1
    assert [e["type"] for e in events].count("dropped") == 3
    generated = [tc for tc in await all_test_cases(client, "fragile") if tc["kind"] == "generated"]
    assert len(generated) == 2 and all(tc["output"].strip() for tc in generated)


@pytest.mark.parametrize(
    "script,error",
    [
        ("raise SystemExit('boom: bad generator')", "crashed"),
        ("while True:\n    pass\n", "ran out of time"),
        ("import sys\nwhile True:\n    sys.stdout.write('9' * 65536)\n", "printed more than"),
        ("size, seed = input().split()\n", "printed nothing"),
        ("def broken(:\n", "does not compile"),
        ("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)\n", "crashed"),
    ],
)
async def test_a_broken_admin_generator_fails_the_job_with_its_reason(
    client, live_api, worker, settings, script, error
):
    settings.ai.generator_time_limit_ms = 1000
    settings.ai.generator_output_bytes = 1024 * 1024
    await create_problem(client, "broken")
    job, events = await run_generation(
        client, live_api, "broken", generator_script=script, counts={"small": 1, "medium": 0, "max": 0}
    )
    assert job["status"] == "failed" and error in job["error"], job["error"]
    assert events[-1] == {**events[-1], "type": "done", "status": "failed"}
    assert [tc for tc in await all_test_cases(client, "broken") if tc["kind"] == "generated"] == []

    retried = await client.post(f"/api/generation-jobs/{job['job_id']}/retry", headers=ADMIN)
    assert retried.status_code == 202 and retried.json()["retry_of"] == job["job_id"]
    await follow(live_api, retried.json()["websocket"])


async def test_failed_submission_gets_deterministic_hints_once(client, live_api, worker, settings):
    await create_problem(client, "hint")
    await run_generation(
        client, live_api, "hint", generator_script=GENERATOR, counts={"small": 1, "medium": 0, "max": 0}
    )
    wrong = await judge(
        client, live_api, "hint", "a, b = map(int, input().split())\nprint(a + b + (a == b))\n"
    )
    # The generation job left its generator as the problem's stress setup, so a counterexample
    # search follows the WA: hints asked for after it ends quote its small input first.
    for _ in range(600):
        detail = (await client.get(f"/api/submissions/{wrong}")).json()
        if detail["counterexample_status"] != "searching":
            break
        await asyncio.sleep(0.1)
    assert detail["counterexample_status"] == "found", detail["counterexample_status"]
    first = await client.post(f"/api/submissions/{wrong}/hints")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["source"] == "results" and body["cached"] is False and body["current_count"] == 1
    assert 3 <= len(body["hints"]) <= 5
    assert "Your code fails (WA) on this small input" in body["hints"][0]
    assert detail["counterexample"]["input"].strip() in body["hints"][0]
    wrong_test = next(h for h in body["hints"] if "Wrong answer on test #3" in h)  # samples: tests 1–2
    assert "expected `2`, you printed `3`" in wrong_test
    assert any("Off by one" in h for h in body["hints"])

    second = await client.post(f"/api/submissions/{wrong}/hints")
    assert second.json()["hints"] == body["hints"] and second.json()["cached"] is True
    assert second.json()["current_count"] is None, "stored hints cost no quota"
    assert (await client.get(f"/api/submissions/{wrong}/hints")).json()["hints"] == body["hints"]

    right = await judge(client, live_api, "hint", "a, b = map(int, input().split())\nprint(a + b)\n")
    nothing = (await client.post(f"/api/submissions/{right}/hints")).json()
    assert nothing["hints"] == [] and nothing["source"] is None
    assert (await client.get(f"/api/submissions/{right}/hints")).json()["error"]["code"] == "hints_not_found"

    settings.quota.anonymous_hints = 1
    other = await judge(client, live_api, "hint", "print(0)\n")
    limited = await client.post(f"/api/submissions/{other}/hints")
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"


@pytest.mark.parametrize(
    "code,verdict,words",
    [
        ("import time\nwhile True: pass\n", "TLE", "Time limit exceeded"),
        ("raise IndexError('list index out of range')\n", "RE", "IndexError: list index out of range"),
        ("x = [0] * (10**9)\n", "MLE", "Memory limit"),
        ("while True: print('9' * 1000)\n", "OLE", "Output limit exceeded"),
    ],
)
async def test_verdict_specific_hints(client, live_api, worker, code, verdict, words):
    await create_problem(client, f"v{verdict.lower()}", time_limit_ms=500, memory_limit_mb=64)
    submission = await judge(client, live_api, f"v{verdict.lower()}", code)
    detail = (await client.get(f"/api/submissions/{submission}")).json()
    assert detail["summary"]["verdict"] == verdict
    hints = (await client.post(f"/api/submissions/{submission}/hints")).json()["hints"]
    assert words in hints[0] and 3 <= len(hints) <= 5


async def test_compile_error_hint_quotes_the_compiler(client, live_api, worker):
    await create_problem(client, "ce")
    response = await client.post(
        "/api/execute/",
        json={
            "platform": "custom",
            "problem_identifier": "ce",
            "code": "int main( { return 0; }",
            "language": "cpp",
        },
    )
    await follow(live_api, response.json()["websocket"])
    hints = (await client.post(f"/api/submissions/{response.json()['task_id']}/hints")).json()["hints"]
    assert hints[0].startswith("Your code did not compile. The first error:") and "error" in hints[0]


async def test_hints_are_for_the_owner_only(client, live_api, worker):
    await create_problem(client, "own")
    response = await client.post(
        "/api/execute/",
        json={
            "platform": "custom",
            "problem_identifier": "own",
            "code": "print(0)",
            "language": "python",
            "is_code_public": True,
        },
        headers=ADMIN,
    )
    await follow(live_api, response.json()["websocket"])
    # An anonymous caller is refused with 401 (signing in may make them the owner); a
    # signed-in stranger's 403 not_submission_owner is in the route x role matrix.
    refused = await client.post(f"/api/submissions/{response.json()['task_id']}/hints")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"


async def test_what_needs_a_model_says_so(api):
    await create_problem(api, "nomodel")
    for path in ("generation-jobs", "reference-solution/generate", "hints/generate"):
        response = await api.post(
            f"/api/problems/custom/nomodel/{path}",
            headers=ADMIN,
            **({"json": {}} if path == "generation-jobs" else {}),
        )
        assert response.status_code == 409 and response.json()["error"]["code"] == "ai_unavailable", path
    await create_problem(api, "noref", reference=None)
    response = await api.post(
        "/api/problems/custom/noref/generation-jobs", json={"generator_script": "print(1)"}, headers=ADMIN
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "reference_solution_missing"


async def test_admin_written_problem_hints_are_revealed_level_by_level(api):
    await create_problem(api, "ph")
    assert (await api.get("/api/problems/custom/ph/hints")).json()["error"]["code"] == "hints_not_found"
    levels = [
        {"title": t, "hint": f"{t} hint"} for t in ("approach", "insight", "pitfalls", "implementation")
    ]
    saved = await api.put("/api/problems/custom/ph/hints", json={"levels": levels}, headers=ADMIN)
    assert saved.status_code == 200 and saved.json()["source"] == "admin"
    assert (await api.put("/api/problems/custom/ph/hints", json={"levels": levels})).status_code == 401
    two = (await api.get("/api/problems/custom/ph/hints", params={"levels": 2})).json()
    assert [level["title"] for level in two["levels"]] == ["approach", "insight"] and two["total_levels"] == 4


async def test_cancel_a_queued_job_and_a_running_one(client, live_api, settings, worker):
    await create_problem(client, "cancel")
    slow = "import time\ntime.sleep(0.5)\nprint(1, 2)\n"
    response = await client.post(
        "/api/problems/custom/cancel/generation-jobs",
        headers=ADMIN,
        json={"generator_script": slow, "counts": {"small": 40, "medium": 0, "max": 0}},
    )
    job_id = response.json()["job_id"]
    events = await follow(
        live_api, response.json()["websocket"], stop_after=4
    )  # queued, started, script, progress
    assert types(events)[-1] == "progress"
    cancelled = await client.post(f"/api/generation-jobs/{job_id}/cancel", headers=ADMIN)
    assert cancelled.status_code == 200 and cancelled.json()["cancel_requested"] is True
    rest = await follow(live_api, response.json()["websocket"], last_event_id=events[-1]["id"])
    assert rest[-1]["type"] == "done" and rest[-1]["status"] == "cancelled"
    again = await client.post(f"/api/generation-jobs/{job_id}/cancel", headers=ADMIN)
    assert again.status_code == 409 and again.json()["error"]["code"] == "generation_job_finished"
    listed = (await client.get("/api/problems/custom/cancel/generation-jobs", headers=ADMIN)).json()["items"]
    assert [j["status"] for j in listed] == ["cancelled"]


async def test_a_queued_job_is_cancelled_at_once(api):
    await create_problem(api, "queued")
    response = await api.post(
        "/api/problems/custom/queued/generation-jobs", headers=ADMIN, json={"generator_script": GENERATOR}
    )
    job_id = response.json()["job_id"]
    cancelled = await api.post(f"/api/generation-jobs/{job_id}/cancel", headers=ADMIN)
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["finished_at"]
    not_admin = await api.post(f"/api/generation-jobs/{job_id}/cancel")
    assert not_admin.status_code == 401
    missing = await api.get(f"/api/generation-jobs/{'0' * 28}", headers=ADMIN)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "generation_job_not_found"
