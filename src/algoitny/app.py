"""``create_app(settings)`` builds the FastAPI app; its lifespan opens the shared clients."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from algoitny import __version__
from algoitny.observability import http as observability
from algoitny.resources import open_resources
from algoitny.routes import (
    account,
    admin,
    auth,
    docs,
    executions,
    health,
    languages,
    problems,
    stress,
    submissions,
    test_cases,
)
from algoitny.routes import generation as generation_routes
from algoitny.routes import hints as hint_routes
from algoitny.routes import problem_submissions as problem_submission_routes
from algoitny.routes import search as search_routes
from algoitny.routes import stats as stats_routes
from algoitny.routes.bodies import BodyGuard
from algoitny.routes.errors import install_error_handlers
from algoitny.routes.paths import SlashAgnostic
from algoitny.schemas.events import publish_event_schemas
from algoitny.search import open_search_index
from algoitny.settings import Settings
from algoitny.web import install as install_web_app

DESCRIPTION = """
Judge competitive-programming solutions against large test sets and watch each
verdict arrive live.

Every error answers `{"error": {"code", "message", "details"}}` with a stable
`code`. Admin operations need `Authorization: Bearer <token>` (use *Authorize*).

**Live results.** `POST /api/execute/` and `POST /api/run/` answer `202` with a
`task_id` and a `websocket` path: connect to `ws://<host>/ws/executions/{task_id}`
(optionally `?last_event_id=<id>` to resume) and receive JSON events, each with an
increasing `id` and a `type`: `queued`, `compiling`, `compiled` or `compile_error`,
one `test` per test (`index`, `verdict`, `cpu_ms`, `wall_ms`, `memory_kb`) or one
`run` for a custom run, then `done` with the `summary`. Each event's JSON Schema is in
`components/schemas` (`ExecutionEvent`; `GenerationEvent` for `/ws/generation/{job_id}`).
Unknown task: close code 4404 (all close codes: docs/events.md).
"""


def _operation_id(route: APIRoute) -> str:
    return route.name


def _mark_optional_auth(app: FastAPI) -> None:
    """The bearer token is optional except on operations that can answer 403 (admin ones):
    say so in the schema (``security: [{}, {HTTPBearer: []}]``) so clients do not demand it."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = app.openapi_schema
        if schema is None:
            schema = generate()
            for methods in schema.get("paths", {}).values():
                for operation in methods.values():
                    security = operation.get("security")
                    if security and "403" not in operation.get("responses", {}) and {} not in security:
                        operation["security"] = [{}, *security]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_resources(settings) as resources, open_search_index(settings.search) as search:
            app.state.resources = resources
            app.state.search = search
            yield

    app = FastAPI(
        title="AlgoItny",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        redirect_slashes=False,  # SlashAgnostic serves both forms instead
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    for module in (health, auth, account, admin, problems, test_cases, languages, executions, submissions):
        app.include_router(module.router)
    for module in (generation_routes, hint_routes, stress, search_routes):
        app.include_router(module.router)
    for module in (stats_routes, problem_submission_routes):
        app.include_router(module.router)
    docs.install(app)
    install_web_app(app)
    app.add_middleware(BodyGuard, api=settings.api)
    observability.install(app, enabled=settings.metrics.enabled)  # inside SlashAgnostic: sees route names
    app.add_middleware(SlashAgnostic, routes=app.router.routes)
    _mark_optional_auth(app)
    publish_event_schemas(app)
    return app
