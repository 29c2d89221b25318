"""``algoitny reindex``: rebuild a search index from the table, for a new backend or a
lost index. Offline: it Scans the whole table (``ProblemRepository.scan_for_reindex``)
and writes each page in one bulk upsert. Documents get version ``(updated_at, 0)``, so a
stream record the indexer applies meanwhile (same ``updated_at``, a real sequence
number) still replaces them, and none of them replaces anything newer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from algoitny.search.documents import ProblemDocument, Version
from algoitny.search.index import SearchIndex
from algoitny.table import ProblemRepository


@dataclass(frozen=True)
class ReindexReport:
    problems: int
    seconds: float
    indexed: int  # what the index counts afterwards

    @property
    def per_second(self) -> float:
        return self.problems / self.seconds if self.seconds else 0.0


async def reindex(problems: ProblemRepository, index: SearchIndex, *, reset: bool = True) -> ReindexReport:
    """``reset`` empties the index first (tombstones included); without it, documents
    the table no longer has stay."""
    started = time.perf_counter()
    await index.ensure()
    if reset:
        await index.reset()
    count = 0
    async for page in problems.scan_for_reindex():
        await index.upsert([ProblemDocument(p, Version.of(p.updated_at)) for p in page])
        count += len(page)
    return ReindexReport(count, time.perf_counter() - started, await index.count())
