"""The serving process's heap: frozen once the app has started.

CPython's full (generation 2) collection walks every tracked object. After start-up
that is ~250,000 of them here (FastAPI routes and models, pydantic validators, botocore's
service model), and nearly all live as long as the process. Under load the collections
likely come more often the more requests are in flight (each one's objects survive the young
collections that find them alive and get promoted), so each request paid a growing share
of walks over objects that never die (measured in docs/capacity.md). ``gc.freeze()``
moves what exists at that point into a permanent generation that collections skip;
garbage made later is collected as before.

Only the serving process does this (``algoitny api``): tests build many apps in one
process and must not pin each one's objects.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI


def freeze_after_startup(app: FastAPI) -> FastAPI:
    """``app`` whose lifespan, once started, collects and then freezes the heap."""
    started = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with started(app) as state:
            gc.collect()
            gc.freeze()
            yield state

    app.router.lifespan_context = lifespan
    return app
