"""``SearchSink``: keeps a search index up to date from the table's change stream.

Only problem META items matter: they hold the whole problem, tags included (the
``TAG#`` items exist for the table's tag list and are ignored here). A soft delete is a
MODIFY (``del`` set, list keys removed): the document stays, for admins. A REMOVE (the
item really gone) leaves a tombstone. Within a batch only each problem's newest record
is written; the index compares versions too, so replays and interleaved shards are
harmless (see ``documents.Version``).
"""

from __future__ import annotations

from collections.abc import Sequence

from algoitny.indexer.records import ChangeRecord
from algoitny.search.documents import ProblemDocument, Removal, Version, problem_from_image
from algoitny.search.index import SearchIndex
from algoitny.table import keys
from algoitny.table.codec import PROBLEM

_UPDATED = PROBLEM.short("updated_at")


def document_change(record: ChangeRecord) -> ProblemDocument | Removal | None:
    """What ``record`` asks of the index, or ``None`` when it is not about a problem."""
    if record.entity != PROBLEM.entity_type or record.keys.get("SK") != keys.META:
        return None
    if not str(record.keys.get("PK", "")).startswith(keys.PROBLEM_PREFIX):
        return None
    if record.new is not None:
        problem = problem_from_image(record.new)
        return ProblemDocument(problem, Version.of(problem.updated_at, record.sequence))
    assert record.old is not None
    old = problem_from_image(record.old)
    return Removal(old.platform, old.identifier, Version.of(record.old.get(_UPDATED, 0), record.sequence))


def newest_changes(records: Sequence[ChangeRecord]) -> list[ProblemDocument | Removal]:
    newest: dict[tuple[str, str], ProblemDocument | Removal] = {}
    for record in records:
        change = document_change(record)
        if change is None:
            continue
        current = newest.get(change.key)
        if current is None or change.version > current.version:
            newest[change.key] = change
    return list(newest.values())


class SearchSink:
    """A ``ChangeSink`` (``indexer/records.py``) writing into ``index``."""

    name = "search"

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    async def apply(self, records: Sequence[ChangeRecord]) -> None:
        changes = newest_changes(records)
        await self.index.upsert([c for c in changes if isinstance(c, ProblemDocument)])
        await self.index.delete([c for c in changes if isinstance(c, Removal)])
