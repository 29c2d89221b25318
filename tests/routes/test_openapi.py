"""The schema is a product surface: stable operation ids and declared errors."""

from algoitny.app import create_app
from algoitny.settings import Settings

# Changing one of these breaks generated clients: add, never rename.
OPERATION_IDS = {
    "live", "ready",
    "create_problem", "list_problems", "get_problem", "update_problem", "delete_problem",
    "add_test_cases", "replace_test_cases", "list_test_cases", "get_test_case", "delete_test_case",
    "list_samples", "get_problem_with_test_cases",
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
