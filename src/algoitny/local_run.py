"""``algoitny run``: the whole service on one machine, data kept under ``--data-dir``.

Starts DynamoDB Local (on disk) and redis-server (append-only file), applies
migrations, then starts the API and one worker as child processes. Stops on
Ctrl-C / SIGTERM, or when any child dies, in reverse order: API and worker
first (they finish their requests and jobs), then Redis (flushes its AOF),
then DynamoDB Local. Every child also gets a parent-death signal, so none
outlives a killed supervisor.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import sys
from pathlib import Path

from algoitny.localstack import ChildProcess, LocalServiceError, start_dynamodb, start_redis, wait_listening
from algoitny.migrate import migrate
from algoitny.resources import open_dynamodb
from algoitny.settings import TableSettings

DEV_ADMIN_EMAIL = "admin@algoitny.dev"
DYNAMODB_PORT_OFFSET = 1
REDIS_PORT_OFFSET = 2


def _persistent_secret(path: Path) -> str:
    """A secret generated once and kept in the data dir, so it survives restarts."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _say(message: str) -> None:
    print(f"[algoitny] {message}", flush=True)


async def run_local(*, host: str, port: int, data_dir: Path) -> int:
    data_dir.mkdir(parents=True, exist_ok=True)
    logs = data_dir / "logs"
    logs.mkdir(exist_ok=True)
    dynamodb_port, redis_port = port + DYNAMODB_PORT_OFFSET, port + REDIS_PORT_OFFSET
    admin_token = _persistent_secret(data_dir / "admin-token")
    env = {
        **os.environ,
        "ALGOITNY_TABLE__ENDPOINT_URL": f"http://127.0.0.1:{dynamodb_port}",
        "ALGOITNY_REDIS__URL": f"redis://127.0.0.1:{redis_port}/0",
        "ALGOITNY_ADMIN_TOKEN": admin_token,
        "ALGOITNY_CURSOR_SECRET": _persistent_secret(data_dir / "cursor-secret"),
        # Local development: sign in with any email at /api/auth/dev/; admin@algoitny.dev is an admin.
        "ALGOITNY_AUTH__DEV_LOGIN": "true",
        "ALGOITNY_AUTH__ADMIN_EMAILS": json.dumps([DEV_ADMIN_EMAIL]),
        "ALGOITNY_AUTH__SIGNING_KEYS": json.dumps({"local": _persistent_secret(data_dir / "signing-key")}),
        "ALGOITNY_AUTH__ACTIVE_KEY": "local",
    }
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    children: list[ChildProcess] = []
    try:
        _say(f"starting DynamoDB Local on :{dynamodb_port} (data in {data_dir / 'dynamodb'})")
        children.append(
            await start_dynamodb(
                dynamodb_port, data_dir=data_dir / "dynamodb", log_path=logs / "dynamodb.log"
            )
        )
        _say(f"starting redis-server on :{redis_port} (data in {data_dir / 'redis'})")
        children.append(
            await start_redis(redis_port, data_dir=data_dir / "redis", log_path=logs / "redis.log")
        )
        table = TableSettings(endpoint_url=env["ALGOITNY_TABLE__ENDPOINT_URL"])
        async with open_dynamodb(table) as client:
            for step in await migrate(client, table.name):
                _say(f"migration {step.number:04d} applied: {step.name}")
        python = sys.executable
        children.append(
            await ChildProcess.start(
                "worker", [python, "-m", "algoitny.cli", "worker"], log_path=logs / "worker.log", env=env
            )
        )
        children.append(
            await ChildProcess.start(
                "api",
                [python, "-m", "algoitny.cli", "api", "--host", host, "--port", str(port)],
                log_path=logs / "api.log",
                env=env,
            )
        )
        await wait_listening(children[-1], port, host=host)
        _say(f"up: API docs at http://{host}:{port}/docs")
        _say(
            f"sign in: POST /api/auth/dev/ with any email ({DEV_ADMIN_EMAIL} is an admin), then "
            "Authorize in /docs with the access_token"
        )
        _say(f"operator token (admin rights, for scripts): {admin_token}")
        _say(f"logs in {logs}; Ctrl-C stops everything")
        died = asyncio.ensure_future(_first_exit(children))
        await asyncio.wait([died, asyncio.ensure_future(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
        if died.done():
            child = died.result()
            _say(f"{child.name} exited ({child.process.returncode}); stopping.\n{child.log_tail()}")
            return 1
        died.cancel()
        return 0
    except LocalServiceError as exc:
        _say(f"cannot start: {exc}")
        return 1
    finally:
        for child in reversed(children):
            code = await child.stop()
            _say(f"stopped {child.name} ({code})")


async def _first_exit(children: list[ChildProcess]) -> ChildProcess:
    waits = {asyncio.ensure_future(c.process.wait()): c for c in children}
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return waits[done.pop()]
