"""Metrics across several API processes (``algoitny api --workers N``).

prometheus_client keeps one registry per process; uvicorn's workers are separate processes,
so a scrape of ``/metrics`` would see only whichever process answered. Its multiprocess mode
fixes that: with ``PROMETHEUS_MULTIPROC_DIR`` set *before prometheus_client is imported*, every
process writes its values to files in that directory and ``/metrics`` adds them up
(``observability/http.py``). This module must not import prometheus_client itself.

``prepare(workers)`` is what ``algoitny api`` calls before starting uvicorn: it uses
``PROMETHEUS_MULTIPROC_DIR`` if set (several separately started API processes may share it, so
it is not emptied here: whoever sets it empties it before the first process starts, or the
files of a previous run are added in), and for more than one worker without it creates a
fresh temporary directory and sets it, so uvicorn's spawned workers inherit it. One process
without the variable needs nothing. Only the API uses it: a worker's own /metrics
is one process, and ``algoitny worker`` ignores the variable (``for_worker``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare(workers: int) -> Path | None:
    if workers <= 1 and not os.environ.get(ENV):
        return None
    directory = os.environ.get(ENV)
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="algoitny-metrics-"))
        os.environ[ENV] = str(path)
    return path


def for_worker() -> None:
    """A worker process serves only its own metrics: it must not write into the API's files."""
    os.environ.pop(ENV, None)
    os.environ.pop(ENV.lower(), None)


def mark_exit() -> None:
    """At a process's exit, drop its live gauges (open WebSockets) from the sum."""
    if os.environ.get(ENV):
        import atexit

        from prometheus_client import multiprocess

        atexit.register(multiprocess.mark_process_dead, os.getpid())
