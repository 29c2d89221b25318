"""Reading metrics and running Prometheus' own tools in the observability tests."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "prometheus"


def tool(name: str) -> str:
    """A Prometheus binary (Debian's `prometheus` package, installed by scripts/setup.sh)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (apt-get install prometheus; scripts/setup.sh does)")
    return path


async def run_tool(*argv: str, stdin: bytes | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(stdin), 60)
    return process.returncode or 0, output.decode()


def sample(name: str, **labels: str) -> float:
    """A value of this process's default registry (0 when the series does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


# The API's fail-fast table client is meant for DynamoDB; on a loaded test machine DynamoDB
# Local takes seconds, so API subprocesses get the worker's patience (as tests/conftest.py does).
PATIENT_API_TABLE = {
    "ALGOITNY_TABLE__API__CONNECT_TIMEOUT_S": "3",
    "ALGOITNY_TABLE__API__READ_TIMEOUT_S": "20",
    "ALGOITNY_TABLE__API__MAX_ATTEMPTS": "10",
}
