"""``algoitny run``: the whole service on one machine, data kept under ``--data-dir``.

Starts DynamoDB Local (on disk) and redis-server (append-only file), applies
migrations, then starts the API, one worker and the stream indexer as child processes, and keeps
them running: a child that dies (a worker killed for memory, Redis crashing)
is logged with why and the end of its log, and started again after a backoff
(1 s, doubling to 30 s; reset once it has stayed up a minute). The others go
on: the API and the worker reconnect to a restarted Redis by themselves. A
child that keeps dying right after its start (``MAX_QUICK_CRASHES`` times in a
row) stops the stack. Ctrl-C / SIGTERM stops everything in reverse order: API
and worker first (they finish their requests and jobs), then Redis (flushes
its AOF), then DynamoDB Local. Every child also gets a parent-death signal, so
none outlives a killed supervisor.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from algoitny.localstack import ChildProcess, LocalServiceError, start_dynamodb, start_redis, wait_listening
from algoitny.migrate import migrate
from algoitny.resources import open_dynamodb
from algoitny.settings import TableSettings

DEV_ADMIN_EMAIL = "admin@algoitny.dev"
DYNAMODB_PORT_OFFSET = 1
REDIS_PORT_OFFSET = 2
WORKER_METRICS_PORT_OFFSET = 3
RESTART_FIRST_S = 1.0
RESTART_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a child up this long counts as healthy again: its backoff starts over
MAX_QUICK_CRASHES = 5


def _persistent_secret(path: Path) -> str:
    """A secret generated once and kept in the data dir, so it survives restarts."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def metrics_urls(host: str, port: int) -> tuple[str, str]:
    """Where Prometheus scrapes the stack: the API's /metrics and the worker's own port."""
    return f"http://{host}:{port}/metrics", f"http://127.0.0.1:{port + WORKER_METRICS_PORT_OFFSET}/metrics"


def _say(message: str) -> None:
    print(f"[algoitny] {message}", flush=True)


@dataclass
class Supervised:
    """One child of the stack, with how to start it again."""

    name: str
    start: Callable[[], Awaitable[ChildProcess]]
    child: ChildProcess
    started_at: float = field(default_factory=lambda: asyncio.get_running_loop().time())
    quick_crashes: int = 0

    async def restart(self) -> None:
        self.started_at = asyncio.get_running_loop().time()
        try:
            self.child = await self.start()
        except LocalServiceError as exc:  # counted as a crash on the next round (it is not running)
            _say(f"{self.name} did not start again: {exc}")


def _exit_reason(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


async def _supervise(services: list[Supervised], stop: asyncio.Event) -> int:
    """Restarts children that die, until ``stop`` is set (0) or one keeps crashing (1)."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            waits = {asyncio.ensure_future(s.child.process.wait()): s for s in services}
            done, pending = await asyncio.wait([*waits, stopping], return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                if task is not stopping:
                    task.cancel()
            if stopping in done:
                return 0
            for task in done:
                service = waits[task]
                uptime = loop.time() - service.started_at
                service.quick_crashes = 0 if uptime >= STABLE_AFTER_S else service.quick_crashes + 1
                if service.quick_crashes >= MAX_QUICK_CRASHES:
                    _say(
                        f"{service.name} died {service.quick_crashes} times in a row right after starting "
                        f"({_exit_reason(service.child.process.returncode)}); stopping.\n"
                        f"{service.child.log_tail()}"
                    )
                    return 1
                delay = min(RESTART_FIRST_S * 2 ** max(service.quick_crashes - 1, 0), RESTART_MAX_S)
                _say(
                    f"{service.name} died ({_exit_reason(service.child.process.returncode)}) after "
                    f"{uptime:.0f} s; restarting it in {delay:.0f} s. Its last log lines:\n"
                    f"{service.child.log_tail()}"
                )
                try:
                    await asyncio.wait_for(asyncio.shield(stopping), delay)
                    return 0
                except TimeoutError:
                    pass
                await service.restart()
                if service.child.running:
                    _say(f"{service.name} restarted (pid {service.child.process.pid})")
    finally:
        stopping.cancel()


def _make_dirs(logs: Path) -> None:
    logs.mkdir(parents=True, exist_ok=True)


async def run_local(*, host: str, port: int, data_dir: Path) -> int:
    logs = data_dir / "logs"
    _make_dirs(logs)  # instant, once, before anything runs
    dynamodb_port, redis_port = port + DYNAMODB_PORT_OFFSET, port + REDIS_PORT_OFFSET
    admin_token = _persistent_secret(data_dir / "admin-token")
    env = {
        **os.environ,
        "ALGOITNY_TABLE__ENDPOINT_URL": f"http://127.0.0.1:{dynamodb_port}",
        "ALGOITNY_REDIS__URL": f"redis://127.0.0.1:{redis_port}/0",
        "ALGOITNY_ADMIN_TOKEN": admin_token,
        "ALGOITNY_CURSOR_SECRET": _persistent_secret(data_dir / "cursor-secret"),
        "ALGOITNY_SEARCH__PATH": str(data_dir / "search.sqlite3"),
        # Local development: sign in with any email at /api/auth/dev/; admin@algoitny.dev is an admin.
        "ALGOITNY_AUTH__DEV_LOGIN": "true",
        "ALGOITNY_AUTH__ADMIN_EMAILS": json.dumps([DEV_ADMIN_EMAIL]),
        "ALGOITNY_AUTH__SIGNING_KEYS": json.dumps({"local": _persistent_secret(data_dir / "signing-key")}),
        "ALGOITNY_AUTH__ACTIVE_KEY": "local",
        "ALGOITNY_METRICS__WORKER_PORT": str(port + WORKER_METRICS_PORT_OFFSET),
    }
    if sys.stdout.isatty():  # children log to files: readable text for a person at a terminal
        env.setdefault("ALGOITNY_LOG__FORMAT", "console")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    services: list[Supervised] = []

    async def supervised(name: str, start: Callable[[], Awaitable[ChildProcess]]) -> None:
        services.append(Supervised(name, start, await start()))

    def dynamodb() -> Awaitable[ChildProcess]:
        return start_dynamodb(dynamodb_port, data_dir=data_dir / "dynamodb", log_path=logs / "dynamodb.log")

    def redis() -> Awaitable[ChildProcess]:
        return start_redis(redis_port, data_dir=data_dir / "redis", log_path=logs / "redis.log")

    python = sys.executable

    def worker() -> Awaitable[ChildProcess]:
        argv = [python, "-m", "algoitny.cli", "worker"]
        return ChildProcess.start("worker", argv, log_path=logs / "worker.log", env=env)

    def indexer() -> Awaitable[ChildProcess]:
        argv = [python, "-m", "algoitny.cli", "indexer"]
        return ChildProcess.start("indexer", argv, log_path=logs / "indexer.log", env=env)

    async def api() -> ChildProcess:
        argv = [python, "-m", "algoitny.cli", "api", "--host", host, "--port", str(port)]
        child = await ChildProcess.start("api", argv, log_path=logs / "api.log", env=env)
        await wait_listening(child, port, host=host)
        return child

    try:
        _say(f"starting DynamoDB Local on :{dynamodb_port} (data in {data_dir / 'dynamodb'})")
        await supervised("DynamoDB Local", dynamodb)
        _say(f"starting redis-server on :{redis_port} (data in {data_dir / 'redis'})")
        await supervised("redis-server", redis)
        table = TableSettings(endpoint_url=env["ALGOITNY_TABLE__ENDPOINT_URL"])
        async with open_dynamodb(table) as client:
            for step in await migrate(client, table.name):
                _say(f"migration {step.number:04d} applied: {step.name}")
        await supervised("worker", worker)
        await supervised("indexer", indexer)
        await supervised("api", api)
        api_metrics, worker_metrics = metrics_urls(host, port)
        _say(f"metrics: API {api_metrics}, worker {worker_metrics}")
        _say(f"up: web app at http://{host}:{port}/ · API docs at http://{host}:{port}/docs")
        _say(
            f"sign in: POST /api/auth/dev/ with any email ({DEV_ADMIN_EMAIL} is an admin), then "
            "Authorize in /docs with the access_token"
        )
        _say(f"operator token (admin rights, for scripts): {admin_token}")
        _say(
            f"logs in {logs}; a child that dies is restarted; Ctrl-C stops everything. Another worker "
            "joins with the environment in README (Running a second worker)"
        )
        return await _supervise(services, stop)
    except LocalServiceError as exc:
        _say(f"cannot start: {exc}")
        return 1
    finally:
        for service in reversed(services):
            code = await service.child.stop()
            _say(f"stopped {service.name} ({code})")
