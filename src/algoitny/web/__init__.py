"""The web app: a small single-page app served at ``/``, from this package, offline.

It talks to the same public HTTP and WebSocket API as every other client (no private
endpoints): ``static/app.js`` routes on the URL's fragment (``#/problems``, ``#/s/{id}``,
…), so the server only serves ``/`` and the files under ``/web/``. No build step and no
CDN: plain ES modules, one stylesheet, a small syntax highlighter of our own
(``static/editor.js``) instead of a 400 KB editor bundle — see ``docs/web.md``.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = files("algoitny.web") / "static"
ASSETS = "/web"

# Google's sign-in script is the one thing loaded from elsewhere, and only when a Google
# client id is configured (the page asks /api/auth/config); everything else is ours.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' https://accounts.google.com/gsi/client; "
    "frame-src https://accounts.google.com/gsi/; connect-src 'self'; img-src 'self' data: https:; "
    "style-src 'self' https://accounts.google.com/gsi/style; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


class _Assets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(HEADERS)
        return response


def install(app: FastAPI) -> None:
    index = str(STATIC / "index.html")

    async def web_app() -> FileResponse:
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=HEADERS)

    app.add_api_route("/", web_app, methods=["GET"], include_in_schema=False, name="web_app")
    app.mount(ASSETS, _Assets(directory=str(STATIC)), name="web_assets")
