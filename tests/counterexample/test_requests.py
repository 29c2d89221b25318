"""Asking for a search: owner or admin, one ``stress`` quota unit each, 409 while one runs
or once one was found. No worker consumes the stress queue here: the jobs only wait."""

from __future__ import annotations

from algoitny.domain import Plan, Submission, Summary
from algoitny.resources import open_redis
from algoitny.services.counterexample import stress_queue
from algoitny.services.ids import new_task_id
from tests.counterexample.helpers import stressed_problem
from tests.judging.helpers import ADMIN, SOLUTION, create_problem


async def _user(api, email: str) -> tuple[str, dict[str, str]]:
    body = (await api.post("/api/auth/dev/", json={"email": email})).json()
    return body["user"]["user_id"], {"Authorization": f"Bearer {body['access_token']}"}


async def _submission(submissions, owner: str, identifier: str, *, done: bool = True, public: bool = False):
    submission = await submissions.create(
        Submission(new_task_id(), owner, "custom", identifier, "A+B", "python", "print(1)", public)
    )
    if done:
        await submissions.finish(submission, Summary("WA", 0, 1, 1))
    return submission.submission_id


async def test_post_counterexample_quota_owner_and_conflicts(api, settings, submissions, plans):
    await plans.save(Plan("free", "Free", daily_executions=50, daily_hints=5, daily_stress=1))
    await stressed_problem(api, "cxq")
    await create_problem(api, "plain", tests=1, reference_solution={"language": "python", "code": SOLUTION})
    alice, alice_auth = await _user(api, "alice@example.com")
    _, bob_auth = await _user(api, "bob@example.com")
    first, second = await _submission(submissions, alice, "cxq"), await _submission(submissions, alice, "cxq")
    shown = await _submission(submissions, alice, "cxq", public=True)

    def post(submission_id: str, headers: dict[str, str]):
        return api.post(f"/api/submissions/{submission_id}/counterexample", headers=headers)

    started = await post(first, alice_auth)
    assert started.status_code == 202, started.text
    assert started.json()["usage"] == {**started.json()["usage"], "current_count": 1, "limit": 1}
    assert started.json()["websocket"] == f"/ws/executions/{first}"
    assert (await submissions.get(first)).counterexample_status == "searching"
    redis = open_redis(settings)
    try:
        assert await redis.zcard(stress_queue(settings)) == 1, "queued on the stress queue"
        assert await redis.zcard(settings.redis.queue_name) == 0, "not on the judging queue"
    finally:
        await redis.aclose()

    running = await post(first, alice_auth)
    assert running.status_code == 409 and running.json()["error"]["code"] == "counterexample_exists"
    spent = await post(second, alice_auth)
    assert spent.status_code == 429 and spent.json()["error"]["details"]["action"] == "stress"
    assert (await post(first, bob_auth)).status_code == 404, "a private submission stays hidden"
    not_owner = await post(shown, bob_auth)
    assert not_owner.status_code == 403 and not_owner.json()["error"]["code"] == "not_submission_owner"
    assert (await post(second, ADMIN)).status_code == 202, "admins have their own quota"

    queued = await _submission(submissions, alice, "cxq", done=False)
    unfinished = await post(queued, ADMIN)
    assert unfinished.status_code == 409 and unfinished.json()["error"]["code"] == "submission_not_finished"
    no_setup = await post(await _submission(submissions, alice, "plain"), ADMIN)
    assert no_setup.status_code == 400 and no_setup.json()["error"]["code"] == "stress_setup_missing"


async def test_stress_setup_is_validated_strictly(api):
    await create_problem(api, "strict", tests=1)
    path = "/api/problems/custom/strict/stress"
    good = {"generator": "print(1)", "sizes": {"min": 1, "max": 3}}
    for bad in (
        good | {"sizes": {"min": 0, "max": 3}},
        good | {"sizes": {"min": 4, "max": 3}},
        good | {"sizes": {"min": 1, "max": 10**6}},
        good | {"sizes": {"min": 1.5, "max": 3}},
        good | {"generator": "   "},
        good | {"generator": "x" * (64 * 1024 + 1)},
        good | {"surprise": True},
        {"sizes": {"min": 1, "max": 3}},
    ):
        response = await api.put(path, json=bad, headers=ADMIN)
        assert response.status_code == 422, (bad, response.text)
    assert (await api.get(path, headers=ADMIN)).json()["error"]["code"] == "stress_setup_not_found"
    missing = await api.put("/api/problems/custom/nope/stress", json=good, headers=ADMIN)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "problem_not_found"
    assert (await api.put(path, json=good, headers=ADMIN)).json() == good | {"validator": None}
