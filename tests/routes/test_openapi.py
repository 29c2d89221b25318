"""The schema is a product surface: stable operation ids and declared errors."""

import json

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


def _request_schemas(schema: dict):
    """Every schema a request body can reach (through $ref, unions, items, properties)."""
    components = schema["components"]["schemas"]
    seen: set[str] = set()
    stack = [
        operation["requestBody"]["content"]["application/json"]["schema"]
        for methods in schema["paths"].values()
        for operation in methods.values()
        if "requestBody" in operation
    ]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if ref:
            name = ref.rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                stack.append(components[name])
            continue
        yield node
        for key in ("oneOf", "anyOf", "allOf"):
            stack.extend(node.get(key, []))
        stack.extend(node.get("properties", {}).values())
        if isinstance(node.get("items"), dict):
            stack.append(node["items"])


def test_execute_request_is_a_union_of_models():
    """A hand-written `oneOf` of `required` lists gave generated clients `body: Any`."""
    schema = create_app(Settings()).openapi()
    body = schema["paths"]["/api/execute/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    refs = [variant["$ref"].rsplit("/", 1)[1] for variant in body["oneOf"]]
    assert sorted(refs) == ["ExecuteByLegacyId", "ExecuteByProblemKey"]
    components = schema["components"]["schemas"]
    assert "problem_id" in components["ExecuteByLegacyId"]["required"]
    assert {"platform", "problem_identifier"} <= set(components["ExecuteByProblemKey"]["required"])
    for name in refs:
        assert components[name]["additionalProperties"] is False


def test_request_unions_are_made_of_models_and_defaults_are_optional():
    """No `oneOf` without `$ref` models, and no `default` on a request property: with its
    default options openapi-typescript makes every property that has one required."""
    schema = create_app(Settings()).openapi()
    for node in _request_schemas(schema):
        for key in ("oneOf", "anyOf"):
            for variant in node.get(key, []):
                assert "$ref" in variant or "type" in variant, node
        for name, prop in node.get("properties", {}).items():
            assert "default" not in prop, f"request property {name} has a default in the schema"
            if "Default:" in prop.get("description", ""):
                assert name not in node.get("required", []), name


def test_defaulted_request_fields_say_their_default():
    schema = create_app(Settings()).openapi()
    stdin = schema["components"]["schemas"]["RunRequest"]["properties"]["stdin"]
    assert "stdin" not in schema["components"]["schemas"]["RunRequest"]["required"]
    assert stdin["description"].endswith('Default: `""`.')


def test_every_error_code_is_in_the_published_descriptions():
    """The error list is derived from errors.py: a new error class cannot be left out."""
    from algoitny import errors

    schema = create_app(Settings()).openapi()
    published = json.dumps(schema)
    classes = [
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.AlgoItnyError)
    ]
    missing = sorted({c.code for c in classes if f"`{c.code}`" not in published})
    assert missing == []
