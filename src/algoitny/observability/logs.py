"""Structured logs: one JSON object per line, or readable text on a terminal.

structlog, not the standard library with a JSON formatter: the code base (and uvicorn, arq,
botocore) log through ``logging``, and structlog's ``ProcessorFormatter`` renders those records
and structlog's own events through one processor chain — JSON lines or its console renderer,
picked once — and merges the context bound with ``contextvars`` into every line. A JSON
formatter alone would need that context plumbing written by hand.

The context: the API binds ``request_id`` per request (``observability/http.py``), the worker
``request_id``, ``task_id``, ``job`` per job (``observability/jobs.py``) and the judge adds
``user_id``, ``language`` and ``verdict`` as it learns them. asyncio copies the context into
each task, so one request's or job's fields never leak into another's lines.

Nothing secret goes in: no line carries source code, test data, tokens or keys. Call sites
log ids and counts only; as a second guard, ``_redact`` drops values under names that mean a
secret or a user's text (``code``, ``token``, ``stdin`` …) should one ever be bound.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

from algoitny.settings import LogSettings

# Keys whose values never reach a log line (user text, credentials).
SECRET_KEYS = frozenset(
    {
        "code",
        "source",
        "stdin",
        "input",
        "expected",
        "output",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "authorization",
        "password",
        "secret",
        "api_key",
        "cookie",
    }
)
REDACTED = "[redacted]"


def _redact(logger: Any, method: str, event_dict: EventDict) -> EventDict:
    for key in SECRET_KEYS.intersection(event_dict):
        event_dict[key] = REDACTED
    event_dict.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
    return event_dict


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]


def wants_json(settings: LogSettings) -> bool:
    if settings.format == "auto":
        return not sys.stderr.isatty()
    return settings.format == "json"


def configure_logging(settings: LogSettings) -> None:
    """Routes every ``logging`` record through one formatter on stderr. Call sites stay plain
    ``logging`` (structured fields go in ``extra={...}``), so logs read the same before this
    runs (tests, library use)."""
    final: list[Processor]
    if wants_json(settings):
        final = [structlog.processors.dict_tracebacks, structlog.processors.JSONRenderer()]
    else:
        final = [structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level.upper())
    # uvicorn's own loggers keep their handlers unless told otherwise: send them through ours.
    # (Not uvicorn.access: uvicorn switches it off by propagate=False when access_log is off.)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


bind = structlog.contextvars.bind_contextvars
bound = structlog.contextvars.bound_contextvars


def context_value(key: str) -> Any:
    return structlog.contextvars.get_contextvars().get(key)


def current_request_id() -> str | None:
    """The id of the request being served (bound by the API's middleware), if any."""
    return context_value("request_id")
