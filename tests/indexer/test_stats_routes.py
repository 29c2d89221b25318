"""The statistics routes, over statistics a real indexer kept from the stream."""

from __future__ import annotations

import time

import pytest

from tests import factories
from tests.conftest import ADMIN_TOKEN, app_client
from tests.indexer.helpers import Judged, finished, running_indexer, wait_counted


@pytest.fixture
async def dev_api(settings):
    settings.auth = settings.auth.model_copy(update={"dev_login": True})
    async with app_client(settings) as client:
        yield client


async def _sign_in(api, email: str) -> tuple[str, dict]:
    tokens = (await api.post("/api/auth/dev/", json={"email": email})).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return (await api.get("/api/account/me", headers=headers)).json()["user_id"], headers


async def test_user_problem_and_admin_statistics(
    settings, dynamodb, streams, table, dev_api, admin, problems, submissions, statistics
):
    api = dev_api
    released = factories.problem_body(legacy_id=4242)
    draft = factories.problem_body(status="draft")
    for body in (released, draft):
        assert (await api.post("/api/problems", json=body, headers=admin)).status_code == 201
    ann, ann_headers = await _sign_in(api, "ann@example.com")
    now = int(time.time() * 1000)
    released_key = (released["platform"], released["problem_identifier"])
    draft_key = (draft["platform"], draft["problem_identifier"])
    history = [
        Judged(ann, released_key, "python", "WA", now - 2000),
        Judged(ann, released_key, "python", "AC", now - 1000),
        Judged(ann, draft_key, "cpp", "AC", now),
    ]
    async with running_indexer(settings, dynamodb, streams, table, owner="one"):
        await finished(problems, submissions, history)
        await wait_counted(statistics, len(history))

    mine = await api.get("/api/account/stats", headers=ann_headers)
    assert mine.status_code == 200, mine.text
    assert mine.json() == {
        "user_id": ann,
        "submissions": 3,
        "accepted": 2,
        "problems_tried": 2,
        "problems_solved": 2,
        "by_language": {"python": 2, "cpp": 1},
        "by_platform": {"codeforces": 3},
        "by_verdict": {"WA": 1, "AC": 2},
        "first_activity_at": now - 2000,
        "last_activity_at": now,
        "current_streak_days": 1,
        "longest_streak_days": 1,
    }
    assert (await api.get("/api/account/stats")).status_code == 401
    public = await api.get(f"/api/users/{ann}/stats")
    assert public.status_code == 200 and public.json() == mine.json(), "numbers only: the same for all"
    missing = await api.get("/api/users/u0123456789abcdef0123/stats")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "user_not_found"

    problem = await api.get(f"/api/problems/{released_key[0]}/{released_key[1]}/stats")
    assert problem.status_code == 200, problem.text
    assert problem.json() == {
        "platform": released_key[0],
        "problem_identifier": released_key[1],
        "submissions": 2,
        "accepted": 1,
        "acceptance_rate": 0.5,
        "users_tried": 1,
        "users_solved": 1,
        "by_language": {"python": 2},
        "by_verdict": {"WA": 1, "AC": 1},
    }
    assert (await api.get("/api/problems/legacy/4242/stats")).json() == problem.json()
    hidden = await api.get(f"/api/problems/{draft_key[0]}/{draft_key[1]}/stats")
    assert hidden.status_code == 404, "a draft's statistics: admins only, like the draft"
    shown = await api.get(f"/api/problems/{draft_key[0]}/{draft_key[1]}/stats", headers=admin)
    assert shown.json()["submissions"] == 1

    overall = await api.get("/api/admin/stats?days=1", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert overall.status_code == 200
    assert overall.json()["submissions"] == {
        "submissions": 3,
        "accepted": 2,
        "by_language": {"python": 2, "cpp": 1},
        "by_platform": {"codeforces": 3},
        "by_verdict": {"WA": 1, "AC": 2},
    }
    assert len(overall.json()["days"]) == 1
