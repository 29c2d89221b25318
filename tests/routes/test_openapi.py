"""The schema is a product surface: stable operation ids and declared errors."""

from algoitny.app import create_app
from algoitny.settings import Settings

# Changing one of these breaks generated clients: add, never rename.
OPERATION_IDS = {
    "live",
    "ready",
    "create_problem",
    "list_problems",
    "get_problem",
    "update_problem",
    "delete_problem",
    "restore_problem",
    "add_test_cases",
    "replace_test_cases",
    "list_test_cases",
    "get_test_case",
    "delete_test_case",
    "list_samples",
    "get_problem_with_test_cases",
    "list_languages",
    "execute_code",
    "run_code",
    "list_my_submissions",
    "list_public_submissions",
    "get_submission",
    "get_counterexample_text",
    "sign_in_with_google",
    "sign_in_for_development",
    "refresh_tokens",
    "logout",
    "get_me",
    "record_consents",
    "get_usage",
    "list_plans",
    "list_users",
    "change_user_plan",
    "save_plan",
    "delete_plan",
    "get_usage_statistics",
    "generate_test_cases",
    "generate_reference_solution",
    "list_generation_jobs",
    "get_generation_job",
    "cancel_generation_job",
    "retry_generation_job",
    "request_submission_hints",
    "get_submission_hints",
    "get_problem_hints",
    "set_problem_hints",
    "generate_problem_hints",
}


def _operations():
    schema = create_app(Settings()).openapi()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_operation_ids_are_stable_and_unique():
    ids = [operation["operationId"] for _, _, operation in _operations()]
    assert len(ids) == len(set(ids))
    assert OPERATION_IDS <= set(ids), f"missing: {OPERATION_IDS - set(ids)}"


def test_every_operation_declares_the_error_model():
    for path, method, operation in _operations():
        for status in ("422", "500", "503"):
            declared = operation["responses"].get(status)
            assert declared, f"{method} {path} does not declare {status}"
            ref = declared["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorResponse"), f"{method} {path} {status} -> {ref}"


def test_component_names_are_unique_and_clean():
    """Two models with one name make FastAPI emit `module__Name` schemas, which break
    generated clients (duplicate class names)."""
    schema = create_app(Settings()).openapi()
    assert [name for name in schema["components"]["schemas"] if "__" in name] == []


def test_language_enum_lists_ids_only():
    schema = create_app(Settings()).openapi()
    request = schema["components"]["schemas"]["RunRequest"]["properties"]["language"]
    assert request["enum"] == ["python", "c", "cpp", "java", "javascript", "go", "rust"]
