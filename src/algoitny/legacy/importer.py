"""The run: entity after entity, window by window, batch by batch; then verification.

Per entity the checkpoint item (``IMPORT#{entity}``) holds ``done`` (every id up to it is
imported), ``high`` (the upper id of the pass under way) and ``position`` (how far that pass
got, in the entity's reading order). A run resumes a pass where its checkpoint says, and a
finished pass moves ``done`` to ``high``: rows inserted later are the next run's window.
Writes are idempotent (deterministic keys, conditional puts), so whatever a killed run wrote
after its last checkpoint is simply found again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from algoitny.legacy.accounts import PlanMapping, UserMapping
from algoitny.legacy.context import ORDER, Entity, ImportContext
from algoitny.legacy.history import HistoryMapping
from algoitny.legacy.jobs import GenerationJobMapping
from algoitny.legacy.problems import ProblemMapping, TestCaseMapping
from algoitny.legacy.progress import Progress
from algoitny.legacy.report import Checksum, EntityReport, RunReport, Skip
from algoitny.legacy.source import Row
from algoitny.legacy.usage import import_usage, verify_usage

MAPPINGS: dict[Entity, Any] = {
    Entity.PLANS: PlanMapping(),
    Entity.USERS: UserMapping(),
    Entity.PROBLEMS: ProblemMapping(),
    Entity.TEST_CASES: TestCaseMapping(),
    Entity.HISTORY: HistoryMapping(),
    Entity.GENERATION_JOBS: GenerationJobMapping(),
}
USAGE_TABLE = "usage_logs"
MAX_DIFFERENCES = 50
_REJECTED_BATCH = ("ValidationException", "TransactionCanceledException")


def _table_of(entity: Entity) -> str:
    return USAGE_TABLE if entity == Entity.USAGE else MAPPINGS[entity].table


async def _bounded(ctx: ImportContext, jobs: Sequence[Callable[[], Awaitable[Any]]]) -> list[Any]:
    gate = asyncio.Semaphore(ctx.concurrency)

    async def one(job: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs))


async def _rejected_by_table(report: EntityReport, table: str, row_id: int, exc: ClientError) -> None:
    if exc.response.get("Error", {}).get("Code") != "ValidationException":
        raise exc
    report.skip(table, row_id, f"rejected by the table: {exc.response['Error'].get('Message', '')[:200]}")


class Importer:
    def __init__(
        self,
        ctx: ImportContext,
        *,
        batch: int = 500,
        progress: Progress | None = None,
        mappings: dict[Entity, Any] | None = None,
    ) -> None:
        """``mappings`` replaces some entities' mappings (the benchmark compares two)."""
        self.ctx = ctx
        self.mappings = MAPPINGS | (mappings or {})
        self.batch = batch
        self.progress = progress or Progress()

    async def run(
        self, entities: Sequence[Entity], *, verify: bool = True, verify_only: bool = False
    ) -> RunReport:
        started = time.monotonic()
        report = RunReport(dry_run=self.ctx.dry_run, verify_only=verify_only)
        await self.ctx.load_plan_names()
        for entity in ORDER:
            if entity not in entities:
                continue
            entity_report = report.entity(entity.value)
            self.ctx.current = entity_report
            if not verify_only:
                await self.import_entity(entity, entity_report)
        if verify and not self.ctx.dry_run:
            for entity in ORDER:
                if entity in entities:
                    await self.verify_entity(entity, report.entity(entity.value))
        report.seconds = time.monotonic() - started
        return report

    async def _window(self, entity: Entity) -> dict[str, int]:
        checkpoint = await self.ctx.imports.get_checkpoint(entity.value)
        done = checkpoint.get("done", 0)
        high = checkpoint.get("high") or max(done, await self.ctx.source.max_id(_table_of(entity)))
        return {"done": done, "high": high, "position": checkpoint.get("position", 0)}

    async def _save(self, entity: Entity, window: dict[str, int]) -> None:
        if not self.ctx.dry_run:
            await self.ctx.imports.save_checkpoint(
                entity.value, window | {"updated_at": int(time.time() * 1000)}
            )

    async def import_entity(self, entity: Entity, report: EntityReport) -> None:
        started = time.monotonic()
        window = await self._window(entity)
        table = _table_of(entity)
        report.source_rows = await self.ctx.source.count(table, window["done"], window["high"])
        await self._save(entity, window)
        if entity == Entity.USAGE:
            await import_usage(
                self.ctx,
                report,
                low=window["done"],
                high=window["high"],
                batch=self.batch,
                progress=self.progress,
            )
        else:
            await self._import_rows(entity, report, window)
        await self._save(entity, {"done": window["high"], "high": 0, "position": 0})
        report.seconds = round(time.monotonic() - started, 3)

    async def _import_rows(self, entity: Entity, report: EntityReport, window: dict[str, int]) -> None:
        mapping = self.mappings[entity]
        position_column = getattr(mapping, "position_column", "id")
        sql = (
            f"SELECT * FROM {mapping.table} WHERE id > %s AND id <= %s AND {position_column} > %s "
            f"ORDER BY {mapping.order}"
        )
        self.progress.start(entity.value, report.source_rows)
        async for rows in self.ctx.source.batches(
            sql, (window["done"], window["high"], window["position"]), self.batch
        ):
            if entity == Entity.TEST_CASES:
                await self._test_case_batch(mapping, rows, report, window)
                # the batch's last problem may continue in the next batch: redo it on resume
                window["position"] = rows[-1]["problem_id"] - 1
            else:
                await self._row_batch(mapping, rows, report)
                window["position"] = rows[-1]["id"]
            await self._save(entity, window)
            self.progress.advance(len(rows))
        self.progress.finish()

    async def _map(
        self, mapping: Any, rows: list[Row], report: EntityReport, ctx: ImportContext | None = None
    ) -> list[tuple[Row, Any]]:
        ctx = ctx or self.ctx
        if hasattr(mapping, "prepare_batch"):
            await mapping.prepare_batch(rows, ctx)
        mapped = []
        for row in rows:
            try:
                mapped.append((row, await mapping.map_row(row, ctx)))
            except Skip as skip:
                report.skip(mapping.table, row["id"], skip.reason)
        return mapped

    async def _row_batch(self, mapping: Any, rows: list[Row], report: EntityReport) -> None:
        mapped = await self._map(mapping, rows, report)
        if self.ctx.dry_run:
            report.imported += len(mapped)
            return

        def job(row: Row, value: Any) -> Callable[[], Awaitable[Any]]:
            async def write() -> Any:
                """The value when it is in the table now, else None."""
                try:
                    if await mapping.write(value, self.ctx):
                        report.imported += 1
                    else:
                        report.existing += 1
                    return value
                except Skip as skip:
                    report.skip(mapping.table, row["id"], skip.reason)
                except ClientError as exc:
                    await _rejected_by_table(report, mapping.table, row["id"], exc)
                return None

            return write

        if hasattr(mapping, "before_writes"):
            await mapping.before_writes([value for _, value in mapped], self.ctx)
        outcomes = None
        if hasattr(mapping, "write_batch"):
            try:
                outcomes = await mapping.write_batch([value for _, value in mapped], self.ctx)
            except ClientError as exc:  # a row the table rejects: find it row by row
                if exc.response.get("Error", {}).get("Code") not in _REJECTED_BATCH:
                    raise
        if outcomes is not None:
            report.imported += sum(outcomes)
            report.existing += len(outcomes) - sum(outcomes)
            written = [value for _, value in mapped]
        else:
            written = await _bounded(self.ctx, [job(row, value) for row, value in mapped])
        if hasattr(mapping, "after_writes"):
            await mapping.after_writes([value for value in written if value is not None], self.ctx)

    async def _test_case_batch(
        self, mapping: TestCaseMapping, rows: list[Row], report: EntityReport, window: dict[str, int]
    ) -> None:
        mapped = await self._map(mapping, rows, report)
        groups: dict[int, list[Any]] = {}
        for _, value in mapped:
            groups.setdefault(value.problem_legacy_id, []).append(value)
        if self.ctx.dry_run:
            report.imported += len(mapped)
            return

        def job(group: list[Any]) -> Callable[[], Awaitable[None]]:
            async def write() -> None:
                try:
                    added, existing = await mapping.write_group(group, self.ctx)
                    report.imported += added
                    report.existing += existing
                except Skip as skip:
                    for value in group:
                        report.skip(mapping.table, value.legacy_id, skip.reason)

            return write

        await _bounded(self.ctx, [job(group) for group in groups.values()])
        await mapping.keep_old_order(groups, done=window["done"], high=window["high"], ctx=self.ctx)

    @staticmethod
    def _reader(mapping: Any, value: Any, ctx: ImportContext) -> Callable[[], Awaitable[Any]]:
        return lambda: mapping.read_back(value, ctx)

    async def verify_entity(self, entity: Entity, report: EntityReport) -> None:
        """Maps every source row again and reads what the table holds for it; both sides'
        canonical forms are hashed in the same order and compared."""
        checkpoint = await self.ctx.imports.get_checkpoint(entity.value)
        done = checkpoint.get("done", 0)
        if entity == Entity.USAGE:
            report.verify = await verify_usage(self.ctx, report, high=done)
            return
        mapping = self.mappings[entity]
        source_sum, table_sum = Checksum(), Checksum()
        counts = {"source_rows": 0, "skipped": 0, "matched": 0, "missing": 0, "differing": 0}
        differences: list[dict[str, Any]] = []
        verify_ctx = ImportContext(
            self.ctx.source, self.ctx.table, dry_run=True, concurrency=self.ctx.concurrency
        )
        verify_ctx.plan_names = self.ctx.plan_names
        quiet = EntityReport(entity.value)
        verify_ctx.current = quiet
        sql = f"SELECT * FROM {mapping.table} WHERE id <= %s ORDER BY {mapping.order}"
        async for rows in self.ctx.source.batches(sql, (done,), self.batch):
            counts["source_rows"] += len(rows)
            mapped = await self._map(mapping, rows, quiet, verify_ctx)
            read = await _bounded(
                verify_ctx, [self._reader(mapping, value, verify_ctx) for _, value in mapped]
            )
            for (row, value), stored in zip(mapped, read, strict=True):
                expected = mapping.canonical(value)
                source_sum.add(expected)
                table_sum.add(stored if stored is not None else {"missing": row["id"]})
                outcome = "matched" if stored == expected else "missing" if stored is None else "differing"
                counts[outcome] += 1
                if outcome != "matched" and len(differences) < MAX_DIFFERENCES:
                    differences.append({"id": row["id"], "outcome": outcome})
        counts["skipped"] = quiet.skipped
        report.verify = counts | {
            "source_checksum": source_sum.hexdigest(),
            "table_checksum": table_sum.hexdigest(),
            "differences": differences,
            "ok": source_sum.hexdigest() == table_sum.hexdigest()
            and counts["missing"] == counts["differing"] == 0,
        }
