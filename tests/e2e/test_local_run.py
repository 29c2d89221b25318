"""``algoitny run`` as a newcomer meets it: a real process tree, data on disk.

Starts the whole stack, creates a problem with 1000 test cases over HTTP,
stops it with SIGTERM (checking no child is left behind), starts it again on
the same data dir and finds everything still there.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx

from algoitny.local_run import DEV_ADMIN_EMAIL
from algoitny.localstack import port_in_use


def _free_port_block() -> int:
    """A port P with P, P+1, P+2 free (API, DynamoDB Local, Redis)."""
    for base in range(20000 + os.getpid() % 5000 * 3, 65000, 7):
        if not any(port_in_use(base + i) for i in range(3)):
            return base
    raise RuntimeError("no free port block")


async def _start(data_dir: Path, port: int) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "algoitny.cli",
        "run",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    lines = []
    while True:
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        lines.append(line.decode())
        if not line:
            raise AssertionError("algoitny run exited:\n" + "".join(lines))
        if b"API docs at" in line:
            return process


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    output = await asyncio.wait_for(process.stdout.read(), 60)
    await process.wait()
    return output.decode()


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def test_run_keeps_data_across_restarts_and_leaves_no_orphans(tmp_path):
    port = _free_port_block()
    base = f"http://127.0.0.1:{port}"
    process = await _start(tmp_path, port)
    children = _children_of(process.pid)
    assert len(children) == 4, "DynamoDB Local, redis-server, worker, API"
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        assert (await client.get("/docs")).status_code == 200
        signed_in = await client.post("/api/auth/dev/", json={"email": DEV_ADMIN_EMAIL})
        assert signed_in.status_code == 200 and signed_in.json()["user"]["role"] == "admin"
        admin = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        body = {
            "platform": "custom",
            "problem_identifier": "persist",
            "title": "Persisted",
            "legacy_id": 31337,
        }
        assert (await client.post("/api/problems", json=body, headers=admin)).status_code == 201
        cases = [{"input": f"{i}\n", "output": f"{i * i}\n"} for i in range(1000)]
        added = await client.post(
            "/api/problems/custom/persist/test-cases", json={"test_cases": cases}, headers=admin
        )
        assert added.status_code == 201 and len(added.json()["added"]) == 1000
    output = await _stop(process)
    assert process.returncode == 0, output
    assert "stopped DynamoDB Local" in output and "stopped redis-server" in output
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], "a child outlived `algoitny run`"

    process = await _start(tmp_path, port)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            problem = (await client.get("/api/problems/legacy/31337")).json()
            assert problem["title"] == "Persisted" and problem["test_case_count"] == 1000
            full = (await client.get("/api/problems/custom/persist/with-test-cases", headers=admin)).json()
            assert [t["output"] for t in full["test_cases"]] == [f"{i * i}\n" for i in range(1000)]
            assert (await client.get("/health/ready")).status_code == 200
            me = await client.get("/api/account/me", headers=admin)
            assert me.status_code == 200, "the session (signing key, token family) survives a restart"
    finally:
        await _stop(process)
