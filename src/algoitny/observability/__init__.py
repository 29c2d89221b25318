"""Metrics, structured logs and request ids (see docs/observability.md).

``metrics`` defines every Prometheus metric; ``http`` is the API's middleware and ``/metrics``;
``jobs`` the worker's metrics server and job instrumentation; ``dynamodb`` and ``redis`` count
table and Redis calls at their transport; ``logs`` configures JSON or console logging.
"""
