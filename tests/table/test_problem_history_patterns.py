"""A problem's submissions visible to one viewer: GSI3, two partitions merged."""

from __future__ import annotations

import pytest

from algoitny.domain import Submission
from algoitny.errors import InvalidCursor
from algoitny.services.ids import new_task_id
from tests import factories


async def test_list_problem_submissions_visible_to_me(problems, submissions):
    problem = await problems.create(factories.problem())
    other = await problems.create(factories.problem())
    made = []
    for n, (user, public) in enumerate(
        [
            ("me", False),
            ("you", True),
            ("you", False),
            ("me", True),
            ("them", True),
            ("me", False),
            ("you", True),
        ]
    ):
        submission = Submission(
            submission_id=new_task_id(),
            user_id=user,
            platform=problem.platform,
            identifier=problem.identifier,
            problem_title=problem.title,
            language="python",
            code="print(1)",
            public=public,
            created_at=1_700_000_000_000 + n,
        )
        made.append(await submissions.create(submission))
    elsewhere = Submission(
        new_task_id(), "me", other.platform, other.identifier, other.title, "python", "x", True
    )
    await submissions.create(elsewhere)

    visible = [s.submission_id for s in made[::-1] if s.public or s.user_id == "me"]
    pages, cursor = [], None
    while True:
        page = await submissions.list_for_problem(
            problem.platform, problem.identifier, viewer="me", limit=2, cursor=cursor
        )
        pages.append([s.submission_id for s in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [sid for page in pages for sid in page] == visible, "mine and public ones, newest first, once each"
    assert all(len(page) == 2 for page in pages[:-1])
    anonymous = await submissions.list_for_problem(
        problem.platform, problem.identifier, viewer=None, limit=50, cursor=None
    )
    assert [s.submission_id for s in anonymous.items] == [s.submission_id for s in made[::-1] if s.public]
    first = await submissions.list_for_problem(
        problem.platform, problem.identifier, viewer="me", limit=1, cursor=None
    )
    with pytest.raises(InvalidCursor):
        await submissions.list_for_problem(
            problem.platform, problem.identifier, viewer="you", limit=1, cursor=first.next_cursor
        )
