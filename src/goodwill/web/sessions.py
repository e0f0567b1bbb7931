"""Server-side sessions: the signed cookie says who someone is only while the store agrees.

Starlette's signed cookie carries the session's data; this middleware, inside it, ties
every signed-in cookie to a row of ``web_sessions`` (:mod:`goodwill.store.web_sessions`):

- before a request, a cookie whose session has ended (signed out, expired, or from a
  store that never knew it) is emptied, so the request is nobody's;
- when a route signs someone in (puts ``customer_id`` or ``staff_id`` in the session), a
  new session starts in the store and the cookie gets its token: a token from before
  signing in never carries over;
- when a route signs someone out (clears the session), their session ends in the store,
  so a copy of the old cookie signs nobody in, in any process.

Routes need not know: they read and write ``request.session`` as before.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from goodwill.store.web_sessions import (
    SignedIn,
    end_web_session,
    live_web_session,
    open_web_session,
)

#: The session key that holds the server-side session's token.
TOKEN = "sid"


def signed_in(cookie: dict[str, Any]) -> SignedIn | None:
    """Who the cookie's data says is signed in (not yet checked against the store)."""
    customer_id, staff_id = cookie.get("customer_id"), cookie.get("staff_id")
    if isinstance(staff_id, int) and not isinstance(staff_id, bool):
        return SignedIn(staff_id=staff_id)
    if isinstance(customer_id, str):
        return SignedIn(customer_id=customer_id)
    return None


class ServerSessions:
    """ASGI middleware; add it before ``SessionMiddleware`` so that it runs inside it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "session" not in scope:
            await self.app(scope, receive, send)
            return
        state, cookie = scope["app"].state.web, scope["session"]
        start = None  # nobody's cookie: nothing to check in the store
        if signed_in(cookie) is not None or TOKEN in cookie:
            start = await to_thread.run_sync(_checked, state, cookie)

        async def settle_then_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not _unchanged(cookie, start):
                await to_thread.run_sync(_settle, state, cookie, start)
            await send(message)

        await self.app(scope, receive, settle_then_send)


def _checked(state: Any, cookie: dict[str, Any]) -> tuple[str, SignedIn] | None:
    """The cookie's token and who it signs in, if its session is live and is the cookie's;
    otherwise the cookie is emptied (its holder is nobody now) and None."""
    who, token = signed_in(cookie), cookie.get(TOKEN)
    if who is None and token is None:
        return None
    if isinstance(token, str) and who is not None:
        with state.read_sessions() as session:
            if live_web_session(session, token, now=state.clock()) == who:
                return token, who
    cookie.clear()
    return None


def _unchanged(cookie: dict[str, Any], start: tuple[str, SignedIn] | None) -> bool:
    """Whether the route left the cookie's session as it found it: nothing to settle."""
    who, token = signed_in(cookie), cookie.get(TOKEN)
    if start is None:
        return who is None and token is None
    return start == (token, who)


def _settle(state: Any, cookie: dict[str, Any], start: tuple[str, SignedIn] | None) -> None:
    """End the session a route signed out of; start one for whoever a route signed in."""
    who, token = signed_in(cookie), cookie.get(TOKEN)
    if start is not None and start == (token, who):
        return  # the same person on the same session
    if who is None:
        cookie.pop(TOKEN, None)
    if start is None and who is None:
        return
    lifetime = timedelta(seconds=state.config.session_max_age_s)
    with state.sessions.begin() as session:
        if start is not None:
            end_web_session(session, start[0])
        if who is not None:
            cookie[TOKEN] = open_web_session(session, who, now=state.clock(), lifetime=lifetime)
