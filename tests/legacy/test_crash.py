"""``kill -9`` of an importer process mid-run, then a re-run: the same table as one clean run."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid

from algoitny.migrate import migrate
from algoitny.table import LegacyImportRepository, Table
from tests.legacy import seed
from tests.legacy.test_import import dump

# Stamped with the time of the write (plans are saved as ours, not kept as they were).
VOLATILE = {"plan": ("crt", "upd")}


def comparable(items: list[dict]) -> list[dict]:
    kept = []
    for item in items:
        pk = item["PK"]["S"]
        if pk.startswith(("IMPORT#", "MIGRATION")):
            continue
        for name in VOLATILE.get(item["tp"]["S"], ()):
            item.pop(name, None)
        kept.append(item)
    return kept


async def test_sigkill_mid_run_then_rerun_verifies_clean(
    legacy_db, legacy_dsn, run_import, settings, table, dynamodb
):
    ids = await seed.world(legacy_db)
    for n in range(120):
        await seed.history(
            legacy_db, ids["alice"], ids["ab"], ids["cases"], ["3\n", "7\n", "10\n"], code=f"# {n}"
        )
    env = os.environ | {
        "ALGOITNY_TABLE__NAME": settings.table.name,
        "ALGOITNY_TABLE__ENDPOINT_URL": settings.table.endpoint_url or "",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "algoitny.cli",
        "import-legacy",
        "--source",
        legacy_dsn,
        "--batch",
        "2",
        "--concurrency",
        "1",
        "--no-verify",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    checkpoints = LegacyImportRepository(table)
    for _ in range(1200):
        if (await checkpoints.get_checkpoint("history")).get("position", 0) > ids["anonymous"] + 10:
            break
        assert process.returncode is None, (await process.stderr.read()).decode()
        await asyncio.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    interrupted = await checkpoints.get_checkpoint("history")
    assert interrupted.get("high"), f"killed mid-pass: {interrupted}"

    report = await run_import()
    assert report.clean, report.dumps()
    assert report.entities["history"].imported < 123, "the re-run resumed, not restarted"

    clean_name = f"t-{uuid.uuid4().hex[:12]}"
    await migrate(dynamodb, clean_name)
    try:
        clean_table = Table(dynamodb, clean_name)
        assert (await run_import(target=clean_table)).clean
        assert comparable(await dump(table)) == comparable(await dump(clean_table))
    finally:
        await dynamodb.delete_table(TableName=clean_name)
