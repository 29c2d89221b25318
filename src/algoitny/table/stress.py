"""Counterexample searches: a problem's stress setup, and a submission's search and result.

The setup (generator, validator, sizes) is an item of its own, ``PSTRESS#{p}#{i}``/``META``,
outside the problem's partition: the judge's one Query of that partition
(``get_for_judging``) reads every item in it, and the generator — admin-only, up to
64 KiB — must never ride along with a problem read. It is read with one GetItem, only
when a submission ended WA or RE (or a search is requested).

A submission's search lives on its own ``META`` item (``cxs`` state, ``cxt`` start time,
``cxe`` result): starting is conditional (one search at a time, so a rerun or a second
request never starts a second one), and storing the result is conditional on the search
still being the running one and having no result, so a rerun never stores a second.

Each search also has a *running-search* item, ``CXRUN``/``{started}#{submission}``, put
before the search is marked running and deleted once its outcome is stored (or it was
superseded): every "searching" submission has one, so the search recovery
(``services/search_recovery.py``) finds the searches whose arq job was lost with one Query,
oldest first. A crash between the two writes leaves an item without its search; the
recovery deletes it.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from algoitny.domain import CounterexampleStatus, SubmissionStatus
from algoitny.errors import SubmissionNotFound
from algoitny.table import keys
from algoitny.table.client import Table, condition_failed
from algoitny.table.codec import COUNTEREXAMPLE, RUNNING_SEARCH, STRESS_SETUP, SUBMISSION, to_dynamo

if TYPE_CHECKING:  # the stress package imports the executor (pyseccomp): `algoitny --help`
    # and the rest of the table must load without it (tests/unit/test_scripts.py)
    from algoitny.stress.engine import Counterexample, StressSetup


def _now_ms() -> int:
    return int(time.time() * 1000)


class StressRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def get_setup(self, *, platform: str, identifier: str) -> StressSetup | None:
        from algoitny.stress.engine import StressSetup

        item = await self.table.get(keys.stress_setup_key(platform, identifier))
        if item is None:
            return None
        fields = STRESS_SETUP.decode(item)
        return StressSetup(
            generator=fields["generator"],
            validator=fields.get("validator"),
            size_min=fields["size_min"],
            size_max=fields["size_max"],
        )

    async def save_setup(
        self, *, platform: str, identifier: str, setup: StressSetup, source: str, replace: bool = True
    ) -> bool:
        """Puts the setup (``source``: "admin" or "generation"). With ``replace=False`` an
        existing one is kept (a generation job never overwrites an admin's): False then."""
        fields = asdict(setup) | {
            "platform": platform,
            "identifier": identifier,
            "source": source,
            "updated_at": _now_ms(),
        }
        item = STRESS_SETUP.encode(fields, keys.stress_setup_key(platform, identifier))
        try:
            await self.table.put(
                item, **({} if replace else {"ConditionExpression": "attribute_not_exists(PK)"})
            )
        except ClientError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    async def start_search(self, submission_id: str, *, stale_before_ms: int) -> int | None:
        """Marks a finished submission's search as running; returns its start time (which
        names its job), or None when a search is running or a result is stored.

        A search whose start is older than ``stale_before_ms`` counts as lost (its job is
        gone): it may be started again."""
        now = _now_ms()
        running = keys.running_search_key(submission_id, now)
        fields = {"submission_id": submission_id, "started_at": now}
        await self.table.put(RUNNING_SEARCH.encode(fields, running))
        names = {
            "#sts": SUBMISSION.short("status"),
            "#cxs": SUBMISSION.short("counterexample_status"),
            "#cxt": SUBMISSION.short("counterexample_started_at"),
            "#cxe": SUBMISSION.short("counterexample"),
        }
        try:
            await self.table.update(
                keys.submission_key(submission_id),
                UpdateExpression="SET #cxs = :searching, #cxt = :now REMOVE #cxe",
                ConditionExpression=(
                    "attribute_exists(PK) AND #sts = :done AND (attribute_not_exists(#cxs)"
                    " OR #cxs IN (:none, :failed) OR (#cxs = :searching AND #cxt < :stale))"
                ),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":searching": {"S": CounterexampleStatus.SEARCHING.value},
                    ":none": {"S": CounterexampleStatus.NONE.value},
                    ":failed": {"S": CounterexampleStatus.FAILED.value},
                    ":done": {"S": SubmissionStatus.DONE.value},
                    ":now": {"N": str(now)},
                    ":stale": {"N": str(stale_before_ms)},
                },
            )
        except ClientError as exc:
            if not condition_failed(exc):
                raise
            current = await self.table.get(keys.submission_key(submission_id), consistent=True)
            if current is None or SUBMISSION.decode(current).get("counterexample_started_at") != now:
                await self.table.delete(running)  # (kept if a search started in the same ms won)
            if current is None:
                raise SubmissionNotFound() from exc
            return None
        return now

    async def finish_search(
        self,
        submission_id: str,
        *,
        started_at: int,
        status: CounterexampleStatus,
        counterexample: Counterexample | None,
    ) -> bool:
        """Stores the search's outcome, once: only while this search (``started_at``) is the
        running one. False if it was stored already (a rerun) or superseded."""
        names = {
            "#cxs": SUBMISSION.short("counterexample_status"),
            "#cxt": SUBMISSION.short("counterexample_started_at"),
            "#cxe": SUBMISSION.short("counterexample"),
        }
        values: dict[str, Any] = {
            ":status": {"S": status.value},
            ":searching": {"S": CounterexampleStatus.SEARCHING.value},
            ":started": {"N": str(started_at)},
        }
        expression = "SET #cxs = :status"
        if counterexample is not None:
            fields = asdict(counterexample) | {"verdict": counterexample.verdict.value}
            values[":cx"] = to_dynamo(COUNTEREXAMPLE.shorten(fields))
            expression += ", #cxe = :cx"
        try:
            await self.table.update(
                keys.submission_key(submission_id),
                UpdateExpression=expression,
                ConditionExpression="#cxs = :searching AND #cxt = :started AND attribute_not_exists(#cxe)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
            stored = True
        except ClientError as exc:
            if not condition_failed(exc):
                raise
            stored = False  # stored already, or superseded: this search runs no more either way
        await self.forget_running_search(submission_id, started_at)
        return stored

    async def list_running_searches(self, *, started_before_ms: int) -> list[tuple[str, int]]:
        """``(submission, start)`` of every running-search item older than the bound, oldest first."""
        bound = keys.running_search_key("", started_before_ms)
        found = []
        async for item in self.table.query_all(
            KeyConditionExpression="PK = :pk AND SK < :bound",
            ExpressionAttributeValues={":pk": {"S": bound["PK"]}, ":bound": {"S": bound["SK"]}},
            ConsistentRead=True,
        ):
            fields = RUNNING_SEARCH.decode(item)
            found.append((fields["submission_id"], fields["started_at"]))
        return found

    async def forget_running_search(self, submission_id: str, started_at: int) -> None:
        await self.table.delete(keys.running_search_key(submission_id, started_at))
