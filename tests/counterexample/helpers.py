"""A+B with a stress setup: a generator of two small numbers, a validator, the reference."""

from __future__ import annotations

import httpx

from tests.judging.helpers import ADMIN, SOLUTION, create_problem

GENERATOR = """import random
size, seed = map(int, input().split())
r = random.Random(seed)
print(r.randint(0, size), r.randint(0, size))
"""
VALIDATOR = """import sys
a, b = map(int, sys.stdin.read().split())
sys.exit(0 if 0 <= a <= 1000 and 0 <= b <= 1000 else 1)
"""
SETUP = {"generator": GENERATOR, "validator": VALIDATOR, "sizes": {"min": 1, "max": 8}}


async def stressed_problem(client: httpx.AsyncClient, identifier: str, *, tests: int = 4) -> str:
    await create_problem(
        client, identifier, tests=tests, reference_solution={"language": "python", "code": SOLUTION}
    )
    response = await client.put(f"/api/problems/custom/{identifier}/stress", json=SETUP, headers=ADMIN)
    assert response.status_code == 200, response.text
    return identifier


async def sign_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/auth/dev/", json={"email": email})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
