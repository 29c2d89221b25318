"""A loopback Gemini server (``gemini``) and AI settings pointing the real SDK at it."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from algoitny.settings import AiSettings
from tests.ai.gemini import GeminiServer, start_gemini

TEST_KEY = "test-gemini-key"


@pytest.fixture
async def gemini():
    server_state, server, task = await start_gemini()
    try:
        yield server_state
    finally:
        server.should_exit = True
        await task


def ai_settings(gemini: GeminiServer, **overrides) -> AiSettings:
    fields = {
        "api_key": SecretStr(TEST_KEY),
        "base_url": gemini.url,
        "timeout_s": 5.0,
        "retries": 2,
        "backoff_s": 0.01,
        "max_attempts": 3,
        "generator_time_limit_ms": 2000,
    }
    return AiSettings(**(fields | overrides))
