"""Passwords, one-time link tokens, CSRF tokens and the sign-in rate limit.

Sessions are Starlette's signed cookies (itsdangerous), set up in
:func:`goodwill.web.app.create_app`: HttpOnly, SameSite=Lax, Secure over https; each
signed-in cookie is tied to a row of the store that sign-out deletes
(:mod:`goodwill.web.sessions`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import MutableMapping
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, sessionmaker

from goodwill.store.login_attempts import record_attempt

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


class LoginLimiter:
    """At most ``limit`` sign-in attempts per key in any ``window_s`` seconds.

    The attempts are counted in the store, so every `goodwill serve` process on the same
    store shares the limit. Keys (``staff:<email>``, ``ip:<address>``) are kept only as
    HMAC-SHA256 digests under the session secret: the store never holds an email or an
    address in clear. Processes share counts when they share ``session_secret`` (which
    they must anyway, to share sessions).
    """

    def __init__(
        self, sessions: sessionmaker[Session], secret: str, limit: int, window_s: int
    ) -> None:
        self.sessions, self.limit, self.window = sessions, limit, timedelta(seconds=window_s)
        self._secret = secret.encode("utf-8")

    def digest(self, key: str) -> str:
        return hmac.new(self._secret, key.encode("utf-8"), hashlib.sha256).hexdigest()

    def allow(self, *keys: str, now: datetime) -> bool:
        """Count an attempt under every key; False when any key is over its limit."""
        digests = [self.digest(k) for k in keys]
        with self.sessions.begin() as session:
            return record_attempt(
                session, digests, limit=self.limit, since=now - self.window, now=now
            )
