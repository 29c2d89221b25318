"""Request ids and structured log lines."""

from __future__ import annotations

import io
import json
import logging

import httpx
import pytest

from algoitny.observability import logs
from algoitny.observability.jobs import observed
from algoitny.settings import LogSettings


async def test_request_id_is_returned_kept_when_sane_and_replaced_when_not(api: httpx.AsyncClient):
    fresh = await api.get("/health/live")
    assert len(fresh.headers["x-request-id"]) == 16
    kept = await api.get("/health/live", headers={"X-Request-ID": "lb-1234:abc.DEF_9"})
    assert kept.headers["x-request-id"] == "lb-1234:abc.DEF_9"
    for bad in ("has spaces", "x" * 65, 'quote"s', ""):
        replaced = await api.get("/health/live", headers={"X-Request-ID": bad})
        assert replaced.headers["x-request-id"] != bad and len(replaced.headers["x-request-id"]) == 16
    error = await api.get("/api/problems/custom/nope")  # errors carry it too
    assert error.status_code == 404 and error.headers["x-request-id"]


def test_json_lines_carry_the_bound_context_and_redact_secret_fields(monkeypatch):
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    monkeypatch.setattr("sys.stderr", stream)
    try:
        logs.configure_logging(LogSettings(format="json"))
        with logs.bound(request_id="r-1", task_id="t-1"):
            logging.getLogger("algoitny.test").info(
                "step %d", 3, extra={"code": "print(42)", "verdict": "AC", "color_message": "x"}
            )
        logging.getLogger("algoitny.test").info("after")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "step 3" and first["request_id"] == "r-1" and first["task_id"] == "t-1"
    assert first["verdict"] == "AC" and first["code"] == logs.REDACTED and first["level"] == "info"
    assert "color_message" not in first, "uvicorn's coloured copy of the message is dropped"
    assert "request_id" not in second, "context ends with its block"


def test_console_format_is_not_json(monkeypatch):
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    monkeypatch.setattr("sys.stderr", stream)
    try:
        logs.configure_logging(LogSettings(format="console"))
        logging.getLogger("algoitny.test").warning("readable", extra={"task_id": "t-2"})
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    line = stream.getvalue().strip()
    assert "readable" in line and "task_id" in line and not line.startswith("{")


async def test_a_job_runs_when_a_newer_api_passes_an_argument_it_does_not_take(caplog):
    """Rolling deploys: the API may enqueue a keyword this worker's job function lacks."""
    seen = []

    async def job(ctx, task_id: str, *, priority: int = 0) -> str:
        seen.append((task_id, priority))
        return "done"

    wrapped = observed("test", job)
    with caplog.at_level("WARNING", logger="algoitny.job"):
        result = await wrapped({"job_try": 1}, "t1", request_id="r1", priority=2, from_the_future=True)
    assert result == "done" and seen == [("t1", 2)]
    assert "from_the_future" in caplog.text
    with pytest.raises(TypeError):  # a positional mismatch is still an error, never dropped
        await wrapped({"job_try": 1}, "t1", "extra", "positional")
