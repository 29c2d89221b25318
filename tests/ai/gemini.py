"""A loopback HTTP server that speaks Gemini's REST shape, for the real google-genai client.

Tests queue what it answers (``answer`` for a model answer, ``fail`` for an HTTP
error, ``delay_s`` to be slow) and read back every request it received.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from algoitny.localstack import free_port

_PATH = re.compile(r"^/v1[a-z0-9]*/models/(?P<model>[^/:]+):generateContent$")


@dataclass
class Reply:
    status: int = 200
    text: str | None = None
    body: dict[str, Any] | None = None
    delay_s: float = 0.0


@dataclass
class Received:
    path: str
    model: str
    api_key: str | None
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        return "".join(
            part.get("text", "")
            for content in self.body.get("contents", [])
            for part in content.get("parts", [])
        )

    @property
    def system(self) -> str:
        instruction = self.body.get("systemInstruction") or {}
        return "".join(part.get("text", "") for part in instruction.get("parts", []))


@dataclass
class GeminiServer:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    replies: deque[Reply] = field(default_factory=deque)

    def answer(self, value: Any, *, delay_s: float = 0.0) -> None:
        """The model answers ``value`` (a str as is, anything else as JSON)."""
        text = value if isinstance(value, str) else json.dumps(value)
        self.replies.append(Reply(text=text, delay_s=delay_s))

    def fail(self, status: int, *, delay_s: float = 0.0) -> None:
        names = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 400: "INVALID_ARGUMENT"}
        body = {
            "error": {"code": status, "message": f"scripted {status}", "status": names.get(status, "UNKNOWN")}
        }
        self.replies.append(Reply(status=status, body=body, delay_s=delay_s))

    async def _handle(self, request: Request):
        match = _PATH.match(request.url.path)
        if match is None:
            return JSONResponse(
                {"error": {"code": 404, "message": "no such path", "status": "NOT_FOUND"}}, 404
            )
        self.received.append(
            Received(
                request.url.path, match["model"], request.headers.get("x-goog-api-key"), await request.json()
            )
        )
        if not self.replies:
            return JSONResponse(
                {"error": {"code": 500, "message": "nothing scripted", "status": "INTERNAL"}}, 500
            )
        reply = self.replies.popleft()
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if reply.body is not None:
            return JSONResponse(reply.body, reply.status)
        return JSONResponse(
            {
                "candidates": [
                    {"content": {"role": "model", "parts": [{"text": reply.text}]}, "finishReason": "STOP"}
                ],
                "usageMetadata": {
                    "promptTokenCount": 100,
                    "candidatesTokenCount": 20,
                    "totalTokenCount": 120,
                },
            }
        )


async def start_gemini() -> tuple[GeminiServer, uvicorn.Server, asyncio.Task]:
    gemini = GeminiServer()
    app = Starlette(routes=[Route("/{path:path}", gemini._handle, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    gemini.url = f"http://127.0.0.1:{port}"
    return gemini, server, task
