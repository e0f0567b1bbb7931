"""While the store cannot be reached (PostgreSQL restarting or down), a request gets a clear
503 with ``Retry-After``, never a 500 or a dropped connection.

A GET or HEAD that met a dropped connection is tried once more first: it only reads, so a
second run is safe, and the engine's ``pool_pre_ping`` hands it a fresh connection if the
server is back. Any other request is not run again here: its commit may have reached the
store just before the connection dropped, so whether to send it again is the client's
call (a second block of a blocked line is refused; see the README's promises).
"""

from __future__ import annotations

import json
import logging

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from goodwill.store.engine import store_unreachable

log = logging.getLogger("goodwill.web")

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER_S = 5
MESSAGE = "The store is unavailable for a moment; please try again in a few seconds."
SAFE_METHODS = frozenset({"GET", "HEAD"})


class StoreUnavailable:
    """ASGI middleware; add it inside SecurityHeaders, so a 503 gets the headers too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        tries = 2 if scope["method"] in SAFE_METHODS else 1
        replay = _Replay(receive)
        for attempt in range(1, tries + 1):
            try:
                await self.app(scope, replay.receive, tracked)
                return
            except Exception as exc:
                if started or not store_unreachable(exc):
                    raise
                log.warning(
                    "store unreachable: %s %s (try %d of %d): %s",
                    scope["method"],
                    scope["path"],
                    attempt,
                    tries,
                    getattr(exc, "orig", exc),
                )
            replay.rewind()
            await anyio.sleep(0.2)
        await _send_503(scope, send)


class _Replay:
    """The request's messages, kept so that a second run reads the same body."""

    def __init__(self, receive: Receive) -> None:
        self._receive, self._kept, self._at = receive, list[Message](), 0

    async def receive(self) -> Message:
        if self._at < len(self._kept):
            self._at += 1
            return self._kept[self._at - 1]
        message = await self._receive()
        if message["type"] == "http.request":
            self._kept.append(message)
            self._at += 1
        return message

    def rewind(self) -> None:
        self._at = 0


async def _send_503(scope: Scope, send: Send) -> None:
    if scope["path"].startswith("/api"):
        body, kind = json.dumps({"detail": MESSAGE}).encode(), b"application/json"
    else:
        page = f"<!doctype html><title>Please try again</title><h1>Please try again</h1><p>{MESSAGE}</p>"
        body, kind = page.encode(), b"text/html; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_S).encode()),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
