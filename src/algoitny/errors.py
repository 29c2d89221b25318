"""Every error a client can see, with its stable code.

The hierarchy, whole::

    AlgoItnyError                       500 internal_error
    ├── BadRequest                      400 bad_request
    │   ├── InvalidCursor               400 invalid_cursor
    │   ├── UnsupportedLanguage         400 unsupported_language
    │   │   └── LanguageUnavailable     400 language_unavailable
    │   ├── ProblemHasNoTests           400 problem_has_no_tests
    │   ├── ReferenceSolutionMissing    400 reference_solution_missing
    │   ├── ProblemHasNoSamples         400 problem_has_no_samples
    │   └── StressSetupMissing          400 stress_setup_missing
    ├── NotAuthenticated                401 not_authenticated
    │   └── InvalidToken                401 invalid_token
    ├── Forbidden                       403 admin_required
    │   ├── SignInDisabled              403 sign_in_disabled
    │   ├── UserInactive                403 user_inactive
    │   └── PaidPlanRefused             403 paid_plan_refused
    ├── NotFound                        404 not_found
    │   ├── ProblemNotFound             404 problem_not_found
    │   ├── TestCaseNotFound            404 test_case_not_found
    │   ├── SubmissionNotFound          404 submission_not_found
    │   ├── UserNotFound                404 user_not_found
    │   ├── PlanNotFound                404 plan_not_found
    │   └── StressSetupNotFound         404 stress_setup_not_found
    ├── Conflict                        409 conflict
    │   ├── ProblemExists               409 problem_exists
    │   ├── LegacyIdTaken               409 legacy_id_taken
    │   ├── UserExists                  409 user_exists
    │   ├── DuplicateId                 409 duplicate_id
    │   ├── PlanInUse                   409 plan_in_use
    │   └── CounterexampleExists        409 counterexample_exists
    ├── AiConflict (Conflict)           409 …
    │   ├── AiUnavailable               409 ai_unavailable
    │   ├── GenerationJobFinished       409 generation_job_finished
    │   ├── GenerationJobNotRetryable   409 generation_job_not_retryable
    │   └── SubmissionNotFinished       409 submission_not_finished
    ├── NotSubmissionOwner (Forbidden)  403 not_submission_owner
    ├── AiNotFound (NotFound)           404 …
    │   ├── GenerationJobNotFound       404 generation_job_not_found
    │   └── HintsNotFound               404 hints_not_found
    ├── InvalidSearchQuery              422 invalid_search_query
    ├── RequestTimeout                  408 request_timeout
    ├── PayloadTooLarge                 413 payload_too_large
    ├── RateLimited                     429 rate_limited
    ├── AiFailed                        503 ai_failed
    └── ServiceUnavailable              503 service_unavailable
        ├── NotReady                    503 not_ready
        └── NoWorker                    503 no_worker

Codes produced outside this hierarchy (by the exception handlers in
``routes/errors.py``): ``validation_error`` (422), ``route_not_found`` (404),
``method_not_allowed`` (405).

A code, once published, never changes meaning: clients switch on it.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AlgoItnyError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "Something went wrong on our side."

    def __init__(self, message: str | None = None, *, details: Any = None) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class BadRequest(AlgoItnyError):
    status = 400
    code = "bad_request"
    default_message = "The request cannot be processed."


class InvalidCursor(BadRequest):
    code = "invalid_cursor"
    default_message = "The cursor is malformed, tampered with, or belongs to another query."


class UnsupportedLanguage(BadRequest):
    code = "unsupported_language"
    default_message = "This language is unknown or not installed on the judge."


class LanguageUnavailable(UnsupportedLanguage):
    """Known, but no live worker announces its toolchain (``details`` lists what they have)."""

    code = "language_unavailable"
    default_message = "No live worker can judge this language right now."


class ProblemHasNoTests(BadRequest):
    code = "problem_has_no_tests"
    default_message = "This problem has no test cases to judge against yet."


class NotAuthenticated(AlgoItnyError):
    status = 401
    code = "not_authenticated"
    default_message = "Sign in first: send 'Authorization: Bearer <token>'."


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    default_message = "The bearer token is not valid."


class Forbidden(AlgoItnyError):
    status = 403
    code = "admin_required"
    default_message = "This operation is for admins only."


class SignInDisabled(Forbidden):
    code = "sign_in_disabled"
    default_message = "This way of signing in is not enabled here."


class UserInactive(Forbidden):
    code = "user_inactive"
    default_message = "This account is deactivated: it cannot sign in."


class PaidPlanRefused(Forbidden):
    code = "paid_plan_refused"
    default_message = "Only an admin can move a user onto a paid plan."


class NotFound(AlgoItnyError):
    status = 404
    code = "not_found"
    default_message = "Not found."


class ProblemNotFound(NotFound):
    code = "problem_not_found"
    default_message = "No such problem."


class TestCaseNotFound(NotFound):
    __test__ = False  # not a pytest class
    code = "test_case_not_found"
    default_message = "No such test case."


class SubmissionNotFound(NotFound):
    code = "submission_not_found"
    default_message = "No such submission."


class UserNotFound(NotFound):
    code = "user_not_found"
    default_message = "No such user."


class PlanNotFound(NotFound):
    code = "plan_not_found"
    default_message = "No such plan."


class Conflict(AlgoItnyError):
    status = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class ProblemExists(Conflict):
    code = "problem_exists"
    default_message = "A problem with this platform and identifier already exists."


class LegacyIdTaken(Conflict):
    code = "legacy_id_taken"
    default_message = "Another problem already uses this legacy id."


class UserExists(Conflict):
    code = "user_exists"
    default_message = "That email or Google account already belongs to a user."


class DuplicateId(Conflict):
    code = "duplicate_id"
    default_message = "Something with this id exists already."


class PlanInUse(Conflict):
    code = "plan_in_use"
    default_message = "This plan is built in or is the default plan; it cannot be deleted."


class CannotDeactivateSelf(Conflict):
    code = "cannot_deactivate_self"
    default_message = "An admin cannot deactivate their own account."


class ReferenceSolutionMissing(BadRequest):
    code = "reference_solution_missing"
    default_message = "The problem has no reference solution to compute expected outputs with."


class ProblemHasNoSamples(BadRequest):
    code = "problem_has_no_samples"
    default_message = "The problem has no sample test cases to check a solution against."


class StressSetupNotFound(NotFound):
    code = "stress_setup_not_found"
    default_message = "This problem has no stress setup."


class StressSetupMissing(BadRequest):
    code = "stress_setup_missing"
    default_message = "The problem has no stress setup (an admin sets one: PUT …/stress)."


class CounterexampleExists(Conflict):
    code = "counterexample_exists"
    default_message = "This submission has a counterexample, or a search for one is running."


class AiConflict(Conflict):
    """AI features and their jobs (issue 6)."""


class AiUnavailable(AiConflict):
    code = "ai_unavailable"
    default_message = "No AI model is configured here (set ALGOITNY_AI__API_KEY); this needs one."


class GenerationJobFinished(AiConflict):
    code = "generation_job_finished"
    default_message = "The generation job has already finished."


class GenerationJobNotRetryable(AiConflict):
    code = "generation_job_not_retryable"
    default_message = "Only a failed or cancelled generation job can be retried."


class SubmissionNotFinished(AiConflict):
    code = "submission_not_finished"
    default_message = "The submission is still being judged."


class NotSubmissionOwner(Forbidden):
    code = "not_submission_owner"
    default_message = "Only the submission's owner (or an admin) can ask for its hints."


class AiNotFound(NotFound):
    """Records of AI features (issue 6)."""


class GenerationJobNotFound(AiNotFound):
    code = "generation_job_not_found"
    default_message = "No such generation job."


class HintsNotFound(AiNotFound):
    code = "hints_not_found"
    default_message = "No hints yet."


class InvalidSearchQuery(AlgoItnyError):
    status = 422
    code = "invalid_search_query"
    default_message = "The search query has nothing to search for."


class RequestTimeout(AlgoItnyError):
    status = 408
    code = "request_timeout"
    default_message = "The request body did not arrive in time."


class PayloadTooLarge(AlgoItnyError):
    status = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class RateLimited(AlgoItnyError):
    """``details`` carries the usage; the handler adds ``Retry-After``."""

    status = 429
    code = "rate_limited"
    default_message = "Daily limit reached."

    def __init__(self, message: str | None = None, *, details=None, retry_after_s: int = 0) -> None:
        super().__init__(message, details=details)
        self.retry_after_s = retry_after_s


class AiFailed(AlgoItnyError):
    """The model could not be reached, or kept answering nonsense (issue 6)."""

    status = 503
    code = "ai_failed"
    default_message = "The AI model did not give a usable answer; try again later."


class ServiceUnavailable(AlgoItnyError):
    status = 503
    code = "service_unavailable"
    default_message = "A backing service is unavailable; try again shortly."


class NotReady(ServiceUnavailable):
    code = "not_ready"
    default_message = "A dependency of the service is down."


class NoWorker(ServiceUnavailable):
    """No worker has announced itself lately: a submission would wait in the queue unseen."""

    code = "no_worker"
    default_message = "No judging worker is running; try again once one is up."
