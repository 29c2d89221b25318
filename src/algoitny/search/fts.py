"""The embedded backend: SQLite FTS5 in one file (``settings.search.path``).

Tables::

    problem          id (creation-ordered), platform, identifier (unique), version,
                     removed, visible, exact identifier/title (joined terms, indexed),
                     created_at
    problem_payload  id, the problem as JSON (read for a page's rows only)
    problem_tag      (tag, id), for the exact tag filter
    problem_text     FTS5 (unicode61, prefix index 1-3) over identifier, title, tags and
                     fragments: every proper suffix of every identifier/title term, so a
                     prefix query there is a substring query (see ``text.suffixes``)

The SQL itself, writes and ranked reads, is in ``fts_sql.py``.

Why not ``tokenize='trigram'`` (this SQLite, 3.40, has it): trigrams cannot match one-
or two-character substrings, and Korean words are mostly two or three syllables
(``경로``, ``트리``); suffixes answer every length from the same index and the same bm25.

Every SQLite call runs on a thread: one writer thread with its own connection (writes
are serialised anyway), and a small pool of reader threads with one connection each,
all in WAL mode, so searches never wait for a bulk write and the event loop never waits
for SQLite (the sqlite3 module releases the GIL while a statement runs). Not
``aiosqlite``: it gives each connection one thread and queues every call behind the
previous one, so reads would wait behind bulk writes.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from algoitny.errors import ServiceUnavailable
from algoitny.search import fts_sql
from algoitny.search.documents import ProblemDocument, Removal, SearchQuery, SearchResult

T = TypeVar("T")


class Fts5Index:
    name = "fts5"

    def __init__(self, path: Path, *, readers: int = 4, window: int = fts_sql.WINDOW) -> None:
        self.path = path
        self.window = window  # matches ranked at once (tests make it small)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="search-write")
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="search-read")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._schema_ready = False  # created by the first connection (file and tables)

    # --- threads and connections -------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA cache_size = -32768")  # 32 MiB per connection
            connection.execute("PRAGMA mmap_size = 268435456")
            with self._lock:
                if not self._schema_ready:
                    connection.executescript(fts_sql.SCHEMA)
                    self._schema_ready = True
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    async def _on(self, pool: ThreadPoolExecutor, work: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, lambda: work(self._connection()))

    async def ensure(self) -> None:
        await self._on(self._writer, lambda c: None)  # the first connection creates the schema

    async def close(self) -> None:
        await asyncio.to_thread(self._close)  # waits for running statements: off the event loop

    def _close(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    # --- writes --------------------------------------------------------------------------

    async def upsert(self, documents: Sequence[ProblemDocument]) -> None:
        if documents:
            await self._on(self._writer, functools.partial(fts_sql.write, documents=documents))

    async def delete(self, removals: Sequence[Removal]) -> None:
        if removals:
            await self._on(self._writer, functools.partial(fts_sql.write, documents=removals))

    async def reset(self) -> None:
        def drop(connection: sqlite3.Connection) -> None:
            connection.executescript(
                "BEGIN IMMEDIATE; DELETE FROM problem_text; DELETE FROM problem_tag; "
                "DELETE FROM problem_payload; DELETE FROM problem; COMMIT;"
            )

        await self._on(self._writer, drop)

    # --- reads ---------------------------------------------------------------------------

    async def count(self) -> int:
        return await self._on(
            self._readers, lambda c: c.execute("SELECT count(*) FROM problem WHERE removed = 0").fetchone()[0]
        )

    async def search(self, query: SearchQuery) -> SearchResult:
        try:
            return await self._on(
                self._readers, functools.partial(fts_sql.search_page, query=query, window=self.window)
            )
        except sqlite3.DatabaseError as exc:  # locked past the timeout, disk error, a corrupt file
            raise ServiceUnavailable(
                f"The search index is unavailable ({exc}); `algoitny reindex` rebuilds it."
            ) from exc
