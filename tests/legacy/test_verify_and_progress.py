"""``--verify-only`` catches a table that drifted from the source; the progress line; plan names."""

from __future__ import annotations

import io

from algoitny.legacy.accounts import plan_slug
from algoitny.legacy.progress import Progress
from algoitny.table import keys
from tests.legacy import seed


async def test_verify_only_reports_a_changed_or_missing_item(legacy_db, run_import, table):
    ids = await seed.world(legacy_db)
    assert (await run_import()).clean
    await table.update(
        keys.problem_key("baekjoon", "1000"),
        UpdateExpression="SET tit = :t",
        ExpressionAttributeValues={":t": {"S": "tampered"}},
    )
    await table.delete(keys.generation_job_key(await _job_id(ids, legacy_db)))
    report = await run_import(verify_only=True)
    assert not report.clean
    problems, jobs = report.entities["problems"].verify, report.entities["generation_jobs"].verify
    assert problems["differing"] == 1 and problems["differences"] == [
        {"id": ids["ab"], "outcome": "differing"}
    ]
    assert problems["source_checksum"] != problems["table_checksum"]
    assert jobs["missing"] == 1 and not jobs["ok"]
    assert report.entities["users"].verify["ok"] and report.entities["users"].imported == 0, "nothing written"


async def _job_id(ids, legacy_db) -> str:
    from algoitny.legacy.context import legacy_task_id

    row = await (
        await legacy_db.execute("SELECT created_at FROM script_generation_jobs WHERE id = %s", [ids["job"]])
    ).fetchone()
    return legacy_task_id("genjob", ids["job"], row[0])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_shows_entity_done_total_rate_and_eta():
    stream = _Terminal()
    progress = Progress(stream, every_s=0)
    progress.start("history", 200)
    progress.advance(50)
    line = progress.line()
    assert line.startswith("history") and "50/200 rows" in line and "rows/s" in line and "ETA" in line
    assert "\r" in stream.getvalue()


def test_progress_is_silent_off_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream, every_s=0)
    progress.start("users", 3)
    progress.advance(3)
    progress.finish()
    assert stream.getvalue() == ""


def test_plan_names_become_ids():
    assert [plan_slug(n) for n in ("Free", "Pro Plus", "Admin", "2024 promo")] == [
        "free",
        "pro-plus",
        "admin",
        "plan-2024-promo",
    ]
