"""The embedded backend: SQLite FTS5 in one file (``settings.search.path``).

Tables::

    problem       id, platform, identifier (unique), version, removed, visible, exact
                  identifier/title (joined terms, indexed), created_at, payload (JSON)
    problem_tag   (tag, id), for the exact tag filter
    problem_text  FTS5 (unicode61, prefix index 1-3) over identifier, title, tags and
                  fragments: every proper suffix of every identifier/title term, so a
                  prefix query there is a substring query (see ``text.suffixes``)

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
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from algoitny.domain import Problem
from algoitny.errors import ServiceUnavailable
from algoitny.search import text
from algoitny.search.documents import (
    ProblemDocument,
    Removal,
    SearchHit,
    SearchQuery,
    SearchResult,
    Version,
    problem_from_payload,
)

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS problem (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    identifier TEXT NOT NULL,
    version_updated INTEGER NOT NULL,
    version_sequence TEXT NOT NULL,
    removed INTEGER NOT NULL,
    visible INTEGER NOT NULL,
    exact_identifier TEXT,
    exact_title TEXT,
    created_at INTEGER NOT NULL,
    payload TEXT,
    UNIQUE (platform, identifier)
);
CREATE INDEX IF NOT EXISTS problem_exact_identifier ON problem (exact_identifier);
CREATE INDEX IF NOT EXISTS problem_exact_title ON problem (exact_title);
CREATE TABLE IF NOT EXISTS problem_tag (
    tag TEXT NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (tag, id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS problem_text USING fts5(
    identifier, title, tags, fragments,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '1 2 3'
);
"""
# bm25 column weights: identifier, title, tags, fragments (substrings).
_WEIGHTS = "20.0, 10.0, 4.0, 1.0"


def _phrase(term: str) -> str:
    # Terms are runs of letters and digits (text.terms): nothing in them needs escaping.
    return f'"{term}"*'


def match_expressions(terms: Sequence[str]) -> tuple[str, str, str]:
    """FTS5 queries: any column (substrings too, for terms of 2+ characters: a single
    character is a prefix only), identifier/title words, identifier/title/tag words."""
    anywhere = " AND ".join(
        f"({{identifier title tags fragments}} : {_phrase(t)})"
        if len(t) > 1
        else f"({{identifier title tags}} : {_phrase(t)})"
        for t in terms
    )
    title = " AND ".join(f"({{identifier title}} : {_phrase(t)})" for t in terms)
    words = " AND ".join(f"({{identifier title tags}} : {_phrase(t)})" for t in terms)
    return anywhere, title, words


_SEARCH = f"""
SELECT p.payload,
       CASE WHEN p.exact_identifier = :exact OR p.exact_title = :exact THEN 0
            WHEN p.id IN (SELECT rowid FROM problem_text WHERE problem_text MATCH :title) THEN 1
            WHEN p.id IN (SELECT rowid FROM problem_text WHERE problem_text MATCH :words) THEN 2
            ELSE 3 END AS tier,
       bm25(problem_text, {_WEIGHTS}) AS score
FROM problem_text JOIN problem AS p ON p.id = problem_text.rowid
WHERE problem_text MATCH :anywhere {{filters}}
ORDER BY tier, score, p.created_at DESC, p.id DESC
LIMIT :limit OFFSET :offset
"""


class Fts5Index:
    name = "fts5"

    def __init__(self, path: Path, *, readers: int = 4) -> None:
        self.path = path
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
            with self._lock:
                if not self._schema_ready:
                    connection.executescript(_SCHEMA)
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
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    # --- writes --------------------------------------------------------------------------

    async def upsert(self, documents: Sequence[ProblemDocument]) -> None:
        if documents:
            await self._on(self._writer, functools.partial(_write, documents=documents))

    async def delete(self, removals: Sequence[Removal]) -> None:
        if removals:
            await self._on(self._writer, functools.partial(_write, documents=removals))

    async def reset(self) -> None:
        def drop(connection: sqlite3.Connection) -> None:
            connection.executescript(
                "BEGIN IMMEDIATE; DELETE FROM problem_text; DELETE FROM problem_tag; "
                "DELETE FROM problem; COMMIT;"
            )

        await self._on(self._writer, drop)

    # --- reads ---------------------------------------------------------------------------

    async def count(self) -> int:
        return await self._on(
            self._readers, lambda c: c.execute("SELECT count(*) FROM problem WHERE removed = 0").fetchone()[0]
        )

    async def search(self, query: SearchQuery) -> SearchResult:
        try:
            return await self._on(self._readers, functools.partial(_search, query=query))
        except sqlite3.DatabaseError as exc:  # locked past the timeout, disk error, a corrupt file
            raise ServiceUnavailable(
                f"The search index is unavailable ({exc}); `algoitny reindex` rebuilds it."
            ) from exc


def _stored_version(connection: sqlite3.Connection, key: tuple[str, str]) -> tuple[int, Version] | None:
    row = connection.execute(
        "SELECT id, version_updated, version_sequence FROM problem WHERE platform = ? AND identifier = ?", key
    ).fetchone()
    return None if row is None else (row[0], Version(row[1], row[2]))


def _write(connection: sqlite3.Connection, *, documents: Sequence[ProblemDocument | Removal]) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        for document in documents:
            stored = _stored_version(connection, document.key)
            if stored is not None and stored[1] >= document.version:
                continue  # this version, or a newer one, is already in
            if stored is not None:
                connection.execute("DELETE FROM problem_text WHERE rowid = ?", (stored[0],))
                connection.execute("DELETE FROM problem_tag WHERE id = ?", (stored[0],))
            row_id = _put_row(connection, stored[0] if stored else None, document)
            if isinstance(document, ProblemDocument):
                _put_text(connection, row_id, document.problem)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _put_row(connection: sqlite3.Connection, row_id: int | None, document: ProblemDocument | Removal) -> int:
    platform, identifier = document.key
    version = document.version
    values: tuple[Any, ...]
    if isinstance(document, ProblemDocument):
        problem = document.problem
        values = (
            0,
            int(document.visible_to_all),
            text.joined(problem.identifier),
            text.joined(problem.title),
            problem.created_at,
            json.dumps(document.payload(), ensure_ascii=False, separators=(",", ":")),
        )
    else:
        values = (1, 0, None, None, 0, None)
    cursor = connection.execute(
        "INSERT INTO problem (id, platform, identifier, version_updated, version_sequence, removed, visible,"
        " exact_identifier, exact_title, created_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (platform, identifier) DO UPDATE SET version_updated = excluded.version_updated,"
        " version_sequence = excluded.version_sequence, removed = excluded.removed,"
        " visible = excluded.visible, exact_identifier = excluded.exact_identifier,"
        " exact_title = excluded.exact_title, created_at = excluded.created_at, payload = excluded.payload"
        " RETURNING id",
        (row_id, platform, identifier, version.updated_at, version.sequence, *values),
    )
    return cursor.fetchone()[0]


def _put_text(connection: sqlite3.Connection, row_id: int, problem: Problem) -> None:
    identifier_terms, title_terms = text.terms(problem.identifier), text.terms(problem.title)
    connection.execute(
        "INSERT INTO problem_text (rowid, identifier, title, tags, fragments) VALUES (?, ?, ?, ?, ?)",
        (
            row_id,
            " ".join(identifier_terms),
            " ".join(title_terms),
            " ".join(t for tag in problem.tags for t in text.terms(tag)),
            " ".join(text.suffixes(identifier_terms + title_terms)),
        ),
    )
    connection.executemany(
        "INSERT OR IGNORE INTO problem_tag (tag, id) VALUES (?, ?)", [(tag, row_id) for tag in problem.tags]
    )


def _search(connection: sqlite3.Connection, *, query: SearchQuery) -> SearchResult:
    anywhere, title, words = match_expressions(query.terms)
    filters = []
    parameters: dict[str, Any] = {
        "exact": " ".join(query.terms),
        "anywhere": anywhere,
        "title": title,
        "words": words,
        "limit": query.limit + 1,
        "offset": query.offset,
    }
    if query.platform:
        filters.append("AND p.platform = :platform")
        parameters["platform"] = query.platform
    if query.tag:
        filters.append("AND p.id IN (SELECT id FROM problem_tag WHERE tag = :tag)")
        parameters["tag"] = query.tag
    if not query.include_hidden:
        filters.append("AND p.visible = 1")
    rows = connection.execute(_SEARCH.format(filters=" ".join(filters)), parameters).fetchall()
    hits = [
        SearchHit(problem=problem_from_payload(json.loads(payload)), score=(3 - tier) * 1e6 - score)
        for payload, tier, score in rows[: query.limit]
    ]
    return SearchResult(hits=hits, more=len(rows) > query.limit)
