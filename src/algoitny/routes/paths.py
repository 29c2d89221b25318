"""Both forms of every path, without redirects.

Routes are published with or without a trailing slash (``/api/execute/``, ``/api/problems``);
a client that sends the other form used to get a ``307`` that many POST clients do not
follow. ``SlashAgnostic`` routes the other form to the same operation instead, and leaves
the name of the route it matched in the scope for the middlewares after it (body limits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from starlette.routing import BaseRoute, Mount, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

ROUTE_NAME_KEY = "algoitny.route_name"


def flat_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Routes of included routers too (FastAPI keeps them wrapped)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from flat_routes(inner.routes)
        else:
            yield route


class RouteTable:
    """Path → route name, for every method (a 405 still names the path's route)."""

    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self._entries: list[tuple[re.Pattern[str], str]] = []
        for route in flat_routes(routes):
            path = getattr(route, "path", None)
            if path is None:
                continue
            if isinstance(route, Mount):
                path = route.path + "/{path:path}"
            regex, _, _ = compile_path(path)
            self._entries.append((regex, getattr(route, "name", None) or path))

    def find(self, path: str) -> str | None:
        for regex, name in self._entries:
            if regex.match(path):
                return name
        return None


class SlashAgnostic:
    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes
        self._table: RouteTable | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        if self._table is None:  # built once all routes exist
            self._table = RouteTable(self.routes)
        path = scope["path"]
        name = self._table.find(path)
        if name is None and path != "/":
            other = path[:-1] if path.endswith("/") else f"{path}/"
            name = self._table.find(other)
            if name is not None:
                raw = scope.get("raw_path")
                scope = {**scope, "path": other}
                if raw is not None:
                    scope["raw_path"] = raw[:-1] if raw.endswith(b"/") else raw + b"/"
        scope[ROUTE_NAME_KEY] = name
        await self.app(scope, receive, send)
