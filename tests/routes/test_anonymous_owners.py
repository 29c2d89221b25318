"""Anonymous history belongs to an owner token, not to the client address (issue 10, item 7)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from algoitny.app import create_app
from algoitny.client_identity import ANONYMOUS_COOKIE, ANONYMOUS_HEADER
from tests.conftest import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SOLUTION = "print(sum(map(int, input().split())))"


@contextlib.asynccontextmanager
async def clients(settings, peers: list[str]) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One app; one HTTP client (with its own cookie jar) per TCP peer address given."""
    app = create_app(settings)
    async with app.router.lifespan_context(app), contextlib.AsyncExitStack() as stack:
        made = []
        for peer in peers:
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(peer, 40000))
            made.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60)
                )
            )
        yield made


async def _problem(client: httpx.AsyncClient) -> None:
    body = {"platform": "custom", "problem_identifier": "anon", "title": "A+B", "status": "completed"}
    assert (await client.post("/api/problems", json=body, headers=ADMIN)).status_code == 201
    cases = {"test_cases": [{"input": "1 2\n", "output": "3\n"}]}
    assert (
        await client.post("/api/problems/custom/anon/test-cases", json=cases, headers=ADMIN)
    ).status_code == 201


def _execute(public: bool = False) -> dict:
    return {
        "platform": "custom",
        "problem_identifier": "anon",
        "code": SOLUTION,
        "language": "python",
        "is_code_public": public,
    }


async def _mine(client: httpx.AsyncClient, headers: dict | None = None) -> list[str]:
    page = await client.get("/api/submissions/mine", headers=headers or {})
    assert page.status_code == 200, page.text
    return [item["submission_id"] for item in page.json()["items"]]


async def test_two_anonymous_clients_behind_one_address_keep_their_private_submissions_apart(
    settings, announced_worker
):
    async with clients(settings, ["198.51.100.7", "198.51.100.7"]) as (alice, bob):
        await _problem(alice)
        first = await alice.post("/api/execute/", json=_execute())
        assert first.status_code == 202, first.text
        token = first.json()["anonymous_token"]
        assert token and len(token) >= 32
        assert alice.cookies.get(ANONYMOUS_COOKIE) == token
        assert "httponly" in first.headers["set-cookie"].lower()
        task = first.json()["task_id"]

        assert await _mine(bob) == [], "same address, no token: nothing of Alice's"
        hidden = await bob.get(f"/api/submissions/{task}")
        assert hidden.status_code == 404
        bobs = await bob.post("/api/execute/", json=_execute())
        assert bobs.status_code == 202
        assert bobs.json()["anonymous_token"] != token
        assert await _mine(bob) == [bobs.json()["task_id"]]
        assert (await bob.get(f"/api/submissions/{task}")).status_code == 404

        # The cookie (Alice's browser) and the header (a script holding the token) both work.
        assert await _mine(alice) == [task]
        assert (await alice.get(f"/api/submissions/{task}")).status_code == 200
        alice.cookies.clear()
        assert await _mine(alice) == []
        assert await _mine(alice, {ANONYMOUS_HEADER: token}) == [task]
        detail = await alice.get(f"/api/submissions/{task}", headers={ANONYMOUS_HEADER: token})
        assert detail.status_code == 200 and detail.json()["user_id"] == "anonymous"

        # Submitting with the token keeps one history; the quota is still the address's.
        again = await alice.post("/api/execute/", json=_execute(), headers={ANONYMOUS_HEADER: token})
        assert again.json()["anonymous_token"] == token
        assert again.json()["usage"]["current_count"] == 3
        assert set(await _mine(alice, {ANONYMOUS_HEADER: token})) == {task, again.json()["task_id"]}


async def test_a_public_anonymous_submission_shows_no_owner(settings, announced_worker):
    async with clients(settings, ["198.51.100.8", "198.51.100.9"]) as (alice, bob):
        await _problem(alice)
        task = (await alice.post("/api/execute/", json=_execute(public=True))).json()["task_id"]
        seen = await bob.get(f"/api/submissions/{task}")
        assert seen.status_code == 200 and seen.json()["user_id"] == "anonymous"
        feed = (await bob.get("/api/submissions/public")).json()["items"]
        assert [(s["submission_id"], s["user_id"]) for s in feed] == [(task, "anonymous")]


async def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_quota_key(settings, announced_worker):
    settings.quota.anonymous_executions = 1
    settings.clients.trusted_proxies = ["10.0.0.0/8"]
    async with clients(settings, ["203.0.113.5"]) as (client,):
        await _problem(client)
        first = await client.post("/api/execute/", json=_execute(), headers={"X-Forwarded-For": "192.0.2.1"})
        assert first.status_code == 202
        spoofed = await client.post(
            "/api/execute/", json=_execute(), headers={"X-Forwarded-For": "192.0.2.2"}
        )
        assert spoofed.status_code == 429 and spoofed.json()["error"]["code"] == "rate_limited"


async def test_forwarded_for_from_a_trusted_proxy_is_the_quota_key(settings, announced_worker):
    settings.quota.anonymous_executions = 1
    settings.clients.trusted_proxies = ["10.0.0.0/8"]
    async with clients(settings, ["10.1.2.3"]) as (proxy,):
        await _problem(proxy)
        for client_address in ("192.0.2.1", "192.0.2.2"):
            # The client's own (spoofable) entry comes first; the proxy appends the real peer.
            forwarded = {"X-Forwarded-For": f"6.6.6.6, {client_address}, 10.9.9.9"}
            accepted = await proxy.post("/api/execute/", json=_execute(), headers=forwarded)
            assert accepted.status_code == 202, accepted.text
        again = await proxy.post("/api/execute/", json=_execute(), headers={"X-Forwarded-For": "192.0.2.1"})
        assert again.status_code == 429
