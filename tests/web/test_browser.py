"""The web app as a person meets it, in Chromium: sign in, submit, watch the tests arrive,
survive a dropped WebSocket, and an admin creating a problem with its test cases.

The page's WebSocket is routed through Playwright (``page.route_web_socket``) so the tests
decide when the server's events reach the page: holding ``done`` back proves the grid fills
from the events as they come (not from a reload at the end), and cutting the connection
after a few events proves the resume with ``last_event_id`` — neither depends on timing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from .conftest import ADMIN_EMAIL

TESTS = 20
WRONG_AT = 7  # the wrong solution answers 0 when a == 7
WRONG_SOLUTION = "a, b = map(int, input().split())\nprint(0 if a == 7 else a + b)\n"
_ids = itertools.count(1)
REFERENCE = "a, b = map(int, input().split())\nprint(a + b)\n"
WRONG_ON_EQUAL = "a, b = map(int, input().split())\nprint(a + b + (a == b))\n"
STRESS_SETUP = {
    "generator": "import random\nsize, seed = map(int, input().split())\n"
    "r = random.Random(seed)\nprint(r.randint(0, size), r.randint(0, size))\n",
    "validator": "import sys\na, b = map(int, sys.stdin.read().split())\nsys.exit(0 if 0 <= a <= 1000 and 0 <= b <= 1000 else 1)\n",
    "sizes": {"min": 1, "max": 8},
}

pytestmark = pytest.mark.usefixtures("worker")


async def _problem(live_api: str, admin: dict[str, str], **fields: Any) -> str:
    identifier = f"web{next(_ids)}"
    cases = [{"input": f"{i} {i}\n", "output": f"{2 * i}\n", "kind": "manual"} for i in range(TESTS)]
    async with httpx.AsyncClient(base_url=f"http://{live_api}", headers=admin, timeout=60) as client:
        created = await client.post(
            "/api/problems",
            json={
                "platform": "custom",
                "problem_identifier": identifier,
                "title": f"A plus A {identifier}",
                "tags": ["math"],
                "status": "completed",
            }
            | fields,
        )
        assert created.status_code == 201, created.text
        added = await client.post(f"/api/problems/custom/{identifier}/test-cases", json={"test_cases": cases})
        assert added.status_code == 201, added.text
        if "reference_solution" in fields:
            stress = await client.put(f"/api/problems/custom/{identifier}/stress", json=STRESS_SETUP)
            assert stress.status_code == 200, stress.text
    return identifier


async def _sign_in(page: Any, email: str) -> None:
    await page.goto("/")
    await page.get_by_role("link", name="Sign in").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("button", name="Sign out").wait_for()


async def _submit(page: Any, identifier: str, code: str) -> None:
    await page.get_by_role("link", name=f"custom {identifier}").click()
    await page.get_by_label("Language").select_option("python")
    await page.get_by_label("Your solution").fill(code)
    await page.get_by_role("button", name="Submit", exact=True).click()
    await page.wait_for_url("**/#/s/*")


async def _unlabelled_controls(page: Any) -> list[str]:
    return await page.evaluate(
        """() => [...document.querySelectorAll('main input, main select, main textarea')]
            .filter((c) => c.type !== 'hidden' && !c.labels?.length && !c.getAttribute('aria-label'))
            .map((c) => c.outerHTML.slice(0, 80))"""
    )


class RoutedSocket:
    """The page's task WebSocket, routed: forwards the server's events to the page, except
    those ``hold`` says to keep back (released by ``release``), and can cut the connection
    after ``cut_after`` forwarded events, as a flaky network would."""

    def __init__(self, *, hold=lambda event: False, cut_after: int | None = None) -> None:
        self.hold = hold
        self.cut_after = cut_after
        self.held: list[str | bytes] = []
        self.urls: list[str] = []
        self.forwarded: list[list[dict]] = []  # per connection
        self._page_side: Any = None
        self._deferred_close: tuple[int | None, str | None] | None = None
        self._tasks: list[asyncio.Future] = []

    def __call__(self, ws: Any) -> None:
        self.urls.append(ws.url)
        server = ws.connect_to_server()
        sent: list[dict] = []
        self.forwarded.append(sent)
        self._page_side = ws
        cut = self.cut_after if len(self.urls) == 1 else None

        def from_server(message: str | bytes) -> None:
            event = json.loads(message)
            if cut is not None and len(sent) >= cut:
                return
            if self.hold(event):
                self.held.append(message)
                return
            ws.send(message)
            sent.append(event)
            if cut is not None and len(sent) == cut:
                self._later(ws.close(code=4000, reason="cut by the test"))
                self._later(server.close())

        def server_closed(code: int | None, reason: str | None) -> None:
            if self.held:  # the page must not learn of the close before the held events
                self._deferred_close = (code, reason)
            else:
                self._later(ws.close(code=code, reason=reason))

        server.on_message(from_server)
        server.on_close(server_closed)

    def _later(self, closing: Any) -> None:
        """Route callbacks are synchronous; closing is a coroutine: run it soon, keep it."""
        self._tasks.append(asyncio.ensure_future(closing))

    async def release(self) -> None:
        self.hold = lambda event: False
        for message in self.held:
            self._page_side.send(message)
        self.held.clear()
        if self._deferred_close is not None:
            code, reason = self._deferred_close
            await self._page_side.close(code=code, reason=reason)


async def test_a_new_user_signs_in_submits_and_watches_the_tests_arrive(page, live_api, admin):
    identifier = await _problem(live_api, admin)
    socket = RoutedSocket(hold=lambda event: event["type"] == "done")
    await page.route_web_socket("**/ws/executions/*", socket)

    await _sign_in(page, "newcomer@example.com")
    await page.get_by_role("link", name=f"custom {identifier}").click()
    await page.get_by_label("Your solution").wait_for()
    assert await _unlabelled_controls(page) == []
    await page.get_by_role("navigation").get_by_role("link", name="Problems").click()
    await _submit(page, identifier, WRONG_SOLUTION)

    # Every test's verdict is on the page while `done` has not reached it: the grid fills
    # from the `test` events as they arrive.
    await expect(page.locator(".tests [data-verdict]")).to_have_count(TESTS, timeout=120_000)
    for _ in range(600):
        if socket.held:
            break
        await asyncio.sleep(0.05)
    assert [json.loads(m)["type"] for m in socket.held] == ["done"]
    assert await page.locator(".summary .verdict").count() == 0
    verdicts = await page.locator(".tests [data-verdict]").evaluate_all(
        "cells => cells.map(c => c.dataset.verdict)"
    )
    assert verdicts == ["WA" if i == WRONG_AT else "AC" for i in range(TESTS)]

    await socket.release()
    await page.locator(".summary .verdict", has_text="WA").wait_for()
    assert f"{TESTS - 1} / {TESTS} passed" in await page.locator(".summary").inner_text()
    # The failed test, expected and actual side by side, the differing token marked.
    failed = page.locator("details", has_text=f"Test {WRONG_AT + 1}:")
    await failed.wait_for()
    assert await failed.locator("pre.expected mark").inner_text() == str(2 * WRONG_AT)
    assert await failed.locator("pre.actual mark").inner_text() == "0"

    # A finished submission opened later renders from its stored detail, no WebSocket.
    connections = len(socket.urls)
    await page.reload()
    await page.locator(".summary .verdict", has_text="WA").wait_for()
    assert await page.locator(".tests [data-verdict]").count() == TESTS
    assert len(socket.urls) == connections


async def test_a_dropped_websocket_resumes_without_gaps_or_repeats(page, live_api, admin):
    identifier = await _problem(live_api, admin)
    cut_after = 6  # queued, compiling, compiled and three tests
    socket = RoutedSocket(cut_after=cut_after)
    await page.route_web_socket("**/ws/executions/*", socket)
    await _sign_in(page, "resumer@example.com")
    await _submit(page, identifier, WRONG_SOLUTION)

    await page.locator(".summary .verdict", has_text="WA").wait_for()
    assert len(socket.urls) >= 2
    first, rest = socket.forwarded[0], [e for c in socket.forwarded[1:] for e in c]
    assert len(first) == cut_after
    assert f"last_event_id={first[-1]['id']}" in socket.urls[1]
    ids = [e["id"] for e in first + rest]
    assert len(ids) == len(set(ids)), "an event reached the page twice"
    tests = sorted(e["index"] for e in first + rest if e["type"] == "test")
    assert tests == list(range(TESTS)), "a test event is missing"
    verdicts = await page.locator(".tests [data-verdict]").evaluate_all(
        "cells => cells.map(c => c.dataset.verdict)"
    )
    assert verdicts == ["WA" if i == WRONG_AT else "AC" for i in range(TESTS)]
    updates = await page.locator(".tests [data-verdict]").evaluate_all(
        "cells => cells.map(c => c.dataset.updates)"
    )
    assert set(updates) == {"1"}, "a test cell was drawn twice"


async def test_an_admin_creates_a_problem_and_uploads_test_cases(page, live_api, admin):
    identifier = f"webadmin{next(_ids)}"
    await _sign_in(page, ADMIN_EMAIL)
    await page.get_by_role("link", name="Admin").click()
    await page.get_by_label("Platform").select_option("custom")
    await page.get_by_label("Identifier").fill(identifier)
    await page.get_by_label("Title").fill("두 수의 합")
    await page.get_by_label("Tags").fill("math, implementation")
    await page.get_by_label("Status").select_option("completed")
    assert await _unlabelled_controls(page) == []
    await page.get_by_role("button", name="Create").click()
    await page.wait_for_url(f"**/#/admin/problem/custom/{identifier}")

    files = []
    for i in range(1, 13):
        files.append({"name": f"{i:02}.in", "mimeType": "text/plain", "buffer": f"{i} {i}\n".encode()})
        files.append({"name": f"{i:02}.out", "mimeType": "text/plain", "buffer": f"{2 * i}\n".encode()})
    files.append({"name": "13.in", "mimeType": "text/plain", "buffer": b"13 13\n"})  # no answer: skipped
    await page.get_by_label("Files").set_input_files(files)
    await page.get_by_role("button", name="Upload").click()
    await page.get_by_text("Done: 12 added, 0 already there, 1 files without a pair skipped.").wait_for()

    async with httpx.AsyncClient(base_url=f"http://{live_api}", headers=admin) as client:
        problem = (await client.get(f"/api/problems/custom/{identifier}")).json()
        listed = (
            await client.get(f"/api/problems/custom/{identifier}/test-cases", params={"limit": 50})
        ).json()
    assert problem["title"] == "두 수의 합"
    assert problem["tags"] == ["math", "implementation"]
    assert problem["test_case_count"] == 12
    assert sorted(c["input_preview"] for c in listed["items"]) == sorted(f"{i} {i}\n" for i in range(1, 13))


async def test_a_wrong_submission_shows_its_counterexample_with_the_difference_marked(page, live_api, admin):
    identifier = await _problem(live_api, admin, reference_solution={"language": "python", "code": REFERENCE})
    await _sign_in(page, "stressed@example.com")
    await _submit(page, identifier, WRONG_ON_EQUAL)

    panel = page.locator("section.counterexample")
    await panel.get_by_role("heading", name="Smallest failing input found").wait_for(timeout=120_000)
    a, b = map(int, (await panel.locator("pre.input").inner_text()).split())
    assert a == b, "the bug shows only on equal numbers"
    assert await panel.locator("pre.expected mark").inner_text() == str(a + b)
    assert await panel.locator("pre.actual mark").inner_text() == str(a + b + 1)
    assert "First difference on line 1, token 1" in await panel.locator(".difference").inner_text()

    await page.reload()  # from the stored detail now
    await page.get_by_role("heading", name="Smallest failing input found").wait_for()
    assert (await page.locator("section.counterexample pre.input").inner_text()).split() == [str(a), str(b)]
