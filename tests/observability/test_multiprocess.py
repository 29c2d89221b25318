"""Several API processes sharing PROMETHEUS_MULTIPROC_DIR: any one's /metrics counts them all."""

from __future__ import annotations

import asyncio
import sys

import httpx

from algoitny.localstack import ChildProcess, free_port, wait_listening
from algoitny.settings import Settings
from tests.judging.helpers import worker_env
from tests.observability.helpers import PATIENT_API_TABLE, run_tool, tool

SERIES = 'algoitny_http_requests_total{method="GET",route="/health/live",status="200"}'


async def test_metrics_of_two_api_processes_add_up(settings: Settings, tmp_path):
    env = worker_env(settings, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"), **PATIENT_API_TABLE)
    ports = [free_port(), free_port()]
    apis = [
        await ChildProcess.start(
            f"api {port}",
            [sys.executable, "-m", "algoitny.cli", "api", "--port", str(port)],
            log_path=tmp_path / f"api-{port}.log",
            env=env,
        )
        for port in ports
    ]
    try:
        await asyncio.gather(
            *(wait_listening(api, port, timeout_s=120) for api, port in zip(apis, ports, strict=True))
        )
        async with httpx.AsyncClient(timeout=30) as client:
            for port, count in zip(ports, (3, 2), strict=True):
                for _ in range(count):
                    assert (await client.get(f"http://127.0.0.1:{port}/health/live")).status_code == 200
            scrapes = [await client.get(f"http://127.0.0.1:{port}/metrics") for port in ports]
    finally:
        for api in apis:
            await api.stop()
    for scrape in scrapes:  # either process answers for both
        line = next(line for line in scrape.text.splitlines() if line.startswith(SERIES))
        assert float(line.rsplit(" ", 1)[1]) == 5.0, line
    code, output = await run_tool(tool("promtool"), "check", "metrics", stdin=scrapes[0].content)
    assert code == 0, output
