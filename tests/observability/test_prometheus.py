"""A real Prometheus scrapes a real API and worker, sees a judged submission, and alerts when the
worker stops. The same run checks the processes' JSON logs: the request id ties the API's line
to every line of the job, and no source code, token or test data is in either log.

The API and the worker are `algoitny api` / `algoitny worker` subprocesses on the session's
DynamoDB Local and Redis (tests/conftest.py), logging to files (JSON: not a terminal). Prometheus
scrapes every second with the shipped rules, `for:` of the no-live-worker alert cut to 1 s.
Every wait polls with a deadline; none is an assertion about time.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from algoitny.localstack import ChildProcess, free_port, wait_listening
from algoitny.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.judging.helpers import worker_env
from tests.observability.helpers import DEPLOY, PATIENT_API_TABLE, run_tool, tool

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DEADLINE_S = 120.0


async def until(check: Callable[[], Awaitable[Any]], what: str, deadline_s: float = DEADLINE_S) -> Any:
    """Polls ``check`` until it returns something truthy; fails after the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline_s
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > end:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.2)


def _prometheus_files(directory: Path, api_port: int, worker_port: int) -> Path:
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"}
    targets = {"algoitny-api": api_port, "algoitny-worker": worker_port}
    for job in config["scrape_configs"]:
        job["static_configs"] = [{"targets": [f"127.0.0.1:{targets[job['job_name']]}"]}]
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule["alert"] == "AlgoItnyNoLiveWorker":
                rule["for"] = "1s"
    (directory / "alerts.yml").write_text(yaml.safe_dump(rules))
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


async def _query(prometheus: httpx.AsyncClient, expr: str) -> float | None:
    answer = (await prometheus.get("/api/v1/query", params={"query": expr})).json()
    result = answer["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def _json_lines(path: Path) -> list[dict]:
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@pytest.fixture
async def stack(settings: Settings, tmp_path: Path):
    api_port, worker_metrics_port, prometheus_port = free_port(), free_port(), free_port()
    env = worker_env(
        settings,
        ALGOITNY_ADMIN_TOKEN=ADMIN_TOKEN,
        ALGOITNY_AUTH__DEV_LOGIN="true",
        ALGOITNY_CURSOR_SECRET="observability-test",
        ALGOITNY_METRICS__WORKER_PORT=str(worker_metrics_port),
        ALGOITNY_METRICS__QUEUE_POLL_S="0.5",
        ALGOITNY_LOG__FORMAT="auto",
        **PATIENT_API_TABLE,
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    python = [sys.executable, "-m", "algoitny.cli"]
    api = await ChildProcess.start(
        "api", [*python, "api", "--port", str(api_port)], log_path=tmp_path / "api.log", env=env
    )
    worker = await ChildProcess.start(
        "worker", [*python, "worker"], log_path=tmp_path / "worker.log", env=env
    )
    prometheus = None
    try:
        await wait_listening(api, api_port, timeout_s=DEADLINE_S)
        await wait_listening(worker, worker_metrics_port, timeout_s=DEADLINE_S)
        config = _prometheus_files(tmp_path, api_port, worker_metrics_port)
        prometheus = await ChildProcess.start(
            "prometheus",
            [
                tool("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
                "--log.level=warn",
            ],
            log_path=tmp_path / "prometheus.log",
        )
        await wait_listening(prometheus, prometheus_port, timeout_s=DEADLINE_S)
        yield {
            "api": f"http://127.0.0.1:{api_port}",
            "worker_metrics": f"http://127.0.0.1:{worker_metrics_port}/metrics",
            "prometheus": f"http://127.0.0.1:{prometheus_port}",
            "worker": worker,
            "logs": tmp_path,
        }
    finally:
        for child in (prometheus, worker, api):
            if child is not None:
                await child.stop()


async def test_prometheus_sees_the_judged_submission_and_alerts_when_the_worker_stops(stack):
    marker = uuid.uuid4().hex
    code = f"# {marker}-code\na, b = map(int, input().split())\nprint(a + b)\n"
    unique = int(marker[:12], 16)  # a test input no log line could hold by chance
    request_id = f"obs-{marker[:12]}"
    async with httpx.AsyncClient(base_url=stack["api"], timeout=60) as api:
        await until(lambda: _workers_alive(api), "the worker to announce itself")
        signed_in = await api.post("/api/auth/dev/", json={"email": f"{marker[:10]}@example.com"})
        assert signed_in.status_code == 200, signed_in.text
        tokens = signed_in.json()
        user = {"Authorization": f"Bearer {tokens['access_token']}"}
        body = {"platform": "custom", "problem_identifier": "obs", "title": "A+B", "status": "completed"}
        assert (await api.post("/api/problems", json=body, headers=ADMIN)).status_code == 201
        cases = [{"input": "1 2\n", "output": "3\n"}, {"input": "40 2\n", "output": "42\n"}]
        cases.append({"input": f"{unique} 2\n", "output": f"{unique + 2}\n"})
        added = await api.post(
            "/api/problems/custom/obs/test-cases", json={"test_cases": cases}, headers=ADMIN
        )
        assert added.status_code == 201, added.text
        accepted = await api.post(
            "/api/execute/",
            json={"platform": "custom", "problem_identifier": "obs", "code": code, "language": "python"},
            headers={**user, "X-Request-ID": request_id},
        )
        assert accepted.status_code == 202, accepted.text
        assert accepted.headers["x-request-id"] == request_id
        task_id = accepted.json()["task_id"]

        async def judged() -> dict | None:
            detail = (await api.get(f"/api/submissions/{task_id}", headers=user)).json()
            return detail if detail["status"] == "done" else None

        detail = await until(judged, "the submission to be judged")
        assert detail["summary"]["verdict"] == "AC", detail
        worker_scrape = (await api.get(stack["worker_metrics"])).content

    code_ok, output = await run_tool(tool("promtool"), "check", "metrics", stdin=worker_scrape)
    assert code_ok == 0, output

    async with httpx.AsyncClient(base_url=stack["prometheus"], timeout=30) as prometheus:
        requests = 'sum(algoitny_http_requests_total{route="/api/execute/",method="POST",status="202"})'
        assert await until(lambda: _query(prometheus, requests), "the request series") == 1
        verdicts = 'sum(algoitny_tests_total{language="python",verdict="AC"})'
        assert await until(lambda: _at_least(prometheus, verdicts, 3), "the verdict series") >= 3
        jobs = 'sum(algoitny_jobs_total{kind="judge_submission",outcome="ok"})'
        assert await until(lambda: _query(prometheus, jobs), "the job series") == 1
        for job in ("algoitny-api", "algoitny-worker"):  # both processes' table clients are hooked
            table_calls = f'sum(algoitny_dynamodb_calls_total{{job="{job}",outcome="ok"}})'
            assert await until(lambda expr=table_calls: _query(prometheus, expr), f"{job}'s table calls")

        await stack["worker"].stop()

        async def firing() -> bool:
            alerts = (await prometheus.get("/api/v1/alerts")).json()["data"]["alerts"]
            return any(
                a["labels"]["alertname"] == "AlgoItnyNoLiveWorker" and a["state"] == "firing" for a in alerts
            )

        assert await until(firing, "the no-live-worker alert to fire")

    _check_logs(
        stack["logs"],
        request_id=request_id,
        task_id=task_id,
        secrets=[
            f"{marker}-code",
            tokens["access_token"],
            tokens["refresh_token"],
            f"{unique} 2",
            str(unique + 2),
            ADMIN_TOKEN,
        ],
    )


async def _workers_alive(api: httpx.AsyncClient) -> bool:
    ready = await api.get("/health/ready")
    return ready.status_code == 200 and ready.json()["workers_alive"] > 0


async def _at_least(prometheus: httpx.AsyncClient, expr: str, minimum: float) -> float | None:
    value = await _query(prometheus, expr)
    return value if value is not None and value >= minimum else None


def _check_logs(directory: Path, *, request_id: str, task_id: str, secrets: list[str]) -> None:
    api_lines, worker_lines = _json_lines(directory / "api.log"), _json_lines(directory / "worker.log")
    assert any(
        line.get("event") == "request" and line.get("request_id") == request_id and line.get("status") == 202
        for line in api_lines
    ), "the API logs the request with its id"
    job_lines = [line for line in worker_lines if line.get("task_id") == task_id]
    assert job_lines and all(line.get("request_id") == request_id for line in job_lines)
    judged = [line for line in job_lines if line.get("event") == "judged"]
    assert judged and judged[0]["verdict"] == "AC" and judged[0]["language"] == "python"
    assert judged[0]["user_id"] and judged[0]["job"] == "judge_submission"
    everything = (directory / "api.log").read_text() + (directory / "worker.log").read_text()
    for secret in secrets:
        assert secret not in everything, f"a log line contains {secret[:12]}…"
    assert os.path.getsize(directory / "worker.log") > 0
