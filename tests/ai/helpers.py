"""Driving AI features as an admin client does."""

from __future__ import annotations

import httpx

from tests.judging.helpers import ADMIN, follow

REFERENCE = "a, b = map(int, input().split())\nprint(a + b)\n"
# small: always the same input (deduplicated); medium: random; max: the largest values.
GENERATOR = """import random
size, seed = input().split()
rng = random.Random(int(seed))
if size == "small":
    print(1, 1)
elif size == "medium":
    print(rng.randint(2, 1000), rng.randint(2, 1000))
else:
    print(10**9, 10**9 - int(seed))
"""


async def create_problem(
    client: httpx.AsyncClient,
    identifier: str,
    *,
    reference: str | None = REFERENCE,
    samples: int = 2,
    **fields,
) -> None:
    body = {
        "platform": "custom",
        "problem_identifier": identifier,
        "title": f"A+B {identifier}",
        "statement": "Print the sum of two integers a and b.",
        "constraints": "1 <= a, b <= 10^9",
        "status": "completed",
        **fields,
    }
    if reference:
        body["reference_solution"] = {"language": "python", "code": reference}
    response = await client.post("/api/problems", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    if samples:
        cases = [
            {"input": f"{i} {i + 1}\n", "output": f"{2 * i + 1}\n", "kind": "sample"}
            for i in range(1, samples + 1)
        ]
        added = await client.post(
            f"/api/problems/custom/{identifier}/test-cases", json={"test_cases": cases}, headers=ADMIN
        )
        assert added.status_code == 201, added.text


async def run_generation(
    client: httpx.AsyncClient, host: str, identifier: str, **body
) -> tuple[dict, list[dict]]:
    """Starts a generation job, follows its events to ``done``; returns the final job and the events."""
    response = await client.post(
        f"/api/problems/custom/{identifier}/generation-jobs", json=body, headers=ADMIN
    )
    assert response.status_code == 202, response.text
    events = await follow(host, response.json()["websocket"])
    job = await client.get(f"/api/generation-jobs/{response.json()['job_id']}", headers=ADMIN)
    return job.json(), events


async def all_test_cases(client: httpx.AsyncClient, identifier: str) -> list[dict]:
    response = await client.get(f"/api/problems/custom/{identifier}/with-test-cases", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()["test_cases"]


async def judge(client: httpx.AsyncClient, host: str, identifier: str, code: str, **headers) -> str:
    response = await client.post(
        "/api/execute/",
        json={"platform": "custom", "problem_identifier": identifier, "code": code, "language": "python"},
        headers=headers,
    )
    assert response.status_code == 202, response.text
    events = await follow(host, response.json()["websocket"])
    # `done`, then the counterexample search's events when the problem has a stress setup
    assert "done" in [e["type"] for e in events]
    return response.json()["task_id"]
