"""One-time sign-in links: issue one, and use it once before it expires."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodwill.store.models import LoginToken


def issue_login_token(
    session: Session, customer_id: str, token_sha256: str, *, now: datetime, valid_for: timedelta
) -> LoginToken:
    """Record a sign-in link (by its token's SHA-256) that works until ``now + valid_for``."""
    row = LoginToken(
        token_sha256=token_sha256,
        customer_id=customer_id,
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(row)
    session.flush()
    return row


def pending_login_token(session: Session, token_sha256: str, *, now: datetime) -> LoginToken | None:
    """The unused, unexpired link with this digest, if any (it is not used up by looking)."""
    query = select(LoginToken).where(
        LoginToken.token_sha256 == token_sha256,
        LoginToken.used_at.is_(None),
        LoginToken.expires_at > now,
    )
    return session.scalar(query)


def use_login_token(session: Session, token_sha256: str, *, now: datetime) -> str | None:
    """Use a link up: the customer it signs in, or None if unknown, used or expired.

    One conditional UPDATE decides, so two requests racing with the same link cannot
    both sign in.
    """
    found = session.execute(
        update(LoginToken)
        .where(
            LoginToken.token_sha256 == token_sha256,
            LoginToken.used_at.is_(None),
            LoginToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(LoginToken.customer_id)
    ).first()
    return None if found is None else str(found[0])
