"""A real PostgreSQL 15 for the session (the old system's database), one fresh database with
the old schema per test, and an importer bound to the test's own table."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import psycopg
import pytest

from algoitny.legacy.context import ORDER, ImportContext
from algoitny.legacy.importer import Importer
from algoitny.legacy.pgserver import PostgresServer
from algoitny.legacy.progress import Progress
from algoitny.legacy.report import RunReport
from algoitny.legacy.source import LegacySource

SCHEMA = Path(__file__).with_name("schema.sql")


@pytest.fixture(scope="session")
def postgres() -> AsyncIterator[PostgresServer]:
    server = PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture
async def legacy_dsn(postgres: PostgresServer) -> AsyncIterator[str]:
    name = f"legacy_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(postgres.dsn(), autocommit=True) as admin:
        await admin.execute(f"CREATE DATABASE {name}")
    dsn = postgres.dsn(name)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
        await conn.execute(SCHEMA.read_text())
    yield dsn
    async with await psycopg.AsyncConnection.connect(postgres.dsn(), autocommit=True) as admin:
        await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
async def legacy_db(legacy_dsn: str) -> AsyncIterator[psycopg.AsyncConnection]:
    async with await psycopg.AsyncConnection.connect(legacy_dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture
def run_import(legacy_dsn, table):
    """``await run_import(only=..., dry_run=..., verify_only=..., batch=...)`` → the report."""

    async def run(
        *, only=ORDER, dry_run: bool = False, verify_only: bool = False, batch: int = 3, target=None
    ) -> RunReport:
        source = await LegacySource.connect(legacy_dsn)
        try:
            ctx = ImportContext(source, target or table, dry_run=dry_run, concurrency=4)
            return await Importer(ctx, batch=batch, progress=Progress()).run(
                list(only), verify_only=verify_only
            )
        finally:
            await source.close()

    return run


# Google sign-in against a loopback key server, dev sign-in on (tests/accounts' fixtures)
from tests.accounts.conftest import auth_api, google_keys  # noqa: E402, F401
