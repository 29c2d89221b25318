"""Consistency of the HTTP surface (issue 10, items 12–14): both slash forms, strict JSON
types, the code limit in bytes, dev sign-in on reserved test domains, quota resets in
ISO 8601, 401 (not 403) for anonymous callers, and /docs without a CDN."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from algoitny.app import create_app
from algoitny.settings import Settings
from tests.conftest import app_client

RUN = {"code": "print(1)", "language": "python"}


def _operations():
    schema = create_app(Settings()).openapi()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method.upper(), path


def _fill(path: str) -> str:
    values = {"platform": "custom", "problem_identifier": "nope", "index": "1", "part": "output"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "s" + "0" * 23), path)


async def test_every_operation_answers_both_slash_forms_without_redirect(api, admin):
    for method, path in _operations():
        published = _fill(path)
        other = published[:-1] if published.endswith("/") else published + "/"
        for url in (published, other):
            response = await api.request(method, url, headers=admin, json={})
            assert response.status_code not in (307, 308, 405), f"{method} {url}: {response.status_code}"
            if response.status_code == 404:
                assert response.json()["error"]["code"] != "route_not_found", f"{method} {url}"


async def test_the_other_slash_form_reaches_the_same_operation(api, announced_worker):
    ran = await api.post("/api/run", json=RUN)
    assert ran.status_code == 202, ran.text
    listed = await api.get("/api/problems/")
    assert listed.status_code == 200 and "items" in listed.json()


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/run/", {**RUN, "code": 5}),
        ("/api/execute/", {**RUN, "problem_id": "1000"}),
        ("/api/execute/", {**RUN, "problem_id": 1000.5}),
        ("/api/execute/", {**RUN, "problem_id": True}),
        ("/api/execute/", {**RUN, "problem_id": 1000, "is_code_public": "yes"}),
        ("/api/execute/", {**RUN, "problem_id": 1000, "is_code_public": 0}),
        ("/api/execute/", {**RUN, "problem_id": 1000, "is_code_public": "true"}),
        (
            "/api/problems",
            {"platform": "custom", "problem_identifier": "s1", "title": "x", "time_limit_ms": "1000"},
        ),
        ("/api/problems", {"platform": "custom", "problem_identifier": "s2", "title": "x", "legacy_id": "7"}),
        (
            "/api/problems",
            {
                "platform": "custom",
                "problem_identifier": "s3",
                "title": "x",
                "checker": {"name": "float", "abs_tol": "0.1"},
            },
        ),
    ],
)
async def test_request_bodies_take_json_types_strictly(api, admin, path, body):
    response = await api.post(path, headers=admin, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


async def test_strict_types_still_accept_the_right_json_types(api, admin, announced_worker):
    plan = {"display_name": "P", "daily_executions": "10", "daily_hints": 1}
    assert (await api.put("/api/admin/plans/strict", headers=admin, json=plan)).status_code == 422
    assert (
        await api.put("/api/admin/plans/strict", headers=admin, json={**plan, "paid": 1})
    ).status_code == 422
    plan = {**plan, "daily_executions": 10, "paid": True}
    assert (await api.put("/api/admin/plans/strict", headers=admin, json=plan)).status_code == 200
    created = await api.post(
        "/api/problems",
        headers=admin,
        json={
            "platform": "custom",
            "problem_identifier": "typed",
            "title": "x",
            "time_limit_ms": 1000,
            "checker": {"name": "float", "abs_tol": 1},  # a JSON integer is a number
        },
    )
    assert created.status_code == 201, created.text
    for problem_id in (424242, 424242.0):  # JSON Schema's integer: no fraction, any spelling
        missing = await api.post(
            "/api/execute/", json={**RUN, "problem_id": problem_id, "is_code_public": True}
        )
        assert missing.status_code == 404, missing.text  # typed right: it got as far as the lookup


async def test_execute_names_a_problem_one_way_only(api):
    both = {**RUN, "problem_id": 1, "platform": "custom", "problem_identifier": "x"}
    neither = dict(RUN)
    for body in (both, neither, {**RUN, "platform": "custom"}):
        response = await api.post("/api/execute/", json=body)
        assert response.status_code == 422, (body, response.text)


async def test_the_code_limit_counts_utf8_bytes(api, announced_worker):
    under = await api.post("/api/run/", json={**RUN, "code": "#" + "가" * 21_000})  # 63,001 bytes
    assert under.status_code == 202, under.text
    over = await api.post("/api/run/", json={**RUN, "code": "#" + "가" * 22_000})  # 66,001 bytes
    assert over.status_code == 422, over.text
    assert "bytes" in over.json()["error"]["message"]


@pytest.mark.parametrize("email", ["dev@example.com", "dev@box.test", "dev@site.example", "dev@localhost"])
async def test_dev_sign_in_accepts_reserved_test_domains(settings, email):
    settings.auth = settings.auth.model_copy(update={"dev_login": True})
    async with app_client(settings) as client:
        response = await client.post("/api/auth/dev", json={"email": email})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == email


@pytest.mark.parametrize("email", ["dev@x.invalid", "no-at-sign", "@localhost", "two@@example.com"])
async def test_dev_sign_in_still_rejects_what_is_not_an_address(settings, email):
    settings.auth = settings.auth.model_copy(update={"dev_login": True})
    async with app_client(settings) as client:
        response = await client.post("/api/auth/dev/", json={"email": email})
    assert response.status_code == 422, response.text


async def test_quota_errors_say_when_they_reset_in_iso_8601(settings, announced_worker):
    settings.quota = settings.quota.model_copy(update={"anonymous_executions": 1})
    async with app_client(settings) as client:
        assert (await client.post("/api/run/", json=RUN)).status_code == 202
        refused = await client.post("/api/run/", json=RUN)
    assert refused.status_code == 429, refused.text
    error = refused.json()["error"]
    resets_at = error["details"]["resets_at"]
    assert isinstance(resets_at, str) and resets_at.endswith("Z")
    moment = dt.datetime.fromisoformat(resets_at)
    assert moment.tzinfo is not None and (moment.hour, moment.minute, moment.second) == (0, 0, 0)
    assert resets_at in error["message"] and "epoch" not in error["message"]
    assert int(refused.headers["Retry-After"]) >= 1


async def test_an_anonymous_caller_gets_401_not_403(settings, admin, announced_worker):
    settings.auth = settings.auth.model_copy(update={"dev_login": True})
    async with app_client(settings) as client:
        await client.post(
            "/api/problems",
            headers=admin,
            json={"platform": "custom", "problem_identifier": "h", "title": "H", "status": "completed"},
        )
        await client.post(
            "/api/problems/custom/h/test-cases",
            headers=admin,
            json={"test_cases": [{"input": "1\n", "output": "1\n"}]},
        )
        submitted = await client.post(
            "/api/execute/",
            headers=admin,
            json={**RUN, "platform": "custom", "problem_identifier": "h", "is_code_public": True},
        )
        assert submitted.status_code == 202, submitted.text
        hints = f"/api/submissions/{submitted.json()['task_id']}/hints"
        anonymous = await client.post(hints)
        signed_in = (await client.post("/api/auth/dev/", json={"email": "other@example.com"})).json()
        other = await client.post(hints, headers={"Authorization": f"Bearer {signed_in['access_token']}"})
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_submission_owner"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_their_assets_from_this_server(api, page):
    html = (await api.get(page)).text
    assert "://" not in html, "an absolute URL: a CDN or another host"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(url.endswith(".js") for url in assets)
    for url in assets:
        assert url.startswith("/"), url
        response = await api.get(url)
        assert response.status_code == 200, url
        kind = "javascript" if url.endswith(".js") else "css" if url.endswith(".css") else "image"
        assert kind in response.headers["content-type"], (url, response.headers["content-type"])
        assert len(response.content) > 1000, url
