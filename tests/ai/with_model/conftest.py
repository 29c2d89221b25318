"""Every test here runs the service with the AI model configured (the loopback server)."""

from __future__ import annotations

import pytest

from tests.ai.conftest import ai_settings


@pytest.fixture
def settings(settings, gemini):
    settings.ai = ai_settings(gemini)
    return settings
