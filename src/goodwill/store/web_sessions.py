"""Web sessions in the store: opened at sign-in, looked up on every request, ended at sign-out."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from goodwill.store.models.web_sessions import WebSession


@dataclass(frozen=True)
class SignedIn:
    """Who a live session belongs to: a customer or a member of staff."""

    customer_id: str | None = None
    staff_id: int | None = None


def open_web_session(session: Session, who: SignedIn, *, now: datetime, lifetime: timedelta) -> str:
    """Start a session for ``who``; returns its token (for the cookie), which is never stored.

    Sessions past their end are deleted here, so the table holds only live ones.
    """
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id=_digest(token),
            customer_id=who.customer_id,
            staff_id=who.staff_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


#: Looked up on every request: built once, and run as a plain statement (no ORM object).
_LIVE = select(WebSession.customer_id, WebSession.staff_id, WebSession.expires_at).where(
    WebSession.id == bindparam("id")
)


def live_web_session(session: Session, token: str, *, now: datetime) -> SignedIn | None:
    """Who the session with ``token`` signs in; None once it has ended or expired."""
    row = session.connection().execute(_LIVE, {"id": _digest(token)}).first()
    if row is None or row.expires_at <= now:
        return None
    return SignedIn(row.customer_id, row.staff_id)


def end_web_session(session: Session, token: str) -> None:
    """End the session with ``token`` (signing out); ending one already ended does nothing."""
    session.execute(delete(WebSession).where(WebSession.id == _digest(token)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
