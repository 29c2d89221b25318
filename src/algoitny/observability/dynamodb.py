"""DynamoDB metrics from botocore's event hooks, registered once on each client.

No wrapper around any call: aiobotocore emits botocore's events and awaits a handler only if it
returns an awaitable (``AioHierarchicalEmitter._emit`` → ``resolve_awaitable``), so these plain
functions run inline, cheaply, on the event loop. Per call:

- ``provide-client-params`` asks for ``ReturnConsumedCapacity=TOTAL`` on operations that take
  it (a caller's own choice wins), so capacity is counted on every call that reports it;
- ``before-call`` stamps the start in the request context (shared by the events of one call);
- ``needs-retry`` sees every attempt's answer: throttling error codes are counted there, retried
  or not;
- ``after-call`` (any HTTP answer) / ``after-call-error`` (no answer: connection refused,
  timeout) record the outcome, the latency including retries, botocore's ``RetryAttempts`` and
  the consumed capacity.
"""

from __future__ import annotations

import time
from typing import Any

from algoitny.observability import metrics as m

THROTTLING_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
_STARTED = "algoitny_started"
_UNIQUE = "algoitny-metrics"


def _ask_for_capacity(params: dict[str, Any], model: Any, **_: Any) -> None:
    if "ReturnConsumedCapacity" in model.input_shape.members:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")


def _before_call(context: dict[str, Any], **_: Any) -> None:
    context[_STARTED] = time.perf_counter()


def _needs_retry(response: Any, operation: Any, **_: Any) -> None:
    if response is None:  # the attempt got no answer (connection error)
        return
    _, parsed = response
    if parsed.get("Error", {}).get("Code") in THROTTLING_CODES:
        m.dynamodb_throttles.labels(operation.name).inc()


def _capacity(parsed: dict[str, Any]) -> float:
    consumed = parsed.get("ConsumedCapacity")
    if isinstance(consumed, dict):  # single-item and query operations
        return float(consumed.get("CapacityUnits", 0))
    if isinstance(consumed, list):  # batch and transaction operations: one entry per table
        return float(sum(entry.get("CapacityUnits", 0) for entry in consumed))
    return 0.0


def _record(operation: str, outcome: str, context: dict[str, Any]) -> None:
    m.dynamodb_calls.labels(operation, outcome).inc()
    started = context.get(_STARTED)
    if started is not None:
        m.dynamodb_call_duration.labels(operation).observe(time.perf_counter() - started)


def _after_call(
    http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
) -> None:
    operation = model.name
    outcome = "ok" if http_response.status_code < 300 else parsed.get("Error", {}).get("Code", "error")
    _record(operation, outcome, context)
    retries = parsed.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    if retries:
        m.dynamodb_retries.labels(operation).inc(retries)
    capacity = _capacity(parsed)
    if capacity:
        m.dynamodb_consumed_capacity.labels(operation).inc(capacity)


def _after_call_error(exception: BaseException, context: dict[str, Any], event_name: str, **_: Any) -> None:
    operation = event_name.rsplit(".", 1)[-1]  # after-call-error.dynamodb.{Operation}
    _record(operation, type(exception).__name__, context)


def instrument(client: Any) -> Any:
    """Registers the hooks on one aiobotocore DynamoDB client (idempotent); returns the client."""
    events = client.meta.events
    for event, handler in (
        ("provide-client-params.dynamodb", _ask_for_capacity),
        ("before-call.dynamodb", _before_call),
        ("needs-retry.dynamodb", _needs_retry),
        ("after-call.dynamodb", _after_call),
        ("after-call-error.dynamodb", _after_call_error),
    ):
        events.register(event, handler, unique_id=f"{_UNIQUE}-{event}")
    return client
