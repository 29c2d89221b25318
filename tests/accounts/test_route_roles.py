"""Every route the app registers × {anonymous, user, another user, admin} → expected status.

Adding a route without adding its row here fails ``test_every_route_has_a_row``.
Each row is (method, path) → (statuses for anonymous, user, other user, admin);
a request is built from a small scenario set up once: a problem with a sample
and a hidden test, a judged private submission of "user" that failed a test,
and a spare plan. Calls whose success changes state get fresh targets.
"""

from __future__ import annotations

import asyncio
import itertools

from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import Route

from tests.accounts.conftest import ADMIN_EMAIL, bearer, sign_in

ROLES = ("anonymous", "user", "other", "admin")
_unique = itertools.count()

WRONG = "print(int(input().split()[0]))"  # fails the hidden test 5 7 -> 12
REFERENCE = "print(sum(map(int, input().split())))"
STRESS_GENERATOR = "size, seed = map(int, input().split())\nprint(seed % 7, size)\n"
GENERATOR = "import sys\nsize, seed = sys.stdin.read().split()\nprint(int(seed) % 50, 7)\n"

# (method, path): (anonymous, user, other user, admin)
MATRIX: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("GET", "/"): (200, 200, 200, 200),  # the web app's page
    ("GET", "/openapi.json"): (200, 200, 200, 200),
    ("GET", "/docs"): (200, 200, 200, 200),
    ("GET", "/docs/oauth2-redirect"): (200, 200, 200, 200),
    ("GET", "/redoc"): (200, 200, 200, 200),
    ("GET", "/health/live"): (200, 200, 200, 200),
    ("GET", "/health/ready"): (200, 200, 200, 200),
    ("GET", "/metrics"): (200, 200, 200, 200),  # Prometheus scrapes it; restrict it at the proxy
    ("GET", "/api/auth/config"): (200, 200, 200, 200),
    ("POST", "/api/auth/google/"): (200, 200, 200, 200),
    ("POST", "/api/auth/dev/"): (200, 200, 200, 200),
    ("POST", "/api/auth/refresh/"): (200, 200, 200, 200),
    ("POST", "/api/auth/logout/"): (204, 204, 204, 204),
    ("GET", "/api/account/me"): (401, 200, 200, 200),
    ("PUT", "/api/account/consents"): (401, 200, 200, 200),
    ("GET", "/api/account/usage"): (200, 200, 200, 200),
    ("GET", "/api/plans"): (200, 200, 200, 200),
    ("GET", "/api/admin/users"): (401, 403, 403, 200),
    ("PUT", "/api/admin/users/{user_id}/plan"): (401, 403, 403, 200),
    ("PUT", "/api/admin/users/{user_id}/active"): (401, 403, 403, 200),
    ("PUT", "/api/admin/plans/{name}"): (401, 403, 403, 200),
    ("DELETE", "/api/admin/plans/{name}"): (401, 403, 403, 204),
    ("GET", "/api/admin/stats"): (401, 403, 403, 200),
    ("POST", "/api/problems"): (401, 403, 403, 201),
    ("GET", "/api/problems"): (200, 200, 200, 200),
    ("GET", "/api/search/problems"): (200, 200, 200, 200),
    ("GET", "/api/problems/{platform}/{problem_identifier}"): (200, 200, 200, 200),
    ("PATCH", "/api/problems/{platform}/{problem_identifier}"): (401, 403, 403, 200),
    ("DELETE", "/api/problems/{platform}/{problem_identifier}"): (401, 403, 403, 204),
    ("POST", "/api/problems/{platform}/{problem_identifier}/restore"): (401, 403, 403, 200),
    ("POST", "/api/problems/{platform}/{problem_identifier}/test-cases"): (401, 403, 403, 201),
    ("PUT", "/api/problems/{platform}/{problem_identifier}/test-cases"): (401, 403, 403, 200),
    ("GET", "/api/problems/{platform}/{problem_identifier}/test-cases"): (401, 403, 403, 200),
    ("GET", "/api/problems/{platform}/{problem_identifier}/test-cases/{test_case_id}"): (401, 403, 403, 200),
    ("DELETE", "/api/problems/{platform}/{problem_identifier}/test-cases/{test_case_id}"): (
        401,
        403,
        403,
        204,
    ),
    ("GET", "/api/problems/{platform}/{problem_identifier}/samples"): (200, 200, 200, 200),
    ("GET", "/api/problems/{platform}/{problem_identifier}/with-test-cases"): (401, 403, 403, 200),
    ("GET", "/api/languages"): (200, 200, 200, 200),
    ("POST", "/api/execute/"): (202, 202, 202, 202),
    ("POST", "/api/run/"): (202, 202, 202, 202),
    ("GET", "/api/submissions/mine"): (200, 200, 200, 200),
    ("GET", "/api/submissions/public"): (200, 200, 200, 200),
    ("GET", "/api/submissions/{submission_id}"): (404, 200, 404, 200),
    ("GET", "/api/submissions/{submission_id}/tests/{index}/{part}"): (404, 200, 404, 200),
    # AI (no model configured here: what needs one answers 409 ai_unavailable, even to admins)
    ("POST", "/api/problems/{platform}/{problem_identifier}/generation-jobs"): (401, 403, 403, 202),
    ("GET", "/api/problems/{platform}/{problem_identifier}/generation-jobs"): (401, 403, 403, 200),
    ("GET", "/api/generation-jobs/{job_id}"): (401, 403, 403, 200),
    ("POST", "/api/generation-jobs/{job_id}/cancel"): (401, 403, 403, 200),
    ("POST", "/api/generation-jobs/{job_id}/retry"): (401, 403, 403, 202),
    ("POST", "/api/problems/{platform}/{problem_identifier}/reference-solution/generate"): (
        401,
        403,
        403,
        409,
    ),
    ("POST", "/api/submissions/{submission_id}/hints"): (404, 200, 404, 200),
    ("GET", "/api/submissions/{submission_id}/hints"): (404, 200, 404, 200),
    ("PUT", "/api/problems/{platform}/{problem_identifier}/hints"): (401, 403, 403, 200),
    ("GET", "/api/problems/{platform}/{problem_identifier}/hints"): (200, 200, 200, 200),
    ("POST", "/api/problems/{platform}/{problem_identifier}/hints/generate"): (401, 403, 403, 409),
    # Counterexamples (the setup is PUT before the rows that need it run)
    ("PUT", "/api/problems/{platform}/{problem_identifier}/stress"): (401, 403, 403, 200),
    ("GET", "/api/problems/{platform}/{problem_identifier}/stress"): (401, 403, 403, 200),
    ("POST", "/api/submissions/{submission_id}/counterexample"): (404, 202, 404, 409),
    ("POST", "/api/stress/"): (401, 202, 202, 202),
    ("GET", "/api/account/stats"): (401, 200, 200, 200),
    ("GET", "/api/users/{user_id}/stats"): (200, 200, 200, 200),
    ("GET", "/api/problems/{platform}/{problem_identifier}/stats"): (200, 200, 200, 200),
    ("GET", "/api/problems/{platform}/{problem_identifier}/submissions"): (200, 200, 200, 200),
}

# WebSocket routes: anyone holding the (unguessable) task id may follow it.
WEBSOCKETS = {"/ws/executions/{task_id}", "/ws/generation/{job_id}"}


def _flat(routes):
    """Routes of included routers too (FastAPI keeps them wrapped)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


def _registered(app) -> tuple[set[tuple[str, str]], set[str]]:
    http, sockets = set(), set()
    for route in _flat(app.routes):
        if isinstance(route, APIWebSocketRoute):
            sockets.add(route.path)
        elif isinstance(route, (APIRoute, Route)):
            for method in route.methods or ():
                if method != "HEAD":
                    http.add((method, route.path))
    return http, sockets


def test_every_route_has_a_row(settings):
    from algoitny.app import create_app

    http, sockets = _registered(create_app(settings))
    assert http - MATRIX.keys() == set(), "routes without a row in MATRIX"
    assert MATRIX.keys() - http == set(), "rows for routes that no longer exist"
    assert sockets == WEBSOCKETS


async def _scenario(client, google_keys, worker_ready) -> dict:
    roles = {
        "user": await sign_in(client, "matrix-user@example.com"),
        "other": await sign_in(client, "matrix-other@example.com"),
        "admin": await sign_in(client, ADMIN_EMAIL),
    }
    admin = bearer(roles["admin"])
    await client.post(
        "/api/problems",
        headers=admin,
        json={
            "platform": "custom",
            "problem_identifier": "mx",
            "title": "Matrix",
            "status": "completed",
            "reference_solution": {"language": "python", "code": REFERENCE},
        },
    )
    added = (
        await client.post(
            "/api/problems/custom/mx/test-cases",
            headers=admin,
            json={
                "test_cases": [
                    {"input": "1 2\n", "output": "3\n", "kind": "sample"},
                    {"input": "5 7\n", "output": "12\n"},
                ]
            },
        )
    ).json()
    submitted = (
        await client.post(
            "/api/execute/",
            headers=bearer(roles["user"]),
            json={"platform": "custom", "problem_identifier": "mx", "code": WRONG, "language": "python"},
        )
    ).json()
    await worker_ready(submitted["task_id"])
    return {
        "roles": roles,
        "sample": added["added"][0],
        "hidden": added["added"][1],
        "submission": submitted["task_id"],
        "google_keys": google_keys,
        "job": (await _new_job(client, admin))["job_id"],
    }


async def _new_job(client, admin: dict) -> dict:
    response = await client.post(
        "/api/problems/custom/mx/generation-jobs",
        headers=admin,
        json={"generator_script": GENERATOR, "counts": {"small": 1, "medium": 0, "max": 0}},
    )
    assert response.status_code == 202, response.text
    return response.json()


async def _request(client, scenario: dict, method: str, path: str, role: str):
    """Builds a valid request for the row, with fresh targets for state-changing calls."""
    n = next(_unique)
    admin = bearer(scenario["roles"]["admin"])
    headers = bearer(scenario["roles"][role]) if role != "anonymous" else {}
    params, body = {}, None
    values = {
        "platform": "custom",
        "problem_identifier": "mx",
        "submission_id": scenario["submission"],
        "index": "1",
        "part": "output",
        "test_case_id": scenario["hidden"],
        "name": f"plan{n}",
        "user_id": scenario["roles"]["user"]["user"]["user_id"],
        "job_id": scenario["job"],
    }
    if path.startswith("/api/generation-jobs/{job_id}/"):
        values["job_id"] = (await _new_job(client, admin))["job_id"]
        if path.endswith("/retry"):
            await client.post(f"/api/generation-jobs/{values['job_id']}/cancel", headers=admin)
    if method == "DELETE" and path.endswith("{problem_identifier}"):
        values["problem_identifier"] = f"del{n}"
        await client.post(
            "/api/problems",
            headers=admin,
            json={"platform": "custom", "problem_identifier": f"del{n}", "title": "x"},
        )
    if method == "DELETE" and path.endswith("{test_case_id}"):
        made = await client.post(
            "/api/problems/custom/mx/test-cases",
            headers=admin,
            json={"test_cases": [{"input": f"{n}\n", "output": f"{n}\n"}]},
        )
        values["test_case_id"] = made.json()["added"][0]
    if method == "DELETE" and path.endswith("{name}"):
        await client.put(
            f"/api/admin/plans/plan{n}",
            headers=admin,
            json={"display_name": "x", "daily_executions": 1, "daily_hints": 1},
        )
    if method == "PUT" and path.endswith("/test-cases"):
        values["problem_identifier"] = f"rep{n}"
        await client.post(
            "/api/problems",
            headers=admin,
            json={"platform": "custom", "problem_identifier": f"rep{n}", "title": "x"},
        )
    bodies = {
        ("POST", "/api/auth/google/"): lambda: {
            "id_token": scenario["google_keys"].id_token(sub=f"g{n}", email=f"g{n}@example.com")
        },
        ("POST", "/api/auth/dev/"): lambda: {"email": f"dev{n}@example.com"},
        ("PUT", "/api/account/consents"): lambda: {"privacy": True},
        ("PUT", "/api/admin/users/{user_id}/plan"): lambda: {"plan": "free"},
        ("PUT", "/api/admin/users/{user_id}/active"): lambda: {"active": True},
        ("PUT", "/api/admin/plans/{name}"): lambda: {
            "display_name": "x",
            "daily_executions": 1,
            "daily_hints": 1,
        },
        ("POST", "/api/problems"): lambda: {
            "platform": "custom",
            "problem_identifier": f"new{n}",
            "title": "x",
        },
        ("PATCH", "/api/problems/{platform}/{problem_identifier}"): lambda: {"title": f"Matrix {n}"},
        ("POST", "/api/problems/{platform}/{problem_identifier}/test-cases"): lambda: {
            "test_cases": [{"input": f"{n} 0\n", "output": f"{n}\n"}]
        },
        ("PUT", "/api/problems/{platform}/{problem_identifier}/test-cases"): lambda: {
            "test_cases": [{"input": "1\n", "output": "1\n"}]
        },
        ("POST", "/api/execute/"): lambda: {
            "platform": "custom",
            "problem_identifier": "mx",
            "code": WRONG,
            "language": "python",
        },
        ("POST", "/api/run/"): lambda: {"code": "print(1)", "language": "python"},
        ("POST", "/api/problems/{platform}/{problem_identifier}/generation-jobs"): lambda: {
            "generator_script": GENERATOR,
            "counts": {"small": 1, "medium": 0, "max": 0},
        },
        ("PUT", "/api/problems/{platform}/{problem_identifier}/stress"): lambda: {
            "generator": STRESS_GENERATOR,
            "sizes": {"min": 1, "max": 3},
        },
        ("POST", "/api/stress/"): lambda: {
            "platform": "custom",
            "problem_identifier": "mx",
            "code": WRONG,
            "language": "python",
        },
        ("PUT", "/api/problems/{platform}/{problem_identifier}/hints"): lambda: {
            "levels": [{"title": t, "hint": "Think."} for t in ("approach", "insight", "pitfalls")]
        },
    }
    if (method, path) in (("POST", "/api/auth/refresh/"), ("POST", "/api/auth/logout/")):
        body = {"refresh_token": (await sign_in(client, f"fresh{n}@example.com"))["refresh_token"]}
    elif (method, path) in bodies:
        body = bodies[(method, path)]()
    if (method, path) == ("GET", "/api/search/problems"):
        params = {"q": "mx"}
    url = path
    for name, value in values.items():
        url = url.replace("{" + name + "}", value)
    return await client.request(method, url, headers=headers, params=params, json=body)


async def test_every_route_answers_each_role_as_intended(auth_api, google_keys, worker, settings):
    async def judged(task_id: str) -> None:
        for _ in range(600):
            detail = await auth_api.get(f"/api/submissions/{task_id}", headers=bearer(roles_holder["admin"]))
            if detail.json().get("status") == "done":
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the submission was not judged")

    roles_holder = {"admin": await sign_in(auth_api, ADMIN_EMAIL)}
    scenario = await _scenario(auth_api, google_keys, judged)
    failures = []
    for (method, path), expected in MATRIX.items():
        for role, status in zip(ROLES, expected, strict=True):
            response = await _request(auth_api, scenario, method, path, role)
            if response.status_code != status:
                failures.append(
                    f"{method} {path} as {role}: {response.status_code} (want {status}) {response.text[:120]}"
                )
    assert not failures, "\n".join(failures)
