"""A real HTTP server on 127.0.0.1 serving feeds (or anything else) from routes each test sets."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

# Ceiling on how long any handler of the test server waits or streams, so nothing outlives a test
# even if a client never hangs up.
HANDLER_LIMIT_S = 10.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FeedServer:
    """Routes set per test: static bodies with validators, errors, redirects, hangs, huge bodies."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.port = 0
        self._release = asyncio.Event()

    # -- what tests call -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def count(self, path: str) -> int:
        """How many requests ``path`` received."""
        return len(self.requests.get(path, []))

    def serve(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml",
        etag: str | None = None,
        last_modified: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        compress: bool = False,
    ) -> None:
        """Serve ``body``, or 304 if the request has the matching ``etag``/``last_modified``."""

        async def handler(request: web.Request) -> web.Response:
            if _not_modified(request, etag, last_modified):
                return web.Response(status=304, headers=_validators(etag, last_modified))
            extra = {**_validators(etag, last_modified), **(headers or {})}
            payload = body
            if compress:
                payload = gzip.compress(body)
                extra["Content-Encoding"] = "gzip"
            return web.Response(
                status=status, body=payload, headers={"Content-Type": content_type, **extra}
            )

        self.routes[path] = handler

    def redirect(self, path: str, location: str, *, status: int = 301) -> None:
        """Answer ``path`` with a redirect to ``location`` (absolute or relative)."""

        async def handler(request: web.Request) -> web.Response:
            return web.Response(status=status, headers={"Location": location})

        self.routes[path] = handler

    def hang(self, path: str) -> None:
        """Never answer ``path`` (until the test ends)."""

        async def handler(request: web.Request) -> web.Response:
            await self._wait_for_release()
            return web.Response(text="too late")

        self.routes[path] = handler

    def hang_after_headers(self, path: str) -> None:
        """Send the headers and a first chunk for ``path``, then never finish the body."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            await response.prepare(request)
            await response.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
            await self._wait_for_release()
            return response

        self.routes[path] = handler

    def huge(self, path: str, size: int, *, declare_length: bool) -> None:
        """Stream ``size`` bytes of filler, with or without a Content-Length header."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            if declare_length:
                response.content_length = size
            await response.prepare(request)
            chunk = b"x" * 65536
            try:
                async with asyncio.timeout(HANDLER_LIMIT_S):
                    while self.bytes_sent < size:
                        piece = chunk[: size - self.bytes_sent]
                        await response.write(piece)
                        # Counted as it goes: a hang-up cancels this handler mid-loop.
                        self.bytes_sent += len(piece)
            except (ConnectionError, TimeoutError):
                pass  # the client hung up once it had enough: the point of the test
            return response

        self.bytes_sent = 0
        self.routes[path] = handler

    # -- plumbing --------------------------------------------------------------------------------

    async def _wait_for_release(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), HANDLER_LIMIT_S)

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path].append(dict(request.headers))
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="no such route")
        return await handler(request)

    def release(self) -> None:
        self._release.set()


def _validators(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["ETag"] = etag
    if last_modified:
        headers["Last-Modified"] = last_modified
    return headers


def _not_modified(request: web.Request, etag: str | None, last_modified: str | None) -> bool:
    if etag and request.headers.get("If-None-Match") == etag:
        return True
    return bool(last_modified and request.headers.get("If-Modified-Since") == last_modified)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """A started :class:`FeedServer` on a random port of 127.0.0.1."""
    server = FeedServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.dispatch)
    # handler_cancellation: a handler whose client hung up (timeouts, size caps) stops at once.
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        server.release()
        await runner.cleanup()
