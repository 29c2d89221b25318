"""Counterexample tests: the real worker (judging and its stress queue), the real sandbox,
dev sign-in for a plain user, and a small search budget."""

from __future__ import annotations

import pytest

from algoitny.settings import StressSettings


@pytest.fixture
async def settings(settings):
    settings.auth = settings.auth.model_copy(update={"dev_login": True})
    settings.stress = StressSettings(runs=300, cpu_seconds=60, wall_seconds=30)
    return settings
