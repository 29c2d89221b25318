"""Request bodies over a raw socket against a real uvicorn server: a stalled or dripping
body is answered 408 and the connection closed; an oversize body to a small route is 413
before the body is complete (so it was never buffered)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn

from algoitny.app import create_app
from algoitny.localstack import free_port
from algoitny.settings import Settings

# Not a timing assertion: only a guard so that a server that never answers fails the test
# instead of hanging it.
GUARD_S = 60.0


@contextlib.asynccontextmanager
async def _serve(settings: Settings, **api) -> AsyncIterator[tuple[str, int]]:
    settings.api = settings.api.model_copy(update=api)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield "127.0.0.1", port
    finally:
        server.should_exit = True
        await task


def _head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: test", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _answer(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    try:
        async with asyncio.timeout(GUARD_S):
            while chunk := await reader.read(65536):
                received += chunk
    except ConnectionResetError:  # it closed with our unread bytes in its buffer
        pass
    return received


def _status(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


async def test_a_stalled_body_gets_408_and_the_connection_is_closed(settings):
    async with _serve(settings, body_idle_timeout_s=0.5, body_timeout_s=120) as (host, port):
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(_head("/api/auth/refresh/", "Content-Length: 100") + b'{"refresh_token": "')
        await writer.drain()
        answer = await _answer(reader)  # returns only once the server closed the connection
        writer.close()
    assert _status(answer) == 408, answer[:300]
    assert b'"request_timeout"' in answer
    assert b"connection: close" in answer.lower()


async def test_a_dripping_body_gets_408_at_the_total_deadline(settings):
    """Slowloris: one byte at a time, each well inside the idle timeout."""
    async with _serve(settings, body_idle_timeout_s=30, body_timeout_s=1.0) as (host, port):
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(_head("/api/auth/refresh/", "Content-Length: 100000"))
        await writer.drain()

        async def drip() -> None:
            with contextlib.suppress(ConnectionError):
                for _ in range(100000):
                    writer.write(b" ")
                    await writer.drain()
                    await asyncio.sleep(0.1)

        dripping = asyncio.ensure_future(drip())
        answer = await _answer(reader)
        dripping.cancel()
        writer.close()
    assert _status(answer) == 408, answer[:300]


async def test_a_declared_oversize_body_is_413_before_any_of_it_is_sent(settings):
    async with _serve(settings, body_idle_timeout_s=GUARD_S * 2) as (host, port):
        small = settings.api.max_body_bytes
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(_head("/api/auth/refresh/", f"Content-Length: {small + 1}"))
        await writer.drain()
        answer = await _answer(reader)
        writer.close()
    assert _status(answer) == 413 and b'"payload_too_large"' in answer


async def test_a_streamed_oversize_body_is_413_while_it_is_still_arriving(settings):
    """Chunked, so no Content-Length to check: the limit is counted chunk by chunk, and the
    answer comes although the body never ends (the server did not wait to buffer it all)."""
    async with _serve(settings, body_idle_timeout_s=GUARD_S * 2) as (host, port):
        small = settings.api.max_body_bytes
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(_head("/api/auth/refresh/", "Transfer-Encoding: chunked"))
        piece = b"x" * 65536
        for _ in range(small // len(piece) + 2):
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        await writer.drain()  # and no final 0-length chunk: the body stays open
        answer = await _answer(reader)
        writer.close()
    assert _status(answer) == 413 and b'"payload_too_large"' in answer


async def test_each_route_has_a_limit_sized_to_what_it_accepts(settings):
    """The same body: too large for sign-out, fine for a test-case upload (which then
    answers about its content, not its size)."""
    async with _serve(settings) as (host, port):
        body = b'{"test_cases": [{"input": "' + b"1" * (2 * 1024 * 1024) + b'", "output": "1"}]}'
        answers = []
        for path in ("/api/auth/logout/", "/api/problems/custom/nope/test-cases"):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(
                _head(path, f"Content-Length: {len(body)}", "Authorization: Bearer test-admin-token") + body
            )
            await writer.drain()
            answers.append(_status(await _answer_one(reader)))
            writer.close()
    assert answers == [413, 404]


async def _answer_one(reader: asyncio.StreamReader) -> bytes:
    """One response (the connection may stay open)."""
    async with asyncio.timeout(GUARD_S):
        head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    async with asyncio.timeout(GUARD_S):
        return head + await reader.readexactly(length)
