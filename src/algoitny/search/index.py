"""The one interface every search backend implements.

Writes carry versions (``documents.Version``) and are idempotent: a backend keeps, per
problem, only what the newest version said, whatever order writes arrive in. A removal
is kept as a tombstone with its version, so an older upsert replayed after it stays
ignored (``reset`` forgets tombstones: it is for rebuilding from the table).

Reads are one ranked page: exact identifier or exact title first, then matches in
identifier/title words (prefixes), then tags, then parts of title words; the page's
``next`` position resumes after it. Each backend documents how (docs/search.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from algoitny.search.documents import ProblemDocument, Removal, SearchQuery, SearchResult


class SearchIndex(Protocol):
    name: str  # "fts5" or "opensearch": in logs and health details

    async def ensure(self) -> None:
        """Create the schema / index and its analyzers if missing (safe to repeat)."""
        ...

    async def upsert(self, documents: Sequence[ProblemDocument]) -> None: ...

    async def delete(self, removals: Sequence[Removal]) -> None: ...

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def count(self) -> int:
        """Problems indexed (soft-deleted ones included, tombstones not)."""
        ...

    async def reset(self) -> None:
        """Drop every document and tombstone (``algoitny reindex`` then fills it again)."""
        ...

    async def close(self) -> None: ...
