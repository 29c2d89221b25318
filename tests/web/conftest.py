"""The web app in a real browser: Debian's Chromium driven by Playwright, against the real
stack (uvicorn on a free port, DynamoDB Local, redis-server, a real worker and sandbox).

A failing test leaves a screenshot of the page in ``test-artifacts/web/<test>.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from algoitny.settings import Settings

ADMIN_EMAIL = "web-admin@example.com"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError(
        "Chromium is missing: the browser tests need Debian's `chromium` (scripts/setup.sh installs it)"
    )


@pytest.fixture
async def settings(settings: Settings) -> AsyncIterator[Settings]:
    """The shared test settings with development sign-in on and one admin email."""
    auth = settings.auth.model_copy(update={"dev_login": True, "admin_emails": [ADMIN_EMAIL]})
    yield settings.model_copy(update={"auth": auth})


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.web_call_failed = report.failed
    return report


@pytest.fixture
async def page(browser, live_api: str, request) -> AsyncIterator[object]:
    context = await browser.new_context(
        base_url=f"http://{live_api}", viewport={"width": 1200, "height": 900}
    )
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.page_errors = errors
    try:
        yield opened
    finally:
        if getattr(request.node, "web_call_failed", False):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / f"{request.node.name}.png"
            await opened.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failing page: {shot}")
        await context.close()
    assert not errors, f"the page raised: {errors}"
