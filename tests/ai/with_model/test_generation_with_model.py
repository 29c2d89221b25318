"""The AI generation path with the real SDK and the loopback model: what the model is
told, and how its bad answers and broken scripts are handled."""

from __future__ import annotations

import httpx
import pytest

from algoitny.ai.prompts import DO_NOT_REVEAL
from tests.ai.helpers import GENERATOR, REFERENCE, all_test_cases, create_problem, run_generation
from tests.judging.helpers import ADMIN, follow, types

COUNTS = {"small": 2, "medium": 1, "max": 1}


@pytest.fixture
async def client(live_api):
    async with httpx.AsyncClient(base_url=f"http://{live_api}", timeout=60) as http:
        yield http


async def test_model_script_runs_in_the_sandbox_and_reference_outputs_are_stored(
    client, live_api, worker, gemini
):
    await create_problem(client, "ai")
    gemini.answer({"script": GENERATOR, "explanation": "edge, random, max"})
    job, events = await run_generation(client, live_api, "ai", counts=COUNTS)
    assert job["status"] == "succeeded", job["error"]
    assert job["script_source"] == "ai" and job["script"] == GENERATOR and job["attempts"] == 1
    assert job["tokens"] == 120 and job["added"] == 3
    generated = [tc for tc in await all_test_cases(client, "ai") if tc["kind"] == "generated"]
    assert sorted(tc["input"] for tc in generated)[0] == "1 1\n"
    assert all(tc["output"].strip() == str(sum(map(int, tc["input"].split()))) for tc in generated)

    (sent,) = gemini.received
    assert sent.model == "gemini-2.5-flash"
    assert "Print the sum of two integers a and b." in sent.prompt and "1 <= a, b <= 10^9" in sent.prompt
    assert (
        "## Sample 1 input\n```\n1 2\n```" in sent.prompt and "## Sample 2 output\n```\n5\n```" in sent.prompt
    )
    assert f"## {DO_NOT_REVEAL}\n```python\n{REFERENCE}" in sent.prompt
    assert "`<size> <seed>`" in sent.prompt and "small" in sent.prompt and "max" in sent.prompt
    assert "previous script failed" not in sent.prompt


async def test_broken_scripts_and_bad_answers_are_fed_back_until_one_works(
    client, live_api, worker, gemini, settings
):
    settings.ai.generator_time_limit_ms = 1000
    await create_problem(client, "retry")
    looping = "while True:\n    pass\n"
    gemini.answer({"script": looping})
    gemini.answer("```python\nprint(1)\n```")  # not JSON
    gemini.answer({"script": GENERATOR})
    job, events = await run_generation(client, live_api, "retry", counts=COUNTS)
    assert job["status"] == "succeeded" and job["attempts"] == 3, job["error"]
    assert types(events).count("attempt_failed") == 2
    first, second, third = gemini.received
    assert "previous script failed" not in first.prompt
    assert f"```\n{looping}```" in second.prompt and "ran out of time" in second.prompt
    assert "not valid GeneratorScript JSON" in third.prompt and "print(1)" in third.prompt


@pytest.mark.parametrize(
    "script,error",
    [
        ("import sys\nwhile True:\n    sys.stdout.write('7' * 65536)\n", "printed more than"),
        ("raise RuntimeError('generator exploded')\n", "generator exploded"),
    ],
)
async def test_failing_every_attempt_fails_the_job_and_a_retry_tells_the_model(
    client, live_api, worker, gemini, settings, script, error
):
    settings.ai.generator_output_bytes = 1024 * 1024
    await create_problem(client, "fails")
    for _ in range(3):
        gemini.answer({"script": script})
    job, _ = await run_generation(client, live_api, "fails", counts=COUNTS)
    assert job["status"] == "failed" and error in job["error"] and job["attempts"] == 3
    assert len(gemini.received) == 3
    assert [tc for tc in await all_test_cases(client, "fails") if tc["kind"] == "generated"] == []

    gemini.answer({"script": GENERATOR})
    retried = await client.post(f"/api/generation-jobs/{job['job_id']}/retry", headers=ADMIN)
    assert retried.status_code == 202 and retried.json()["previous_error"] == job["error"]
    events = await follow(live_api, retried.json()["websocket"])
    assert events[-1]["status"] == "succeeded"
    assert error in gemini.received[-1].prompt and "previous script failed" in gemini.received[-1].prompt


async def test_429_then_success_inside_a_job_and_an_unreachable_model(client, live_api, worker, gemini):
    await create_problem(client, "rate")
    gemini.fail(429)
    gemini.answer({"script": GENERATOR})
    job, _ = await run_generation(client, live_api, "rate", counts=COUNTS)
    assert job["status"] == "succeeded" and len(gemini.received) == 2

    for _ in range(3):
        gemini.fail(503)
    job, _ = await run_generation(client, live_api, "rate", counts=COUNTS)
    assert job["status"] == "failed" and "could not be reached" in job["error"]


async def test_reference_solution_is_stored_only_once_it_passes_the_samples(client, live_api, worker, gemini):
    await create_problem(client, "refsol", reference=None)
    gemini.answer({"language": "python", "code": "a, b = map(int, input().split())\nprint(a * b)\n"})
    gemini.answer(
        {
            "language": "cpp",
            "code": '#include <cstdio>\nint main(){long long a,b;scanf("%lld %lld",&a,&b);'
            'printf("%lld\\n",a+b);}\n',
        }
    )
    response = await client.post("/api/problems/custom/refsol/reference-solution/generate", headers=ADMIN)
    assert response.status_code == 202, response.text
    events = await follow(live_api, response.json()["websocket"])
    assert events[-1]["status"] == "succeeded", events
    first, second = gemini.received
    assert first.model == "gemini-2.5-pro" and "## Sample 1 input" in first.prompt
    assert "Sample 1: WA" in second.prompt and "print(a * b)" in second.prompt
    problem = (await client.get("/api/problems/custom/refsol", headers=ADMIN)).json()
    assert (
        problem["reference_solution"]["language"] == "cpp" and "a+b" in problem["reference_solution"]["code"]
    )


async def test_reference_solution_that_never_passes_is_not_stored(client, live_api, worker, gemini):
    await create_problem(client, "norefsol", reference=None)
    for _ in range(3):
        gemini.answer({"language": "python", "code": "print(0)\n"})
    response = await client.post("/api/problems/custom/norefsol/reference-solution/generate", headers=ADMIN)
    events = await follow(live_api, response.json()["websocket"])
    assert events[-1]["status"] == "failed" and "No solution passed the samples" in events[-1]["error"]
    assert (await client.get("/api/problems/custom/norefsol", headers=ADMIN)).json()[
        "reference_solution"
    ] is None
