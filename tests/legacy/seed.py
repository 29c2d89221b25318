"""Old-system rows for the tests: a small world of plans, users, problems, cases, history."""

from __future__ import annotations

import datetime as dt
import json

import psycopg

SOLUTION = "a, b = map(int, input().split())\nprint(a + b)\n"
WRONG = "a, b = map(int, input().split())\nprint(a - b)\n"
NOW = dt.datetime.now(dt.UTC)
YESTERDAY = NOW - dt.timedelta(days=1)
T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


async def insert(conn: psycopg.AsyncConnection, table: str, **columns) -> int:
    values = [json.dumps(v) if isinstance(v, list | dict) else v for v in columns.values()]
    names = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    cursor = await conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id", values)
    row = await cursor.fetchone()
    return row[0] if isinstance(row, tuple) else row["id"]


async def user(conn, email: str, **extra) -> int:
    return await insert(conn, "users", email=email, name=email.split("@")[0], **extra)


async def problem(conn, platform: str, number: str, **extra) -> int:
    fields = {"title": f"Problem {number}", "tags": [], "metadata": {}, "created_at": T0} | extra
    return await insert(conn, "problems", platform=platform, problem_id=number, **fields)


async def test_case(conn, problem_id: int, text_in: str, text_out: str, created_at=T0) -> int:
    return await insert(
        conn, "test_cases", problem_id=problem_id, input=text_in, output=text_out, created_at=created_at
    )


async def history(conn, user_id, problem_id: int, cases: list[int], outputs: list[str], **extra) -> int:
    expected = {cases[i]: out for i, out in enumerate(outputs)}
    results = extra.pop("test_results", None)
    if results is None:
        results = [
            {
                "test_case_id": c,
                "output": expected[c],
                "passed": extra.get("passed_all", True) or i == 0,
                "error": None,
                "status": "success",
            }
            for i, c in enumerate(cases)
        ]
    extra.pop("passed_all", None)
    passed = sum(1 for r in results if isinstance(r, dict) and r.get("passed"))
    fields = {
        "user_identifier": "someone",
        "platform": "baekjoon",
        "problem_number": "1000",
        "problem_title": "A+B",
        "language": "python",
        "code": SOLUTION,
        "result_summary": {"passed": passed},
        "passed_count": passed,
        "failed_count": len(cases) - passed,
        "total_count": len(cases),
        "is_code_public": False,
        "test_results": results,
        "metadata": {},
        "created_at": T0,
    } | extra
    return await insert(conn, "search_history", user_id=user_id, problem_id=problem_id, **fields)


async def world(conn) -> dict:
    """The seeded old database every test starts from; returns the interesting ids."""
    free = await insert(
        conn, "subscription_plans", name="Free", max_hints_per_day=5, max_executions_per_day=50
    )
    pro = await insert(
        conn,
        "subscription_plans",
        name="Pro",
        max_hints_per_day=30,
        max_executions_per_day=500,
        can_register_problems=True,
    )
    alice = await user(conn, "Alice@Example.com", google_id="g-alice", subscription_plan_id=pro, password="x")
    staff = await user(conn, "staff@example.com", is_staff=True, subscription_plan_id=free)
    gone = await user(conn, "gone@example.com", is_active=False)
    ab = await problem(
        conn,
        "baekjoon",
        "1000",
        title="A+B",
        tags=["math", "implementation"],
        solution_code=SOLUTION,
        language="python",
        constraints="0 < A, B < 10",
        is_completed=True,
        metadata={"execution_count": 7},
        needs_review=True,
    )
    draft = await problem(conn, "Codeforces", "1520E", metadata={"difficulty": 1700})
    deleted = await problem(conn, "atcoder", "abc100_a", is_deleted=True, is_completed=True)
    # (created_at, id) order differs from id order: the old order is 1 2, 3 4, 5 5
    late = await test_case(conn, ab, "5 5\n", "10\n", created_at=T0 + dt.timedelta(minutes=2))
    first = await test_case(conn, ab, "1 2\n", "3\n", created_at=T0)
    middle = await test_case(conn, ab, "3 4\n", "7\n", created_at=T0 + dt.timedelta(minutes=1))
    big_input = "9" * 1_200_000 + "\n"
    big = await test_case(conn, draft, big_input, "ok\n")
    empty = await test_case(conn, draft, "1\n", "")
    cases = [first, middle, late]
    mine = await history(
        conn,
        alice,
        ab,
        cases,
        ["3\n", "-1\n", "0\n"],
        code=WRONG,
        passed_all=False,
        is_code_public=True,
        hints=["Check the operator."],
        test_results=[
            {"test_case_id": first, "output": "-1\n", "passed": False, "error": None, "status": "success"},
            {"test_case_id": middle, "output": "-1\n", "passed": False, "error": None, "status": "success"},
            {"test_case_id": late, "output": "0\n", "passed": False, "error": "boom", "status": "error"},
        ],
    )
    solved = await history(
        conn, alice, ab, cases, ["3\n", "7\n", "10\n"], created_at=T0 + dt.timedelta(hours=1)
    )
    anonymous = await history(conn, None, ab, cases, ["3\n", "7\n", "10\n"], user_identifier="anonymous")
    for when, action, who in [(NOW, "execution", alice)] * 3 + [
        (NOW, "hint", alice),
        (YESTERDAY, "execution", staff),
    ]:
        await insert(
            conn, "usage_logs", user_id=who, action=action, problem_id=ab, metadata={}, created_at=when
        )
    job = await insert(
        conn,
        "script_generation_jobs",
        platform="baekjoon",
        problem_id="1000",
        title="A+B",
        tags=["math"],
        language="python",
        constraints="",
        generator_code="print(1, 2)",
        status="COMPLETED",
    )
    return {
        "plans": [free, pro],
        "alice": alice,
        "staff": staff,
        "gone": gone,
        "ab": ab,
        "draft": draft,
        "deleted": deleted,
        "cases": cases,
        "big": big,
        "empty": empty,
        "mine": mine,
        "solved": solved,
        "anonymous": anonymous,
        "job": job,
    }
