"""``usage_logs`` → today's quota counters and the daily totals of every day.

Rows are counted per (user, action, UTC day) in PostgreSQL. Each import window (the ids
``(done, high]`` of one pass) adds its counts once: the counter remembers the last window it
took (``lgw``), so a re-run of the same window after a crash adds nothing. Today's counters
carry on from the old system's use (nobody gets a fresh quota on switch-over day); older
days go into the daily totals only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from algoitny.legacy.context import ImportContext
from algoitny.legacy.progress import Progress
from algoitny.legacy.report import EntityReport
from algoitny.table import keys
from algoitny.table.codec import USAGE

ACTIONS = {"execution": "execute", "hint": "hint"}
DAILY_COUNTERS = {"execute": "executions", "hint": "hints"}

GROUPS_SQL = """
SELECT user_id, action, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS uses, min(id) AS first_id
FROM usage_logs WHERE id > %s AND id <= %s
GROUP BY user_id, action, day ORDER BY user_id, action, day
"""


@dataclass
class UsageGroup:
    subject: str
    action: str
    day: str
    uses: int


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


async def import_usage(
    ctx: ImportContext, report: EntityReport, *, low: int, high: int, batch: int, progress: Progress
) -> None:
    """Rows are counted as imported once their day's total took them."""
    daily: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    current_day = today()
    progress.start("usage", report.source_rows)
    async for rows in ctx.source.batches(GROUPS_SQL, (low, high), batch):
        for row in rows:
            progress.advance(row["uses"])
            action = ACTIONS.get(row["action"])
            if action is None:
                report.skip(
                    "usage_logs", row["first_id"], f"unknown action {row['action']!r}", rows=row["uses"]
                )
                continue
            subject = await ctx.user_for(row["user_id"])
            if subject is None:
                report.skip(
                    "usage_logs", row["first_id"], f"user {row['user_id']} was not imported", rows=row["uses"]
                )
                continue
            day = row["day"].isoformat()
            daily[day][DAILY_COUNTERS[action]] += row["uses"]
            if day == current_day and not ctx.dry_run:
                await ctx.imports.add_usage(
                    subject=subject, action=action, day=day, count=row["uses"], window=high
                )
    for day, counters in daily.items():
        uses = sum(counters.values())
        if ctx.dry_run or await ctx.imports.add_daily_totals(day=day, counters=dict(counters), window=high):
            report.imported += uses
        else:
            report.existing += uses
    progress.finish()


async def verify_usage(ctx: ImportContext, report: EntityReport, *, high: int) -> dict:
    """Every day's legacy total equals what the table's legacy shard holds; today's per-user
    counters hold at least the old system's uses (new uses only add)."""
    sums = await ctx.source.rows(
        "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, action, count(*) AS uses "
        "FROM usage_logs u WHERE id <= %s AND action IN ('execution', 'hint') "
        "AND EXISTS (SELECT 1 FROM users WHERE users.id = u.user_id) GROUP BY 1, 2 ORDER BY 1, 2",
        (high,),
    )
    expected: dict[str, dict[str, int]] = defaultdict(dict)
    for row in sums:
        expected[row["day"].isoformat()][DAILY_COUNTERS[ACTIONS[row["action"]]]] = row["uses"]
    mismatched = []
    for day, counters in expected.items():
        stored = await ctx.imports.get_daily_totals(day)
        if any(stored.get(name, 0) != n for name, n in counters.items()):
            mismatched.append({"day": day, "source": counters, "table": stored})
    short = []
    for row in await ctx.source.rows(
        "SELECT user_id, action, count(*) AS uses FROM usage_logs WHERE id <= %s "
        "AND created_at >= (now() AT TIME ZONE 'UTC')::date AT TIME ZONE 'UTC' GROUP BY 1, 2",
        (high,),
    ):
        subject = await ctx.user_for(row["user_id"])
        action = ACTIONS.get(row["action"])
        if subject is None or action is None:
            continue
        item = await ctx.table.get(keys.usage_key(subject, action, today()), consistent=True)
        count = USAGE.decode(item).get("count", 0) if item else 0
        if count < row["uses"]:
            short.append({"user": row["user_id"], "action": action, "source": row["uses"], "table": count})
    return {
        "ok": not mismatched and not short,
        "days": len(expected),
        "mismatched_days": mismatched[:20],
        "short_counters": short[:20],
    }
