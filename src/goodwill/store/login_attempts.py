"""Sign-in attempts per key in a sliding window, shared by every process on the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from goodwill.store.models import LoginAttempt


def record_attempt(
    session: Session, key_digests: Sequence[str], *, limit: int, since: datetime, now: datetime
) -> bool:
    """Count an attempt under every key; False (and nothing counted) when any key already
    has ``limit`` attempts after ``since``. Attempts from before ``since`` are deleted.

    On PostgreSQL a transaction-scoped advisory lock per key makes the check and the insert
    one step across processes; SQLite's ``BEGIN IMMEDIATE`` already serialises writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        for digest in sorted(key_digests):  # one order everywhere: no deadlock between keys
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": digest}
            )
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= since))
    query = (
        select(LoginAttempt.key_digest, func.count())
        .where(LoginAttempt.key_digest.in_(key_digests), LoginAttempt.attempted_at > since)
        .group_by(LoginAttempt.key_digest)
    )
    counts = {digest: int(n) for digest, n in session.execute(query)}
    if any(counts.get(digest, 0) >= limit for digest in key_digests):
        return False
    session.add_all(LoginAttempt(key_digest=d, attempted_at=now) for d in key_digests)
    return True
