"""Problem search: one interface (``SearchIndex``), two backends, fed by the change stream.

``open_search_index(settings.search)`` picks the backend: OpenSearch when a URL is set,
else the SQLite FTS5 file. ``SearchSink`` is the stream consumer's sink; ``reindex``
rebuilds an index from the table. See docs/search.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from algoitny.search.documents import ProblemDocument, Removal, SearchHit, SearchQuery, SearchResult, Version
from algoitny.search.index import SearchIndex
from algoitny.search.sink import SearchSink
from algoitny.settings import SearchSettings

__all__ = [
    "ProblemDocument",
    "Removal",
    "SearchHit",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "SearchSink",
    "Version",
    "build_search_index",
    "open_search_index",
]


def build_search_index(settings: SearchSettings, **options: Any) -> SearchIndex:
    if settings.url:
        from algoitny.search.opensearch import OpenSearchIndex

        auth: dict[str, Any] = {}
        if settings.username and settings.password:
            auth["http_auth"] = (settings.username, settings.password.get_secret_value())
        return OpenSearchIndex(
            settings.url, index=settings.index, timeout_s=settings.timeout_s, **auth, **options
        )
    from algoitny.search.fts import Fts5Index

    return Fts5Index(settings.path, **options)


@contextlib.asynccontextmanager
async def open_search_index(settings: SearchSettings, *, create: bool = False) -> AsyncIterator[SearchIndex]:
    """The index, closed on exit; ``create`` runs ``ensure`` (``algoitny migrate`` and
    ``reindex`` do). Opening connects to nothing: the FTS5 file is made on first use, and
    an OpenSearch index that does not exist yet answers empty pages."""
    index = build_search_index(settings)
    try:
        if create:
            await index.ensure()
        yield index
    finally:
        await index.close()
