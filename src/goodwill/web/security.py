"""Passwords, one-time link tokens, CSRF tokens and login rate limits.

Sessions themselves are Starlette's signed cookies (itsdangerous), set up in
:func:`goodwill.web.app.create_app`: HttpOnly, SameSite=Lax, Secure over https.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
#: Checked against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")
MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``; refuses passwords shorter than 12 characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (None: an unknown user, always False)."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_link_token() -> tuple[str, str]:
    """A fresh one-time token and its SHA-256, which is all the store keeps."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use; every form posts it back."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], given: str | None) -> bool:
    """Whether ``given`` is this session's CSRF token."""
    expected = session.get("csrf")
    return isinstance(expected, str) and bool(given) and hmac.compare_digest(expected, given or "")


class RateLimiter:
    """At most ``limit`` attempts per key in any ``window_s`` seconds (kept in memory).

    One process holds the counts; behind several workers, each counts on its own.
    """

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, *keys: str) -> bool:
        """Count an attempt under every key; False when any key is over its limit."""
        now = self.clock()
        with self._lock:
            queues = [self._hits.setdefault(k, deque()) for k in keys]
            for queue in queues:
                while queue and queue[0] <= now - self.window_s:
                    queue.popleft()
            if any(len(q) >= self.limit for q in queues):
                return False
            for queue in queues:
                queue.append(now)
            return True
