"""Security headers on every response, error pages and static files included.

The Content-Security-Policy lets a page run only scripts from this site and inline scripts
that carry the response's nonce (``<script nonce="{{ request.state.csp_nonce }}">``), so
injected markup runs nothing. Inline styles stay allowed: plotly.js sets styles as it
draws, and a style cannot run code. No page may be framed (the desk's give and approve
buttons cannot be clickjacked), and no Referer leaves a page, so a one-time
``/signin/{token}`` URL never reaches another site.
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
EVERY_RESPONSE = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeaders:
    """ASGI middleware; ``hsts`` adds Strict-Transport-Security (when served over https)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                policy = POLICY.format(nonce=nonce)
                headers["Content-Security-Policy"] = policy
                for name, value in EVERY_RESPONSE.items():
                    headers[name] = value
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
                if self.hsts:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, with_headers)
