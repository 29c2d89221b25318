"""Fills a throwaway PostgreSQL with a realistic old dataset, imports it into DynamoDB Local
(in memory) with ``algoitny import-legacy``'s importer, and prints one JSON line: rows/s per
entity, total time, the importer's peak memory (max RSS).

    python benchmarks/legacy_import.py              # the issue's size: 1,000 users, 5,000
                                                    # problems, 50,000 cases, 100,000 history
                                                    # and 100,000 usage rows
    python benchmarks/legacy_import.py --scale 0.05 # a few minutes on a busy 2-core machine

Then, side by side on the same table, two catch-up runs of ``--compare`` copied history rows
each: the first with a transaction per submission (the first implementation: the submission and
its owner's counts), the second as the importer does it now (plain conditional puts, one
statistics update per user per batch). ``history_compare`` gives both rates.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from pathlib import Path

import psycopg

from algoitny.legacy.context import ORDER, Entity, ImportContext
from algoitny.legacy.history import HistoryMapping
from algoitny.legacy.importer import Importer
from algoitny.legacy.pgserver import PostgresServer
from algoitny.legacy.progress import Progress
from algoitny.legacy.source import LegacySource
from algoitny.localstack import free_port, start_dynamodb
from algoitny.migrate import migrate
from algoitny.resources import open_dynamodb
from algoitny.settings import TableSettings
from algoitny.table import Table

SCHEMA = Path(__file__).resolve().parents[1] / "tests" / "legacy" / "schema.sql"
FULL = {"users": 1_000, "problems": 5_000, "test_cases": 50_000, "history": 100_000, "usage": 100_000}

# Server-side generation: the seeding is not what is measured.
FILL = """
INSERT INTO subscription_plans (name, max_hints_per_day, max_executions_per_day) VALUES
    ('Free', 5, 50), ('Pro', 30, 500), ('Admin', -1, -1);
INSERT INTO users (email, name, google_id, subscription_plan_id, is_staff, created_at)
SELECT 'user' || n || '@example.com', 'User ' || n, 'g' || n, 1 + n % 2, n % 100 = 0, now() - n * interval '1 hour'
FROM generate_series(1, {users}) n;
INSERT INTO problems (platform, problem_id, title, tags, solution_code, language, constraints,
                      is_completed, metadata, created_at)
SELECT (ARRAY['baekjoon', 'codeforces', 'atcoder'])[1 + n % 3], (1000 + n)::text, '문제 ' || n,
       '["math", "dp"]', 'a, b = map(int, input().split())' || chr(10) || 'print(a + b)', 'python',
       '1 <= A, B <= 10^9', n % 10 <> 0, jsonb_build_object('execution_count', n % 50), now() - n * interval '1 minute'
FROM generate_series(1, {problems}) n;
INSERT INTO test_cases (problem_id, input, output, created_at)
SELECT 1 + n % {problems}, n || ' ' || (n * 7) || chr(10) || repeat('1 ', 200), (n * 8)::text || chr(10),
       now() - n * interval '1 second'
FROM generate_series(1, {test_cases}) n;
INSERT INTO search_history (user_id, user_identifier, problem_id, platform, problem_number, problem_title,
    language, code, passed_count, failed_count, total_count, is_code_public, test_results, hints, created_at)
SELECT CASE WHEN n % 20 = 0 THEN NULL ELSE 1 + n % {users} END, 'user', 1 + n % {problems}, 'baekjoon', '1000',
       'A+B', (ARRAY['python', 'cpp', 'java'])[1 + n % 3], 'print(' || n || ')', 2, n % 2, 2 + n % 2, n % 3 = 0,
       jsonb_build_array(
           jsonb_build_object('test_case_id', 1 + n % {test_cases}, 'output', '3', 'passed', true,
                              'error', null, 'status', 'success'),
           jsonb_build_object('test_case_id', 1 + (n + 1) % {test_cases}, 'output', '4', 'passed', n % 2 = 0,
                              'error', null, 'status', 'success')),
       '["look at overflow"]', now() - n * interval '10 seconds'
FROM generate_series(1, {history}) n;
INSERT INTO usage_logs (user_id, action, problem_id, created_at)
SELECT 1 + n % {users}, CASE WHEN n % 5 = 0 THEN 'hint' ELSE 'execution' END, 1 + n % {problems},
       now() - (n % 30) * interval '1 day'
FROM generate_series(1, {usage}) n;
INSERT INTO script_generation_jobs (platform, problem_id, title, language, generator_code, status)
SELECT 'baekjoon', (1000 + n)::text, 'A+B', 'python', 'print(1, 2)', 'COMPLETED'
FROM generate_series(1, greatest({problems} / 10, 1)) n;
"""


HISTORY_COLUMNS = (
    "user_id, user_identifier, problem_id, platform, problem_number, problem_title, language, code, "
    "result_summary, passed_count, failed_count, total_count, is_code_public, test_results, hints, "
    "metadata, created_at"
)
COPY_HISTORY = (
    f"INSERT INTO search_history ({HISTORY_COLUMNS}) "
    f"SELECT {HISTORY_COLUMNS} FROM search_history WHERE id <= %s ORDER BY id"
)


async def compare_history(
    dsn: str, table: Table, rows: int, batch: int, concurrency: int
) -> dict[str, float | int]:
    """Two catch-up runs of ``rows`` new history rows each: a put per row, then shared
    transactions per batch (the importer's way)."""
    rates: dict[str, float | int] = {"rows": rows}
    for name, per_row in (("row_by_row_puts_rows_per_s", True), ("batch_transactions_rows_per_s", False)):
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            await conn.execute(COPY_HISTORY, (rows,))
        source = await LegacySource.connect(dsn)
        try:
            ctx = ImportContext(source, table, concurrency=concurrency)
            mappings = {Entity.HISTORY: HistoryMapping(row_by_row=per_row)}
            importer = Importer(ctx, batch=batch, progress=Progress(), mappings=mappings)
            report = await importer.run([Entity.HISTORY], verify=False)
        finally:
            await source.close()
        history = report.entities["history"]
        assert history.imported == rows, history
        rates[name] = round(rows / history.seconds, 1)
    return rates


async def main(scale: float, batch: int, concurrency: int, verify: bool, compare: int) -> dict:
    sizes = {name: max(1, int(n * scale)) for name, n in FULL.items()}
    postgres = PostgresServer.start()
    port = free_port()
    dynamodb = await start_dynamodb(port, data_dir=None)
    try:
        async with await psycopg.AsyncConnection.connect(postgres.dsn(), autocommit=True) as conn:
            await conn.execute("CREATE DATABASE legacy")
        async with await psycopg.AsyncConnection.connect(postgres.dsn("legacy"), autocommit=True) as conn:
            await conn.execute(SCHEMA.read_text())
            await conn.execute(FILL.format(**sizes))
        async with open_dynamodb(TableSettings(endpoint_url=f"http://127.0.0.1:{port}")) as client:
            await migrate(client, "bench")
            source = await LegacySource.connect(postgres.dsn("legacy"))
            started = time.monotonic()
            try:
                ctx = ImportContext(source, Table(client, "bench"), concurrency=concurrency)
                report = await Importer(ctx, batch=batch, progress=Progress()).run(list(ORDER), verify=verify)
            finally:
                await source.close()
            total = time.monotonic() - started
            rows = min(compare, sizes["history"])
            comparison = await compare_history(
                postgres.dsn("legacy"), Table(client, "bench"), rows, batch, concurrency
            )
    finally:
        await dynamodb.stop()
        postgres.stop()
    entities = {
        name: {
            "rows": e.source_rows,
            "imported": e.imported,
            "skipped": e.skipped,
            "seconds": e.seconds,
            "rows_per_s": round(e.source_rows / e.seconds, 1) if e.seconds else None,
        }
        for name, e in report.entities.items()
    }
    return {
        "scale": scale,
        "sizes": sizes,
        "batch": batch,
        "concurrency": concurrency,
        "entities": entities,
        "import_seconds": round(sum(e.seconds for e in report.entities.values()), 2),
        "total_seconds_with_verify": round(total, 2),
        "history_compare": comparison,
        "verified": all(e.verify is None or e.verify.get("ok") for e in report.entities.values()),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the issue's dataset (default 1)"
    )
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument(
        "--compare", type=int, default=2_000, help="history rows per side of the comparison (default 2000)"
    )
    args = parser.parse_args()
    result = asyncio.run(main(args.scale, args.batch, args.concurrency, not args.no_verify, args.compare))
    print(json.dumps(result))
