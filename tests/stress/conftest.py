"""Stress tests run the real sandbox (the session's ``executor_runtime``, tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
async def runtime(executor_runtime):
    yield executor_runtime
    await executor_runtime.idle()
