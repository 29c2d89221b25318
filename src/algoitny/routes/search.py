"""Problem search: reads the search index only (the change stream keeps it up to date)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from algoitny.deps import CallerDep, ResourcesDep
from algoitny.domain import Platform
from algoitny.routes.responses import errors, json_body
from algoitny.schemas.common import PageLimit, Tag
from algoitny.schemas.presenters import problem_read
from algoitny.schemas.search import ProblemSearchItem, ProblemSearchPage
from algoitny.search import SearchIndex, SearchQuery, text
from algoitny.search.query import MAX_QUERY_CHARS, decode_position, encode_position, parse_query, query_id

router = APIRouter(prefix="/api/search", tags=["search"])


def get_search_index(request: Request) -> SearchIndex:
    return request.app.state.search


SearchDep = Annotated[SearchIndex, Depends(get_search_index)]


@router.get("/problems", response_model=ProblemSearchPage, responses=errors(400, 401))
async def search_problems(
    index: SearchDep,
    resources: ResourcesDep,
    caller: CallerDep,
    q: Annotated[
        str,
        Query(
            description=f"Words, word beginnings (as you type), an identifier (`1000`, `1520E`) or any "
            f"part of a title word (`경로`); at most {MAX_QUERY_CHARS} characters. All words must match.",
        ),
    ],
    platform: Platform | None = None,
    tag: Annotated[Tag | None, Query()] = None,
    limit: PageLimit = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Response:
    """Problems matching `q`, best first: an exact identifier or title, then identifier and
    title words, then tags, then parts of title words. `platform` and `tag` narrow the
    result. Drafts and deleted problems are found by admins only. A query with nothing to
    search for (empty, only punctuation, too long, control characters) is `422
    invalid_search_query`."""
    terms = parse_query(q)
    fingerprint = query_id(terms, platform=platform, tag=tag, include_hidden=caller.is_admin)
    cursors = resources.problems.cursors
    after = decode_position(cursors, cursor, fingerprint)
    result = await index.search(
        SearchQuery(
            terms=terms,
            platform=platform.value if platform else None,
            tag=tag,
            include_hidden=caller.is_admin,
            limit=limit,
            after=after,
        )
    )
    items = [
        ProblemSearchItem(
            **problem_read(hit.problem, admin_view=caller.is_admin).model_dump(),
            title_highlight=text.highlight(hit.problem.title, terms),
        )
        for hit in result.hits
    ]
    next_cursor = encode_position(cursors, result.next, fingerprint)
    return json_body(ProblemSearchPage(items=items, next_cursor=next_cursor))
