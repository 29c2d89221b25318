"""The statistics sink: counts each finished submission once (see ``table/stats.py``).

A submission counts when a record's new image of its ``META`` item has status ``done``
and its old image did not (an ``INSERT`` of a finished one counts too: the legacy
importer writes them so). Later changes of a finished submission (hints saved on it)
count nothing. The per-submission marker makes redelivery harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from algoitny.domain import SubmissionStatus
from algoitny.indexer.records import ChangeRecord
from algoitny.table import keys
from algoitny.table.codec import SUBMISSION
from algoitny.table.stats import FinishedSubmission, StatisticsRepository

log = logging.getLogger(__name__)

_STATUS = SUBMISSION.short("status")
_DONE = SubmissionStatus.DONE.value


def finished_submission(record: ChangeRecord) -> FinishedSubmission | None:
    new, old = record.new, record.old
    if record.entity != SUBMISSION.entity_type or record.keys.get("SK") != keys.META or new is None:
        return None
    if new.get(_STATUS) != _DONE or (old is not None and old.get(_STATUS) == _DONE):
        return None
    short = SUBMISSION.short
    required = [new.get(short(name)) for name in ("submission_id", "user_id", "platform", "identifier")]
    if any(value is None for value in required):
        # Never retried forever: a record that cannot be counted is logged and left out.
        log.error("finished submission %s lacks its keys; not counted", dict(record.keys))
        return None
    submission_id, user_id, platform, identifier = (str(value) for value in required)
    created = new.get(short("created_at")) or new.get(short("finished_at"))
    return FinishedSubmission(
        submission_id=submission_id,
        user_id=user_id,
        platform=platform,
        identifier=identifier,
        language=str(new.get(short("language"), "unknown")),
        verdict=str(new.get(short("verdict"), "IE")),
        created_at=int(created) if created is not None else int(record.created_at.timestamp() * 1000),
    )


class StatisticsSink:
    name = "statistics"

    def __init__(self, statistics: StatisticsRepository, *, concurrency: int = 8) -> None:
        self.statistics = statistics
        self.concurrency = concurrency

    async def apply(self, records: Sequence[ChangeRecord]) -> None:
        found = {s.submission_id: s for r in records if (s := finished_submission(r)) is not None}
        if not found:
            return
        limit = asyncio.Semaphore(self.concurrency)

        async def count(submission: FinishedSubmission) -> None:
            async with limit:
                await self.statistics.count_submission(submission)

        await asyncio.gather(*(count(s) for s in found.values()))
