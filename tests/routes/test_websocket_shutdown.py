"""SIGTERM to a real ``algoitny api`` while a client follows a task that never finishes: the
API stops (it used to wait for the follower forever and be SIGKILLed), the client sees a close."""

from __future__ import annotations

import asyncio
import json
import signal
import sys

import httpx
import websockets

from algoitny.localstack import free_port
from algoitny.routes.task_stream import CloseCode
from tests.judging.helpers import SOLUTION, create_problem, worker_env

HANG = 10  # seconds: an upper bound on a hang, never a timing assertion


async def _start_api(settings, port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "algoitny.cli",
        "api",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        env=worker_env(settings, ALGOITNY_ADMIN_TOKEN=settings.admin_token.get_secret_value()),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        for _ in range(600):
            if process.returncode is not None:
                raise AssertionError("algoitny api exited:\n" + (await process.stderr.read()).decode())
            try:
                if (await client.get("/health/live")).status_code < 500:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("algoitny api did not start listening")


async def test_sigterm_stops_the_api_while_a_client_follows_a_live_task(settings, announced_worker):
    port = free_port()
    process = await _start_api(settings, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            await create_problem(client, "forever", tests=1)
            body = {
                "platform": "custom",
                "problem_identifier": "forever",
                "code": SOLUTION,
                "language": "python",
            }
            accepted = (await client.post("/api/execute/", json=body)).json()  # no worker: never judged
        async with websockets.connect(f"ws://127.0.0.1:{port}{accepted['websocket']}") as socket:
            assert json.loads(await asyncio.wait_for(socket.recv(), HANG))["type"] == "queued"
            process.send_signal(signal.SIGTERM)
            try:
                extra = await asyncio.wait_for(socket.recv(), HANG)
            except websockets.ConnectionClosed as closed:
                assert closed.rcvd is not None and closed.rcvd.code == CloseCode.SERVER_RESTART
            else:
                raise AssertionError(f"an event instead of the close: {extra!r}")
        await asyncio.wait_for(process.wait(), HANG)
        # uvicorn shuts down gracefully, then re-raises the signal it caught (exit by SIGTERM).
        assert process.returncode in (0, -signal.SIGTERM), (await process.stderr.read()).decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
