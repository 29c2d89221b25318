"""Presenters: domain objects (what repositories return) to API models (what routes answer).

Routes call these; they never import each other for them.
"""

from __future__ import annotations

from algoitny.domain import Plan, Platform, Problem, ProblemStatus, TestCase, TestCaseKind, User
from algoitny.schemas.accounts import ConsentsRead, PlanRead, UserRead
from algoitny.schemas.problems import ProblemRead, ReferenceSolution, checker_spec
from algoitny.schemas.test_cases import TestCaseRead


def user_read(user: User) -> UserRead:
    return UserRead(
        user_id=user.user_id,
        email=user.email,
        name=user.name,
        role=user.role,
        plan=user.plan,
        active=user.active,
        has_google=user.google_id is not None,
        consents=ConsentsRead(
            privacy=user.privacy_consent_at or None,
            terms=user.terms_consent_at or None,
            code_ownership=user.code_ownership_consent_at or None,
        ),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def plan_read(plan: Plan) -> PlanRead:
    return PlanRead(
        name=plan.name,
        display_name=plan.display_name,
        daily_executions=plan.daily_executions,
        daily_hints=plan.daily_hints,
        can_register_problems=plan.can_register_problems,
        paid=plan.paid,
        daily_stress=plan.daily_stress,
    )


def problem_read(problem: Problem, *, admin_view: bool) -> ProblemRead:
    solution = None
    # The reference solution and review flags are for admins only.
    if admin_view and problem.solution_code and problem.solution_language:
        solution = ReferenceSolution(language=problem.solution_language, code=problem.solution_code)
    return ProblemRead(
        platform=Platform(problem.platform),
        problem_identifier=problem.identifier,
        legacy_id=problem.legacy_id,
        title=problem.title,
        url=problem.url,
        tags=problem.tags,
        statement=problem.statement,
        constraints=problem.constraints,
        time_limit_ms=problem.time_limit_ms,
        memory_limit_mb=problem.memory_limit_mb,
        checker=checker_spec.validate_python(problem.checker),
        reference_solution=solution,
        status=ProblemStatus(problem.status),
        review_flags=problem.review_flags if admin_view else [],
        execution_count=problem.execution_count,
        test_case_count=problem.test_case_count,
        created_at=problem.created_at,
        updated_at=problem.updated_at,
    )


def test_case_read(test_case: TestCase) -> TestCaseRead:
    return TestCaseRead(
        test_case_id=test_case.test_case_id,
        kind=TestCaseKind(test_case.kind),
        position=test_case.position,
        input=test_case.input,
        output=test_case.output,
        created_at=test_case.created_at,
    )
