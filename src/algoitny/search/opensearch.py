"""The OpenSearch backend (``ALGOITNY_SEARCH__URL``), through opensearch-py's async client.

Text reaches OpenSearch already folded into terms by ``search.text`` (the same terms the
FTS5 backend indexes), so both backends match the same things. The mapping
(``MAPPING``; created by ``ensure``, which ``algoitny migrate`` runs):

    identifier, title, tags   whitespace-analysed terms; ``.prefix`` sub-fields indexed
                              through an edge-ngram filter (1-32): prefix as you type
    fragments                 every proper suffix of every identifier/title term, indexed
                              with edge-ngrams: a prefix of a suffix is a substring (the
                              CJK substring match, any length, one syllable or more)
    exact_identifier/_title   keywords: the joined terms, for the exact-match tier
    platform, tag_values      keywords, for the filters
    visible, removed          booleans (visible = released and not deleted)
    version_updated/_sequence the document's version (``documents.Version``)
    payload                   the problem, stored and not indexed

Writes are bulk ``update`` actions with a scripted upsert that replaces the document
only when the new version is greater (the check runs on the shard, so concurrent
writers cannot reorder it). Ranking: the same tiers as FTS5, expressed as boosts
(exact ×1000, identifier/title words ×100, tag words ×10), then the field weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from algoitny.errors import InvalidCursor, ServiceUnavailable
from algoitny.search import text
from algoitny.search.documents import (
    ProblemDocument,
    Removal,
    SearchHit,
    SearchQuery,
    SearchResult,
    problem_from_payload,
)

_EDGE = {"type": "text", "analyzer": "edge", "search_analyzer": "whitespace"}
MAPPING: dict[str, Any] = {
    "settings": {
        "analysis": {
            "filter": {"edge_1_32": {"type": "edge_ngram", "min_gram": 1, "max_gram": 32}},
            "analyzer": {"edge": {"type": "custom", "tokenizer": "whitespace", "filter": ["edge_1_32"]}},
        }
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "identifier": {"type": "text", "analyzer": "whitespace", "fields": {"prefix": _EDGE}},
            "title": {"type": "text", "analyzer": "whitespace", "fields": {"prefix": _EDGE}},
            "tags": {"type": "text", "analyzer": "whitespace", "fields": {"prefix": _EDGE}},
            "fragments": _EDGE,
            "exact_identifier": {"type": "keyword"},
            "exact_title": {"type": "keyword"},
            "platform": {"type": "keyword"},
            "tag_values": {"type": "keyword"},
            "visible": {"type": "boolean"},
            "removed": {"type": "boolean"},
            "created_at": {"type": "long"},
            "key": {"type": "keyword"},
            "version_updated": {"type": "long"},
            "version_sequence": {"type": "keyword"},
            "payload": {"type": "object", "enabled": False},
        },
    },
}

_NEWER_ONLY = """
if (ctx._source.version_updated != null && (ctx._source.version_updated > params.u
    || (ctx._source.version_updated == params.u && ctx._source.version_sequence.compareTo(params.s) >= 0))) {
  ctx.op = 'none';
} else {
  ctx._source.clear();
  ctx._source.putAll(params.doc);
}
"""


def _id(document: ProblemDocument | Removal) -> str:
    return f"{document.key[0]}#{document.key[1]}"


def _source(document: ProblemDocument | Removal) -> dict[str, Any]:
    version = {
        "version_updated": document.version.updated_at,
        "version_sequence": document.version.sequence,
    }
    if isinstance(document, Removal):
        return {
            "platform": document.platform,
            "removed": True,
            "visible": False,
            "key": _id(document),
            **version,
        }
    problem = document.problem
    identifier_terms, title_terms = text.terms(problem.identifier), text.terms(problem.title)
    return {
        "identifier": " ".join(identifier_terms),
        "title": " ".join(title_terms),
        "tags": " ".join(t for tag in problem.tags for t in text.terms(tag)),
        "fragments": " ".join(text.suffixes(identifier_terms + title_terms)),
        "exact_identifier": " ".join(identifier_terms),
        "exact_title": " ".join(title_terms),
        "platform": problem.platform,
        "tag_values": problem.tags,
        "visible": document.visible_to_all,
        "removed": False,
        "created_at": problem.created_at,
        "key": _id(document),
        "payload": document.payload(),
        **version,
    }


def _terms_query(terms: Sequence[str], fields: list[str], *, fragments: bool) -> list[dict[str, Any]]:
    return [
        {
            "multi_match": {
                "query": term,
                "fields": fields + (["fragments^1"] if fragments and len(term) > 1 else []),
                "type": "best_fields",
            }
        }
        for term in terms
    ]


def search_body(query: SearchQuery) -> dict[str, Any]:
    exact = " ".join(query.terms)
    filters: list[dict[str, Any]] = [{"term": {"removed": False}}]
    if query.platform:
        filters.append({"term": {"platform": query.platform}})
    if query.tag:
        filters.append({"term": {"tag_values": query.tag}})
    if not query.include_hidden:
        filters.append({"term": {"visible": True}})
    words = ["identifier.prefix^20", "title.prefix^10"]
    body: dict[str, Any] = {
        "size": query.limit + 1,
        "_source": ["payload"],
        "sort": [{"_score": "desc"}, {"created_at": "desc"}, {"key": "desc"}],
        "query": {
            "bool": {
                "must": _terms_query(query.terms, [*words, "tags.prefix^4"], fragments=True),
                "filter": filters,
                "should": [
                    {"term": {"exact_identifier": {"value": exact, "boost": 1000}}},
                    {"term": {"exact_title": {"value": exact, "boost": 1000}}},
                    {"bool": {"must": _terms_query(query.terms, words, fragments=False), "boost": 100}},
                    {
                        "bool": {
                            "must": _terms_query(query.terms, [*words, "tags.prefix"], fragments=False),
                            "boost": 10,
                        }
                    },
                ],
            }
        },
    }
    if query.after is not None:
        if len(query.after) != 3:
            raise InvalidCursor()
        body["search_after"] = list(query.after)
    return body


class OpenSearchIndex:
    name = "opensearch"

    def __init__(
        self, url: str, *, index: str, timeout_s: float = 5.0, refresh: bool | str = False, **client: Any
    ) -> None:
        from opensearchpy import AsyncOpenSearch

        self.index = index
        self._refresh = refresh  # tests: "wait_for", so a write is visible when it returns
        self._client = AsyncOpenSearch(hosts=[url], timeout=timeout_s, **client)

    async def ensure(self) -> None:
        if not await self._client.indices.exists(index=self.index):
            await self._client.indices.create(index=self.index, body=MAPPING)

    async def _bulk(self, documents: Sequence[ProblemDocument | Removal]) -> None:
        from opensearchpy.helpers import async_bulk

        actions = [
            {
                "_op_type": "update",
                "_index": self.index,
                "_id": _id(document),
                "scripted_upsert": True,
                "upsert": {},
                "script": {
                    "source": _NEWER_ONLY,
                    "lang": "painless",
                    "params": {
                        "u": document.version.updated_at,
                        "s": document.version.sequence,
                        "doc": _source(document),
                    },
                },
                "retry_on_conflict": 5,
            }
            for document in documents
        ]
        await async_bulk(self._client, actions, refresh=self._refresh, chunk_size=500)

    async def upsert(self, documents: Sequence[ProblemDocument]) -> None:
        if documents:
            await self._bulk(documents)

    async def delete(self, removals: Sequence[Removal]) -> None:
        if removals:
            await self._bulk(removals)

    async def search(self, query: SearchQuery) -> SearchResult:
        from opensearchpy.exceptions import NotFoundError, TransportError

        try:
            answer = await self._client.search(index=self.index, body=search_body(query))
        except NotFoundError:
            return SearchResult()  # not created yet: `algoitny migrate` creates it
        except TransportError as exc:  # unreachable, timed out, overloaded (429), failing (5xx)
            raise ServiceUnavailable(f"The search cluster did not answer ({exc.status_code}).") from exc
        found = answer["hits"]["hits"]
        hits = [
            SearchHit(
                problem=problem_from_payload(hit["_source"]["payload"]), score=float(hit["_score"] or 0)
            )
            for hit in found[: query.limit]
        ]
        more = len(found) > query.limit
        return SearchResult(hits=hits, next=tuple(found[query.limit - 1]["sort"]) if more else None)

    async def count(self) -> int:
        answer = await self._client.count(index=self.index, body={"query": {"term": {"removed": False}}})
        return int(answer["count"])

    async def reset(self) -> None:
        await self._client.indices.delete(index=self.index, ignore_unavailable=True)
        await self.ensure()

    async def close(self) -> None:
        await self._client.close()
