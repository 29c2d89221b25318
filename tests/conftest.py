"""Real backing services for the whole test session, and per-test isolation.

The session starts DynamoDB Local (in memory) and redis-server on free ports
and stops them at the end. Every test that touches the table gets a table of
its own (created by the real migrations) and a Redis queue name of its own,
so tests cannot see each other's data. A missing tool fails the session
loudly; nothing here skips.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from pydantic import SecretStr

from algoitny.app import create_app
from algoitny.localstack import free_port, start_dynamodb, start_redis
from algoitny.migrate import migrate
from algoitny.resources import open_dynamodb
from algoitny.settings import (
    RedisSettings,
    SearchSettings,
    Settings,
    TableSettings,
    WorkerTableClientSettings,
)
from algoitny.table import CursorCodec, ProblemRepository, Table, TestCaseRepository

ADMIN_TOKEN = "test-admin-token"


@dataclass
class Services:
    dynamodb_url: str
    redis_url: str


@pytest.fixture(autouse=True)
def process_state_left_as_found(monkeypatch):
    """What a test that runs the CLI in-process changes for the whole process is put back:
    ``algoitny api`` sets PROMETHEUS_MULTIPROC_DIR (later apps would then serve another
    registry), and ``main`` points the root logger at this test's captured stderr (closed
    once the test ends)."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
async def services() -> AsyncIterator[Services]:
    dynamodb_port, redis_port = free_port(), free_port()
    dynamodb = await start_dynamodb(dynamodb_port, data_dir=None)
    redis = await start_redis(redis_port, data_dir=None)
    try:
        yield Services(f"http://127.0.0.1:{dynamodb_port}", f"redis://127.0.0.1:{redis_port}/0")
    finally:
        await redis.stop()
        await dynamodb.stop()


@pytest.fixture(scope="session")
async def dynamodb(services: Services):
    async with open_dynamodb(TableSettings(endpoint_url=services.dynamodb_url)) as client:
        yield client


@pytest.fixture
async def settings(services: Services, dynamodb, tmp_path) -> AsyncIterator[Settings]:
    """Settings for one test: its own migrated table, queue and search index file."""
    name = f"t-{uuid.uuid4().hex[:12]}"
    await migrate(dynamodb, name)
    yield Settings(
        # The API's fail-fast table client is meant for DynamoDB; DynamoDB Local on a shared
        # test machine takes seconds under the 200-way races, so tests give the API the
        # worker's patient client. tests/routes/test_table_outage.py checks the defaults.
        table=TableSettings(name=name, endpoint_url=services.dynamodb_url, api=WorkerTableClientSettings()),
        redis=RedisSettings(url=services.redis_url, queue_name=f"q-{name}"),
        admin_token=SecretStr(ADMIN_TOKEN),
        cursor_secret=SecretStr("test-cursor-secret"),
        search=SearchSettings(path=tmp_path / "search.sqlite3"),
    )
    await dynamodb.delete_table(TableName=name)


@pytest.fixture
def table(settings: Settings, dynamodb) -> Table:
    return Table(dynamodb, settings.table.name)


@pytest.fixture
def cursors(settings: Settings) -> CursorCodec:
    return CursorCodec(settings.cursor_secret.get_secret_value())


@pytest.fixture
def problems(table: Table, cursors: CursorCodec) -> ProblemRepository:
    return ProblemRepository(table, cursors)


@pytest.fixture
def test_cases(table: Table, cursors: CursorCodec) -> TestCaseRepository:
    return TestCaseRepository(table, cursors)


@contextlib.asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the real app (lifespan run, real table and Redis)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
            yield client


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings) as client:
        yield client


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
async def live_api(settings: Settings) -> AsyncIterator[str]:
    """The real app served by uvicorn on a free port (for WebSocket clients): ``host:port``."""
    import asyncio

    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


# Concurrent test sessions on one host (several checkouts) set distinct bases. The session's
# own runtime uses the first SESSION_UID_COUNT uids; every process a test starts (worker
# subprocesses, `algoitny run`, `algoitny judge`) gets the next SUBPROCESS_UID_COUNT through
# the environment, with a box root of its own: a subprocess a test kills leaves its leftovers
# in its own range (swept by the next subprocess that claims those uids), never in the
# session's.
EXECUTOR_UID_BASE = int(os.environ.get("ALGOITNY_TEST_UID_BASE", "61000"))
SESSION_UID_COUNT = 16
SUBPROCESS_UID_BASE = EXECUTOR_UID_BASE + SESSION_UID_COUNT
SUBPROCESS_UID_COUNT = 16
# The next 16: ranges a single test needs to itself (tests/executor/test_sweep.py).
DEDICATED_UID_BASE = SUBPROCESS_UID_BASE + SUBPROCESS_UID_COUNT
EXECUTOR_SLOTS = 2


@pytest.fixture(scope="session", autouse=True)
def executor_runtime():
    """The process-wide sandbox runtime, configured once for the whole session: its own box
    root (a temporary directory) and uid range, so a worker on this host is never disturbed.
    Executor tests and in-process workers share it. Nothing skips: a missing tool fails."""
    import shutil
    import tempfile
    from pathlib import Path

    from algoitny.executor import ExecutorConfig, configure, get_runtime

    if os.geteuid() != 0:
        pytest.fail("the sandbox needs root (the worker switches to slot uids)")
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap is not installed (apt-get install bubblewrap)")
    root = Path(tempfile.mkdtemp(prefix="algoitny-executor-tests-"))
    os.chmod(root, 0o711)
    subprocess_env = {
        "ALGOITNY_EXECUTOR_UID_BASE": str(SUBPROCESS_UID_BASE),
        "ALGOITNY_EXECUTOR_UID_COUNT": str(SUBPROCESS_UID_COUNT),
        "ALGOITNY_EXECUTOR_BOX_ROOT": str(root / "subprocesses"),
    }
    saved = {name: os.environ.get(name) for name in subprocess_env}
    os.environ.update(subprocess_env)
    configure(
        ExecutorConfig(
            box_root=root / "session",
            uid_base=EXECUTOR_UID_BASE,
            uid_count=SESSION_UID_COUNT,
            slots=EXECUTOR_SLOTS,
        )
    )
    runtime = get_runtime()
    try:
        yield runtime
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def worker(settings: Settings, executor_runtime):
    """A real arq worker, in this process, judging with the real sandbox."""
    import asyncio

    from algoitny.resources import open_redis
    from algoitny.services import workers
    from algoitny.worker import Worker, worker_settings

    arq_worker = Worker(**(worker_settings(settings) | {"handle_signals": False}))
    task = asyncio.ensure_future(arq_worker.async_run())
    redis = open_redis(settings)
    # Submissions are refused (no_worker) until a worker has announced itself.
    while not await workers.live(redis, settings.redis.queue_name):
        assert not task.done(), task.exception()
        await asyncio.sleep(0.05)
    await redis.aclose()
    try:
        yield arq_worker
    finally:
        # Let jobs that outlived the test's last assertion finish their bookkeeping.
        for _ in range(600):
            if all(job.done() for job in arq_worker.tasks.values()):
                break
            await asyncio.sleep(0.05)
        await arq_worker.close()
        task.cancel()


@pytest.fixture
async def announced_worker(settings: Settings):
    """A worker announcement (this host's languages) for tests of accepting work that need
    no judging: the API accepts submissions, and they wait in this test's own queue."""
    from algoitny.executor import languages
    from algoitny.resources import open_redis
    from algoitny.services import workers

    redis = open_redis(settings)
    announcement = workers.WorkerAnnouncement(
        worker_id=workers.new_worker_id(),
        languages=tuple(i.id for i in languages() if i.available),
        slots=1,
        max_jobs=1,
        version="test",
    )
    await workers.announce(redis, settings.redis.queue_name, announcement, ttl_s=3600)
    yield announcement
    await workers.withdraw(redis, settings.redis.queue_name, announcement.worker_id)
    await redis.aclose()


@pytest.fixture
def submissions(table: Table, cursors: CursorCodec):
    from algoitny.table import SubmissionRepository

    return SubmissionRepository(table, cursors)


@pytest.fixture
def usage(table: Table):
    from algoitny.table import UsageRepository

    return UsageRepository(table)


@pytest.fixture
def users(table: Table, cursors: CursorCodec):
    from algoitny.table import UserRepository

    return UserRepository(table, cursors)


@pytest.fixture
def plans(table: Table):
    from algoitny.table import PlanRepository

    return PlanRepository(table)
