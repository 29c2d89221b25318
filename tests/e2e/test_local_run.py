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


def _alive(pids: list[int]) -> list[int]:
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


async def test_run_keeps_data_across_restarts_and_leaves_no_orphans(tmp_path):
    port = _free_port_block()
    base = f"http://127.0.0.1:{port}"
    process = await _start(tmp_path, port)
    children = _children_of(process.pid)
    assert len(children) == 5, "DynamoDB Local, redis-server, worker, indexer, API"
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
            "status": "completed",  # drafts are for admins only; the reads below are anonymous
        }
        assert (await client.post("/api/problems", json=body, headers=admin)).status_code == 201
        cases = [{"input": f"{i}\n", "output": f"{i * i}\n"} for i in range(1000)]
        # The API's table client fails fast (503) when DynamoDB Local is slow, as on a loaded
        # machine; a client retries, and the retry adds nothing twice (content-addressed ids).
        for _ in range(5):
            added = await client.post(
                "/api/problems/custom/persist/test-cases", json={"test_cases": cases}, headers=admin
            )
            if added.status_code != 503:
                break
        assert added.status_code == 201, added.text
        assert len(added.json()["added"]) + len(added.json()["existing"]) == 1000
    output = await _stop(process)
    assert process.returncode == 0, output
    assert "stopped DynamoDB Local" in output and "stopped redis-server" in output
    assert not _alive(children), "a child outlived `algoitny run`"

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


def _child_with(parent: int, word: str) -> int | None:
    """The child of ``parent`` whose command line contains ``word``."""
    for pid in _children_of(parent):
        try:
            if word in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode():
                return pid
        except OSError:
            continue
    return None


async def _replaced(parent: int, word: str, old: int) -> int:
    """Until the supervisor has started a new ``word`` child in place of ``old``."""
    for _ in range(1200):  # a bound (~120 s), not a timing assertion
        pid = _child_with(parent, word)
        if pid not in (None, old):
            return pid
        await asyncio.sleep(0.1)
    raise AssertionError(f"{word} was not restarted")


async def test_run_restarts_a_killed_worker_and_redis_and_still_judges(tmp_path):
    port = _free_port_block()
    process = await _start(tmp_path, port)
    try:
        worker = _child_with(process.pid, "algoitny.cli worker")
        assert worker is not None
        os.kill(worker, signal.SIGKILL)  # as the OOM killer would
        await _replaced(process.pid, "algoitny.cli worker", worker)
        redis = _child_with(process.pid, "redis-server")
        assert redis is not None
        os.kill(redis, signal.SIGKILL)
        await _replaced(process.pid, "redis-server", redis)

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for _ in range(1200):  # until Redis answers again and a worker has announced itself
                ready = await client.get("/health/ready")
                if ready.status_code == 200 and ready.json()["workers_alive"]:
                    break
                await asyncio.sleep(0.1)
            assert ready.status_code == 200 and ready.json()["workers_alive"], ready.text
            signed_in = await client.post("/api/auth/dev/", json={"email": DEV_ADMIN_EMAIL})
            admin = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            body = {"platform": "custom", "problem_identifier": "ab", "title": "A+B"}
            assert (await client.post("/api/problems", json=body, headers=admin)).status_code == 201
            cases = [{"input": f"{i} 2\n", "output": f"{i + 2}\n"} for i in range(3)]
            added = await client.post(
                "/api/problems/custom/ab/test-cases", json={"test_cases": cases}, headers=admin
            )
            assert added.status_code == 201, added.text
            code = "a, b = map(int, input().split())\nprint(a + b)\n"
            accepted = await client.post(
                "/api/execute/",
                json={"platform": "custom", "problem_identifier": "ab", "code": code, "language": "python"},
                headers=admin,
            )
            assert accepted.status_code == 202, accepted.text
            for _ in range(1200):
                detail = (
                    await client.get(f"/api/submissions/{accepted.json()['task_id']}", headers=admin)
                ).json()
                if detail["status"] == "done":
                    break
                await asyncio.sleep(0.1)
            assert detail["status"] == "done" and detail["summary"]["verdict"] == "AC", detail

            async def stats() -> tuple[int, int]:
                mine = (await client.get("/api/account/stats", headers=admin)).json()
                problem = (await client.get("/api/problems/custom/ab/stats", headers=admin)).json()
                return mine["submissions"], problem["submissions"]

            for _ in range(1200):  # the stream indexer counts it, off the request path
                if await stats() == (1, 1):
                    break
                await asyncio.sleep(0.1)
            assert await stats() == (1, 1)
            indexer = _child_with(process.pid, "algoitny.cli indexer")
            assert indexer is not None
            os.kill(indexer, signal.SIGKILL)
            await _replaced(process.pid, "algoitny.cli indexer", indexer)
            for _ in range(1200):  # the new indexer takes the dead one's lease over and reads on
                ready = (await client.get("/health/ready")).json()
                if ready["checks"]["indexer"].startswith("ok"):
                    break
                await asyncio.sleep(0.1)
            assert ready["checks"]["indexer"].startswith("ok"), ready
            assert await stats() == (1, 1), "nothing counted twice after the indexer's restart"
    finally:
        output = await _stop(process)
    assert "worker died (killed by SIGKILL)" in output, output
    assert "redis-server died (killed by SIGKILL)" in output, output
    assert process.returncode == 0, output
