"""Junk from a client gets a 4xx with the error model, never a 500.

Walks every operation in the OpenAPI schema and sends malformed path values,
queries and bodies, with and without the admin token.
"""

import json

import pytest

from algoitny.app import create_app
from algoitny.settings import Settings

JUNK_VALUES = [
    "",
    " ",
    "null",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "\u0000",
    "%00",
    "../..",
    "a" * 5000,
    "\ud7ff\ue000",
    "😀",
    "legacy",
    "s" + "0" * 23,
    "'; DROP TABLE",
    "{}",
    "[]",
]
JUNK_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"x"',
    b"123",
    b'{"test_cases": null}',
    b'{"test_cases": [{}]}',
    b'{"test_cases": [{"input": 1, "output": []}]}',
    b'{"platform": "mars"}',
    json.dumps({"platform": "baekjoon", "problem_identifier": "#bad#", "title": "x"}).encode(),
    json.dumps({"platform": "baekjoon", "problem_identifier": "1", "title": "x", "legacy_id": -5}).encode(),
    json.dumps(
        {"platform": "baekjoon", "problem_identifier": "1", "title": "x", "time_limit_ms": 1e400}
    ).encode(),
    json.dumps(
        {"platform": "baekjoon", "problem_identifier": "1", "title": "x", "checker": {"name": "custom"}}
    ).encode(),
    json.dumps(
        {"platform": "baekjoon", "problem_identifier": "1", "title": "x", "tags": ["#"] * 50}
    ).encode(),
    json.dumps({"title": None, "extra": 1}).encode(),
    b"\xff\xfe\x00garbage",
]


def _operations():
    schema = create_app(Settings()).openapi()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method.upper(), path


def _fill(path: str, value: str) -> str:
    from urllib.parse import quote

    out = path
    for name in ("platform", "problem_identifier", "test_case_id"):
        out = out.replace("{" + name + "}", quote(value, safe="") or "x")
    return out


def _check(response):
    assert response.status_code < 500, (
        f"{response.request.method} {response.request.url}: {response.text[:300]}"
    )
    if response.status_code >= 400:
        assert response.json()["error"]["code"], response.text


@pytest.mark.parametrize("method,path", list(_operations()))
async def test_junk_never_yields_a_server_error(api, admin, method, path):
    for value in JUNK_VALUES:
        for headers in ({}, admin):
            url = _fill(path, value)
            _check(
                await api.request(
                    method,
                    url,
                    headers=headers,
                    params={"limit": value, "cursor": value, "tag": value, "status": value},
                )
            )
    for body in JUNK_BODIES:
        url = _fill(path.replace("{platform}", "baekjoon"), "1000")
        _check(
            await api.request(
                method, url, headers={**admin, "content-type": "application/json"}, content=body
            )
        )


async def test_oversized_body_is_413(api, admin, settings):
    limit = settings.api.max_problem_body_bytes
    response = await api.post(
        "/api/problems", headers={**admin, "content-length": str(limit + 1)}, content=b"x"
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


async def test_unknown_route_and_method(api):
    missing = await api.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "route_not_found"
    wrong = await api.put("/api/problems")
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


async def test_405_lists_every_method_of_the_path(api):
    response = await api.request("OPTIONS", "/api/problems")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
