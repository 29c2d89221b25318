"""``GET /api/search/problems`` on the real app: problems created through the API, the
table's real stream applied by ``SearchSink`` to the FTS5 file the app reads."""

from __future__ import annotations

from algoitny.localstack import free_port
from algoitny.search import SearchSink, open_search_index
from algoitny.settings import SearchSettings
from tests import factories
from tests.conftest import app_client
from tests.search.conftest import read_stream

SEARCH = "/api/search/problems"


async def index_the_stream(settings) -> None:
    async with open_search_index(settings.search) as index:
        await SearchSink(index).apply(await read_stream(settings))


async def create(api, admin, **fields) -> dict:
    response = await api.post("/api/problems", json=factories.problem_body(**fields), headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


async def test_items_are_the_problem_lists_items_ranked_with_highlighted_titles(api, admin, settings):
    await create(
        api, admin, platform="baekjoon", problem_identifier="1753", title="최단경로", tags=["graphs"]
    )
    await create(api, admin, platform="baekjoon", problem_identifier="1000", title="A+B", tags=["math"])
    await create(api, admin, platform="codeforces", problem_identifier="1520E", title="Arranging The Sheep")
    await create(api, admin, platform="baekjoon", problem_identifier="1001", title="A-B <b>", tags=["math"])
    await index_the_stream(settings)

    response = await api.get(SEARCH, params={"q": "경로"})
    assert response.status_code == 200, response.text
    (item,) = response.json()["items"]
    listed = (await api.get("/api/problems", params={"platform": "baekjoon", "tag": "graphs"})).json()
    assert {k: v for k, v in item.items() if k != "title_highlight"} == listed["items"][0]
    assert item["title_highlight"] == "최단<mark>경로</mark>"

    found = (await api.get(SEARCH, params={"q": "1520e"})).json()["items"]
    assert [i["problem_identifier"] for i in found] == ["1520E"]
    found = (await api.get(SEARCH, params={"q": "a"})).json()["items"]
    assert [i["problem_identifier"] for i in found] == ["1000", "1001", "1520E"]  # shortest title first
    assert found[1]["title_highlight"] == "<mark>A</mark>-B &lt;b&gt;"  # escaped, so safe as HTML
    found = (await api.get(SEARCH, params={"q": "a", "tag": "math", "platform": "baekjoon"})).json()
    assert [i["problem_identifier"] for i in found["items"]] == ["1000", "1001"]
    found = (await api.get(SEARCH, params={"q": "math"})).json()["items"]  # tags are searched too
    assert sorted(i["problem_identifier"] for i in found) == ["1000", "1001"]


async def test_drafts_and_deleted_problems_are_found_by_admins_only(api, admin, settings):
    await create(
        api, admin, platform="baekjoon", problem_identifier="3001", title="Secret Draft", status="draft"
    )
    await create(api, admin, platform="baekjoon", problem_identifier="3002", title="Secret Gone")
    assert (await api.delete("/api/problems/baekjoon/3002", headers=admin)).status_code == 204
    await create(api, admin, platform="baekjoon", problem_identifier="3003", title="Secret Open")
    await index_the_stream(settings)

    public = (await api.get(SEARCH, params={"q": "secret"})).json()["items"]
    assert [i["problem_identifier"] for i in public] == ["3003"]
    admin_view = (await api.get(SEARCH, params={"q": "secret"}, headers=admin)).json()["items"]
    assert sorted(i["problem_identifier"] for i in admin_view) == ["3001", "3002", "3003"]


JUNK = ["", "   ", "!!!", "+-*/", "a" * 101, "abc\x00", "tab\tx", "zero\u200bwidth", " ".join("abcdefghijk")]


async def test_a_query_with_nothing_to_search_for_is_a_422_with_its_own_code(api):
    for q in JUNK:
        response = await api.get(SEARCH, params={"q": q})
        assert response.status_code == 422, (q, response.text)
        assert response.json()["error"]["code"] == "invalid_search_query"
    assert (await api.get(SEARCH, params={"q": "a" * 100})).status_code == 200


async def test_a_missing_query_or_bad_filter_is_a_validation_error(api):
    for params in ({}, {"q": "x", "platform": "nowhere"}, {"q": "x", "limit": "0"}):
        response = await api.get(SEARCH, params=params)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "validation_error"


async def test_the_cursor_pages_through_and_is_bound_to_its_query(api, admin, settings):
    for n in range(3):
        await create(api, admin, platform="baekjoon", problem_identifier=f"90{n}", title=f"Pager {n}")
    await index_the_stream(settings)
    seen, cursor = [], None
    while True:
        params = {"q": "pager", "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = (await api.get(SEARCH, params=params)).json()
        seen += [i["problem_identifier"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        first_cursor = cursor
    assert seen == ["902", "901", "900"]
    for params in (
        {"q": "pager other", "cursor": first_cursor},
        {"q": "pager", "platform": "baekjoon", "cursor": first_cursor},
        {"q": "pager", "cursor": first_cursor[:-2] + "AA"},
        {"q": "pager", "cursor": "junk"},
    ):
        response = await api.get(SEARCH, params=params)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_cursor"
    # An admin's cursor does not serve a public caller (it may count hidden problems).
    admin_page = (await api.get(SEARCH, params={"q": "pager", "limit": "1"}, headers=admin)).json()
    response = await api.get(SEARCH, params={"q": "pager", "cursor": admin_page["next_cursor"]})
    assert response.json()["error"]["code"] == "invalid_cursor"


async def test_an_unreadable_index_file_is_a_503_not_a_500(settings):
    settings.search.path.write_bytes(b"not a database, " * 512)
    async with app_client(settings) as client:
        response = await client.get(SEARCH, params={"q": "anything"})
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "service_unavailable"


async def test_an_unreachable_opensearch_is_a_503_not_a_500(settings):
    """The real opensearch-py client against a closed port (no cluster needed for this)."""
    unreachable = SearchSettings(url=f"http://127.0.0.1:{free_port()}", timeout_s=1)
    async with app_client(settings.model_copy(update={"search": unreachable})) as client:
        response = await client.get(SEARCH, params={"q": "anything"})
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "service_unavailable"
