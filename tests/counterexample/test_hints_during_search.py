"""Hints asked for while a counterexample search runs: provisional until it ends, then
replaced (for free) by hints that quote its counterexample. The search's states are set on
the table directly (no worker runs here), so nothing depends on timing."""

from __future__ import annotations

from algoitny.domain import CounterexampleStatus, Submission, Summary
from algoitny.executor import Verdict
from algoitny.services.ids import new_task_id
from algoitny.stress.engine import Counterexample
from algoitny.table import StressRepository
from tests.judging.helpers import create_problem

FOUND = Counterexample(
    input="7 7\n", expected="14\n", output="15\n", verdict=Verdict.WA, checker_message=None, size=1,
    tries=3, elapsed_ms=40,
)  # fmt: skip


async def _owned_wrong_submission(api, submissions) -> tuple[str, dict[str, str]]:
    body = (await api.post("/api/auth/dev/", json={"email": "hinted@example.com"})).json()
    await create_problem(api, "cxh", tests=1)
    submission = await submissions.create(
        Submission(
            new_task_id(), body["user"]["user_id"], "custom", "cxh", "A+B", "python", "print(1)", False
        )
    )
    await submissions.finish(submission, Summary("WA", 0, 1, 1))
    return submission.submission_id, {"Authorization": f"Bearer {body['access_token']}"}


async def test_hints_made_while_searching_are_replaced_once_it_ends(api, table, submissions):
    submission_id, owner = await _owned_wrong_submission(api, submissions)
    stress = StressRepository(table)
    started = await stress.start_search(submission_id, stale_before_ms=0)
    assert started is not None

    def ask():
        return api.post(f"/api/submissions/{submission_id}/hints", headers=owner)

    during = (await ask()).json()
    assert during["provisional"] is True and during["cached"] is False and during["current_count"] == 1
    assert not any("7 7" in hint for hint in during["hints"])
    again = (await ask()).json()
    assert again["hints"] == during["hints"] and again["cached"] is True and again["provisional"] is True
    assert again["current_count"] is None, "served from the table while the search runs: no quota"

    assert await stress.finish_search(
        submission_id, started_at=started, status=CounterexampleStatus.FOUND, counterexample=FOUND
    )
    after = (await ask()).json()
    assert "7 7" in after["hints"][0], "the hints made after the search quote its counterexample"
    assert after["provisional"] is False and after["cached"] is False
    assert after["current_count"] is None, "replacing provisional hints is free"
    stored = (await api.get(f"/api/submissions/{submission_id}/hints", headers=owner)).json()
    assert stored["hints"] == after["hints"] and stored["provisional"] is False
    last = (await ask()).json()
    assert last["hints"] == after["hints"] and last["cached"] is True
