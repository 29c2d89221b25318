"""What a user may type into search, and the cursor of a result page.

A query is at most ``MAX_QUERY_CHARS`` characters and ``MAX_TERMS`` terms, has no
control or format characters, and has at least one term (a run of letters or digits):
anything else is ``422 invalid_search_query`` with the reason, never a 500. A cursor is
where the next page starts (the backend's position), signed and bound to the query, its
filters and the caller's view (the table's ``CursorCodec``), so it cannot be edited or
replayed against another query.
"""

from __future__ import annotations

import unicodedata

from algoitny.errors import InvalidCursor, InvalidSearchQuery
from algoitny.search import text
from algoitny.search.documents import Position
from algoitny.table.cursor import CursorCodec

MAX_QUERY_CHARS = 100
MAX_TERMS = 10


def parse_query(query: str) -> tuple[str, ...]:
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidSearchQuery(f"The query is longer than {MAX_QUERY_CHARS} characters.")
    if any(unicodedata.category(c).startswith("C") for c in query):
        raise InvalidSearchQuery("The query contains control or invisible characters.")
    found = tuple(dict.fromkeys(text.terms(query)))
    if not found:
        raise InvalidSearchQuery("The query has no letters or digits to search for.")
    if len(found) > MAX_TERMS:
        raise InvalidSearchQuery(f"The query has more than {MAX_TERMS} words.")
    return found


def query_id(terms: tuple[str, ...], *, platform: str | None, tag: str | None, include_hidden: bool) -> str:
    return f"search:{' '.join(terms)}:{platform or ''}:{tag or ''}:{int(include_hidden)}"


def decode_position(cursors: CursorCodec, cursor: str | None, query: str) -> Position | None:
    if not cursor:
        return None
    after = cursors.decode(cursor, query).get("after")
    if not isinstance(after, list) or not 0 < len(after) <= 4:
        raise InvalidCursor()
    return tuple(after)


def encode_position(cursors: CursorCodec, position: Position | None, query: str) -> str | None:
    return None if position is None else cursors.encode({"after": list(position)}, query)
