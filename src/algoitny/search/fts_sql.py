"""What the FTS5 backend runs on a connection: the schema, versioned writes, ranked reads.

Every function here takes a ``sqlite3.Connection`` and runs on one of ``Fts5Index``'s
threads (``fts.py`` explains the threads and the tables).
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Sequence
from typing import Any

from algoitny.errors import InvalidCursor
from algoitny.search import text
from algoitny.search.documents import (
    Position,
    ProblemDocument,
    Removal,
    SearchHit,
    SearchQuery,
    SearchResult,
    Version,
    problem_from_payload,
)

SCHEMA = """
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
    UNIQUE (platform, identifier)
);
CREATE TABLE IF NOT EXISTS problem_payload (
    id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL
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


# One window of one tier: its newest WINDOW matches below a rowid (FTS5 walks its doclists
# in rowid order and stops at the limit), bm25 computed for those rows only. CROSS JOIN
# keeps FTS5 the outer loop (the planner would rather walk `problem` by platform).
_WINDOW_SQL = f"""
SELECT problem_text.rowid, bm25(problem_text, {_WEIGHTS})
FROM problem_text CROSS JOIN problem AS p ON p.id = problem_text.rowid
WHERE problem_text MATCH :match AND problem_text.rowid < :upper {{filters}}
ORDER BY problem_text.rowid DESC
LIMIT :window
"""
_EXACT_SQL = """
SELECT p.id FROM problem AS p
WHERE (p.exact_identifier = :exact OR p.exact_title = :exact) AND p.removed = 0 {filters}
ORDER BY p.id DESC LIMIT 100
"""
WINDOW = 256
_TOP = 2**63 - 1
_ID_SPREAD = 4096  # row ids are created_at (ms) × 4096 + a hash of the key: newest = largest


def _stored_version(connection: sqlite3.Connection, key: tuple[str, str]) -> tuple[int, Version] | None:
    row = connection.execute(
        "SELECT id, version_updated, version_sequence FROM problem WHERE platform = ? AND identifier = ?", key
    ).fetchone()
    return None if row is None else (row[0], Version(row[1], row[2]))


def _new_id(connection: sqlite3.Connection, created_at: int, key: tuple[str, str]) -> int:
    """Row ids follow creation time, so FTS5's rowid order is newest first."""
    row_id = max(created_at, 0) * _ID_SPREAD + zlib.crc32("#".join(key).encode()) % _ID_SPREAD
    while connection.execute("SELECT 1 FROM problem WHERE id = ?", (row_id,)).fetchone():
        row_id += 1
    return row_id


def write(connection: sqlite3.Connection, *, documents: Sequence[ProblemDocument | Removal]) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        for document in documents:
            stored = _stored_version(connection, document.key)
            if stored is not None and stored[1] >= document.version:
                continue  # this version, or a newer one, is already in
            if stored is not None:
                row_id = stored[0]
                for table, column in (
                    ("problem_text", "rowid"),
                    ("problem_tag", "id"),
                    ("problem_payload", "id"),
                ):
                    connection.execute(f"DELETE FROM {table} WHERE {column} = ?", (row_id,))
            else:
                created_at = document.problem.created_at if isinstance(document, ProblemDocument) else 0
                row_id = _new_id(connection, created_at, document.key)
            _put_row(connection, row_id, document)
            if isinstance(document, ProblemDocument):
                _put_text(connection, row_id, document)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _put_row(connection: sqlite3.Connection, row_id: int, document: ProblemDocument | Removal) -> None:
    platform, identifier = document.key
    values: tuple[Any, ...]
    if isinstance(document, ProblemDocument):
        problem = document.problem
        values = (
            0,
            int(document.visible_to_all),
            text.joined(problem.identifier),
            text.joined(problem.title),
            problem.created_at,
        )
    else:
        values = (1, 0, None, None, 0)
    connection.execute(
        "INSERT OR REPLACE INTO problem (id, platform, identifier, version_updated, version_sequence, removed,"
        " visible, exact_identifier, exact_title, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row_id, platform, identifier, document.version.updated_at, document.version.sequence, *values),
    )


def _put_text(connection: sqlite3.Connection, row_id: int, document: ProblemDocument) -> None:
    problem = document.problem
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
    connection.execute(
        "INSERT INTO problem_payload (id, payload) VALUES (?, ?)",
        (row_id, json.dumps(document.payload(), ensure_ascii=False, separators=(",", ":"))),
    )


def _filters(query: SearchQuery) -> tuple[str, dict[str, Any]]:
    clauses, parameters = [], {}
    if query.platform:
        # Unary + keeps the planner off the (platform, identifier) index: the exact-match
        # indexes (exact lookup) and FTS5's rowid order (windows) are the selective paths.
        clauses.append("AND +p.platform = :platform")
        parameters["platform"] = query.platform
    if query.tag:
        clauses.append("AND EXISTS (SELECT 1 FROM problem_tag AS t WHERE t.tag = :tag AND t.id = p.id)")
        parameters["tag"] = query.tag
    if not query.include_hidden:
        clauses.append("AND p.visible = 1")
    return " ".join(clauses), parameters


def _start(after: Position | None, window: int) -> tuple[int, int, int]:
    if after is None:
        return 0, _TOP, 0
    if len(after) != 3 or not all(isinstance(v, int) and not isinstance(v, bool) for v in after):
        raise InvalidCursor()
    tier, upper, skip = after
    if not (0 <= tier <= 4 and 0 < upper <= _TOP and 0 <= skip <= max(window, 100)):
        raise InvalidCursor()
    return tier, upper, skip


def search_page(connection: sqlite3.Connection, *, query: SearchQuery, window: int = WINDOW) -> SearchResult:
    """Tier by tier (exact; identifier/title words; tag words; word parts), each read in
    windows of its ``WINDOW`` newest matches ranked by bm25: a page costs a window or
    two, however many problems match. The position is (tier, window's upper rowid, rows
    of the window already shown)."""
    anywhere, title, words = match_expressions(query.terms)
    tiers = [title, f"({words}) NOT ({title})", f"({anywhere}) NOT ({words})"]
    filters, parameters = _filters(query)
    exact = [
        row[0]
        for row in connection.execute(
            _EXACT_SQL.format(filters=filters), parameters | {"exact": " ".join(query.terms)}
        )
    ]
    excluded = set(exact)
    window_sql = _WINDOW_SQL.format(filters=filters)
    wanted = query.limit + 1
    taken: list[tuple[int, float, Position]] = []  # row id, score, the position after it
    tier, upper, skip = _start(query.after, window)
    while len(taken) < wanted and tier <= 3:
        if tier == 0:
            ranked = [(row_id, 0.0) for row_id in exact]
            full = False
        else:
            rows = connection.execute(
                window_sql, parameters | {"match": tiers[tier - 1], "upper": upper, "window": window}
            ).fetchall()
            full = len(rows) == window
            ranked = sorted(((r, s) for r, s in rows if r not in excluded), key=lambda row: (row[1], -row[0]))
        for index in range(skip, min(len(ranked), skip + wanted - len(taken))):
            row_id, score = ranked[index]
            taken.append((row_id, (3 - tier) * 1e6 - score, (tier, upper, index + 1)))
        if len(taken) >= wanted:
            break
        if full:
            upper, skip = rows[-1][0], 0  # the next window of the same tier
        else:
            tier, upper, skip = tier + 1, _TOP, 0
    page = taken[: query.limit]
    payloads = dict(
        connection.execute(
            f"SELECT id, payload FROM problem_payload WHERE id IN ({','.join('?' * len(page))})",
            [row_id for row_id, _, _ in page],
        ).fetchall()
    )
    hits = [
        SearchHit(problem=problem_from_payload(json.loads(payloads[row_id])), score=score)
        for row_id, score, _ in page
    ]
    return SearchResult(hits=hits, next=page[-1][2] if len(taken) > query.limit else None)
