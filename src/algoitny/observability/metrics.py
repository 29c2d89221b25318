"""Every Prometheus metric of AlgoItny, defined once (``prometheus_client``'s default registry).

Names follow Prometheus conventions: ``algoitny_`` prefix, ``_total`` counters, base units
(``_seconds``, ``_bytes``), label values from small closed sets (a route *template*, never a
raw path; an error *code*, never a message). README's "Metrics" table lists each family.

Who sets what:

- API (``observability/http.py``): ``http_*``, ``websockets_open``; services: quota rejections,
  sign-ins.
- worker (``observability/jobs.py``, ``services/judge.py``): ``jobs_*``, ``queue_*``, ``tests_*``,
  ``compile_seconds``, ``sandbox_overhead_seconds``, ``internal_errors_total``,
  ``lease_reclaims_total``, ``worker_*slots``.
- both: ``dynamodb_*`` (botocore event hooks, ``observability/dynamodb.py``), ``redis_errors_total``
  (``observability/redis.py``), ``ai_*`` (``ai/provider.py``).
- the stream indexer (its own module sets them): ``indexer_lag_seconds``, ``indexer_records_total``.

Several API processes: when ``PROMETHEUS_MULTIPROC_DIR`` is set before this module is imported,
prometheus_client keeps values in per-process files there and ``/metrics`` adds them up
(``observability/http.py``); gauges say how (``multiprocess_mode``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from prometheus_client import Counter, Gauge, Histogram

# Sub-millisecond to seconds: a DynamoDB call is ~1-10 ms, an API request 1-100 ms.
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Jobs and queue waits: from a fraction of a second to the job timeout (an hour).
SLOW_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)

# --- API -----------------------------------------------------------------------------------------
http_requests = Counter(
    "algoitny_http_requests_total",
    "HTTP requests answered, by route template, method and status code.",
    ["route", "method", "status"],
)
http_request_duration = Histogram(
    "algoitny_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template and method.",
    ["route", "method"],
    buckets=FAST_BUCKETS,
)
websockets_open = Gauge(
    "algoitny_websockets_open",
    "WebSocket connections open now, by route template.",
    ["route"],
    multiprocess_mode="livesum",
)
quota_rejections = Counter(
    "algoitny_quota_rejections_total", "Requests refused with 429 by the daily quota, by action.", ["action"]
)
sign_ins = Counter(
    "algoitny_sign_ins_total",
    "Sign-in attempts by method (google, dev) and outcome (ok, or the error code).",
    ["method", "outcome"],
)

# --- worker --------------------------------------------------------------------------------------
jobs = Counter(
    "algoitny_jobs_total",
    "Jobs a worker ran, by kind (arq function) and outcome (ok, retry, error, cancelled).",
    ["kind", "outcome"],
)
jobs_in_progress = Gauge("algoitny_jobs_in_progress", "Jobs running in this worker now, by kind.", ["kind"])
job_queue_wait = Histogram(
    "algoitny_job_queue_wait_seconds",
    "Time from a job's enqueueing to its start (queued → started), by kind.",
    ["kind"],
    buckets=SLOW_BUCKETS,
)
job_duration = Histogram(
    "algoitny_job_duration_seconds",
    "Time a job ran (started → done), by kind.",
    ["kind"],
    buckets=SLOW_BUCKETS,
)
job_retries = Counter("algoitny_job_retries_total", "Job tries that ended in a retry, by kind.", ["kind"])
queue_depth = Gauge(
    "algoitny_queue_depth", "Jobs waiting in the arq queue (read by each worker).", multiprocess_mode="max"
)
queue_oldest_age = Gauge(
    "algoitny_queue_oldest_age_seconds",
    "Age of the oldest job waiting in the queue, 0 when it is empty.",
    multiprocess_mode="max",
)
tests_run = Counter(
    "algoitny_tests_total",
    "Tests judged, by language and verdict (AC, WA, TLE, …, IE).",
    ["language", "verdict"],
)
submissions_judged = Counter(
    "algoitny_submissions_total",
    "Submissions finished, by language and final verdict.",
    ["language", "verdict"],
)
compile_duration = Histogram(
    "algoitny_compile_seconds",
    "Compiling one submission (in its sandbox), by language.",
    ["language"],
    buckets=SLOW_BUCKETS,
)
sandbox_overhead = Histogram(
    "algoitny_sandbox_overhead_seconds",
    "Per test run: time the host spent beyond the program's own wall time (sandbox set-up, "
    "teardown, checking), by language.",
    ["language"],
    buckets=FAST_BUCKETS,
)
internal_errors = Counter(
    "algoitny_internal_errors_total",
    "Internal errors (verdict IE): tests (where=test) and whole submissions (where=submission).",
    ["where"],
)
lease_reclaims = Counter(
    "algoitny_lease_reclaims_total", "Jobs freed for another worker because their worker's lease lapsed."
)
worker_slots = Gauge("algoitny_worker_slots", "Sandbox slots this worker has.", multiprocess_mode="livesum")
worker_busy_slots = Gauge(
    "algoitny_worker_busy_slots", "Sandbox slots running a test now.", multiprocess_mode="livesum"
)

# --- table and Redis (both) ----------------------------------------------------------------------
dynamodb_calls = Counter(
    "algoitny_dynamodb_calls_total",
    "DynamoDB API calls, by operation and outcome (ok, or the error code / exception type).",
    ["operation", "outcome"],
)
dynamodb_call_duration = Histogram(
    "algoitny_dynamodb_call_duration_seconds",
    "One DynamoDB API call, retries included, by operation.",
    ["operation"],
    buckets=FAST_BUCKETS,
)
dynamodb_throttles = Counter(
    "algoitny_dynamodb_throttles_total",
    "DynamoDB answers that were throttling errors, by operation.",
    ["operation"],
)
dynamodb_retries = Counter(
    "algoitny_dynamodb_retries_total", "Retries botocore made of DynamoDB calls, by operation.", ["operation"]
)
dynamodb_consumed_capacity = Counter(
    "algoitny_dynamodb_consumed_capacity_units_total",
    "Capacity units DynamoDB reported consumed, by operation.",
    ["operation"],
)
redis_errors = Counter(
    "algoitny_redis_errors_total",
    "Redis failures seen by a client connection, by kind (connect, command) and exception type.",
    ["kind", "error"],
)

# --- AI provider and the stream indexer ----------------------------------------------------------
ai_calls = Counter(
    "algoitny_ai_calls_total",
    "Model calls by task and outcome (ok, retry, failed, bad_answer).",
    ["task", "outcome"],
)
ai_tokens = Counter(
    "algoitny_ai_tokens_total", "Model tokens used, by task and kind (prompt, output).", ["task", "kind"]
)
ai_call_duration = Histogram(
    "algoitny_ai_call_duration_seconds",
    "One model call, retries included, by task.",
    ["task"],
    buckets=SLOW_BUCKETS,
)
indexer_lag = Gauge(
    "algoitny_indexer_lag_seconds",
    "Age of the newest change-stream record the indexer has applied (now − its creation time).",
    multiprocess_mode="max",
)
indexer_records = Counter(
    "algoitny_indexer_records_total", "Change-stream records the indexer handled, by outcome.", ["outcome"]
)


@contextlib.contextmanager
def counting_sign_in(method: str) -> Iterator[None]:
    """Counts one sign-in attempt: ``ok``, or the error's stable code (``invalid_token`` …)."""
    try:
        yield
    except Exception as exc:
        code = getattr(exc, "code", None)  # AlgoItnyError's stable code; anything else is "error"
        sign_ins.labels(method, code if isinstance(code, str) else "error").inc()
        raise
    sign_ins.labels(method, "ok").inc()
