"""Hints from the model: what the prompt carries, stored once, fallback on bad answers."""

from __future__ import annotations

import base64

import httpx
import pytest

from algoitny.ai.prompts import DO_NOT_REVEAL
from tests.ai.helpers import REFERENCE, create_problem, judge
from tests.judging.helpers import ADMIN

HINTS = {"hints": ["Compare a and b.", "What happens when they are equal?", "Do you add anything extra?"]}
WRONG = "a, b = map(int, input().split())\n# sum it\nprint(a + b + (a == b))  # \u2190 mine\n"


@pytest.fixture
async def client(live_api):
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as http:
        yield http


async def _problem_with_tests(client, identifier: str) -> None:
    await create_problem(client, identifier, samples=0)
    cases = [
        {"input": f"{a} {b}\n", "output": f"{a + b}\n"} for a, b in [(1, 2), (3, 3), (4, 4), (5, 5), (6, 6)]
    ]
    await client.post(
        f"/api/problems/custom/{identifier}/test-cases", json={"test_cases": cases}, headers=ADMIN
    )


async def test_prompt_carries_code_failing_tests_and_the_hidden_reference(client, live_api, worker, gemini):
    await _problem_with_tests(client, "aih")
    submission = await judge(client, live_api, "aih", WRONG)
    gemini.answer(HINTS)
    first = await client.post(f"/api/submissions/{submission}/hints")
    assert first.status_code == 200, first.text
    assert first.json() | {"submission_id": None} == {
        "submission_id": None,
        "hints": HINTS["hints"],
        "source": "ai",
        "cached": False,
        "provisional": False,
        "current_count": 1,
        "limit": first.json()["limit"],
    }

    (sent,) = gemini.received
    prompt = sent.prompt
    assert f"```python\n{WRONG}```" in prompt, "the code as text, verbatim"
    assert base64.b64encode(WRONG.encode()).decode()[:20] not in prompt
    assert "Result: WA — 1 of 5 tests passed" in prompt
    for index, (a, out) in enumerate([(3, 7), (4, 9), (5, 11)], start=2):
        assert (
            f"### Failed test #{index}: WA\nInput:\n```\n{a} {a}\n```\nExpected output:\n```\n{2 * a}\n```\n"
            f"The student's output:\n```\n{out}\n```" in prompt
        )
    assert "6 6" not in prompt, "at most three failing tests"
    assert f"## {DO_NOT_REVEAL}\n```python\n{REFERENCE}```" in prompt
    assert "N/A" not in prompt and "without giving the answer away" in sent.system

    again = await client.post(f"/api/submissions/{submission}/hints")
    assert again.json()["hints"] == HINTS["hints"] and again.json()["cached"] is True
    assert len(gemini.received) == 1, "stored hints: no second model call"


async def test_unusable_model_answers_fall_back_to_the_results(client, live_api, worker, gemini):
    await _problem_with_tests(client, "bad")
    submission = await judge(client, live_api, "bad", WRONG)
    gemini.answer({"hints": ["only one"]})
    response = (await client.post(f"/api/submissions/{submission}/hints")).json()
    assert response["source"] == "results" and "expected `6`, you printed `7`" in response["hints"][0]


async def test_nothing_failed_means_no_model_call(client, live_api, worker, gemini):
    await _problem_with_tests(client, "ok")
    submission = await judge(client, live_api, "ok", REFERENCE)
    assert (await client.post(f"/api/submissions/{submission}/hints")).json()["hints"] == []
    assert gemini.received == []


async def test_problem_hints_generated_by_an_admin_read_by_anyone(api, gemini):
    await create_problem(api, "ph")
    levels = [
        {"title": t, "hint": f"{t}: think"} for t in ("approach", "insight", "pitfalls", "implementation")
    ]
    gemini.answer({"levels": levels})
    made = await api.post("/api/problems/custom/ph/hints/generate", headers=ADMIN)
    assert made.status_code == 200 and made.json()["source"] == "ai" and made.json()["total_levels"] == 4
    assert "## Sample 1 input" in gemini.received[0].prompt and DO_NOT_REVEAL in gemini.received[0].prompt
    first = (await api.get("/api/problems/custom/ph/hints", params={"levels": 1})).json()
    assert first["levels"] == levels[:1]

    gemini.answer("not json at all")
    failed = await api.post("/api/problems/custom/ph/hints/generate", headers=ADMIN)
    assert failed.status_code == 503 and failed.json()["error"]["code"] == "ai_failed"
    assert (await api.get("/api/problems/custom/ph/hints")).json()["levels"] == levels, "old hints kept"
