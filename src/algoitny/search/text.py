"""Normalising, tokenising and highlighting text, the same way for documents and queries.

Both backends index what this module makes, so a query matches exactly when its terms
match: NFKC (full-width ``１５２０Ｅ`` is ``1520e``), case folding, diacritics removed
(``é`` is ``e``; Hangul syllables are decomposed and recomposed, never lost). A term is
a run of letters or digits (``str.isalnum``); everything else separates terms, so
``A+B`` is ``a b``. Every function is one linear pass over its input.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable

_TERM = re.compile(r"[^\W_]+")  # a run of letters/digits: linear, no backtracking


@functools.lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char).casefold())
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", kept)


def normalize(text: str) -> str:
    """Folded text, character by character (``highlight`` maps it back the same way)."""
    return "".join(_fold_char(c) for c in text)


def terms(text: str) -> list[str]:
    return _TERM.findall(normalize(text))


def joined(text: str) -> str:
    """The terms separated by single spaces: what "exactly this title" compares."""
    return " ".join(terms(text))


def suffixes(words: Iterable[str]) -> list[str]:
    """Every proper suffix of every term: a substring of a term is a prefix of one of
    them, so a prefix query on these finds substrings of any length, including the one-
    and two-syllable Korean words a trigram index cannot (``경로`` in ``최단경로``)."""
    return [word[start:] for word in words for start in range(1, len(word))]


def highlight(
    title: str, query_terms: Iterable[str], *, mark: tuple[str, str] = ("<mark>", "</mark>")
) -> str:
    """``title``, HTML-escaped, with every occurrence of a query term wrapped in ``mark``.

    Matching runs on the folded text; each folded character remembers the original
    character it came from, so the marks land on the title as written."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(title):
        for piece in _fold_char(char):
            folded.append(piece)
            origin.append(index)
    text = "".join(folded)
    marked = [False] * len(title)
    for term in set(query_terms):
        if not term:
            continue
        start = text.find(term)
        while start != -1:
            for position in range(start, start + len(term)):
                marked[origin[position]] = True
            start = text.find(term, start + len(term))
    out: list[str] = []
    open_mark = False
    for index, char in enumerate(title):
        if marked[index] != open_mark:
            out.append(mark[0] if marked[index] else mark[1])
            open_mark = marked[index]
        out.append(html.escape(char))
    if open_mark:
        out.append(mark[1])
    return "".join(out)
