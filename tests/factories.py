"""Small builders for test data."""

from __future__ import annotations

import itertools

from algoitny.domain import NewTestCase, Problem

_counter = itertools.count(1)


def problem(**overrides) -> Problem:
    n = next(_counter)
    fields = {"platform": "baekjoon", "identifier": str(1000 + n), "title": f"Problem {n}", "tags": ["math"]}
    return Problem(**(fields | overrides))


def problem_body(**overrides) -> dict:
    n = next(_counter)
    body = {"platform": "codeforces", "problem_identifier": f"{n}A", "title": f"Problem {n}", "tags": ["dp"]}
    body["status"] = "completed"  # released: visible to everyone
    return body | overrides


def new_cases(count: int, *, kind: str = "manual", prefix: str = "") -> list[NewTestCase]:
    return [NewTestCase(input=f"{prefix}{i} {i}\n", output=f"{2 * i}\n", kind=kind) for i in range(count)]
