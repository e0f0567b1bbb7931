"""Sign-in attempts, counted in the store so every `goodwill serve` process shares the limit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from goodwill.store.models.base import Base, BigId, UTCDateTime


class LoginAttempt(Base):
    """One sign-in attempt under one key (an email or a client address).

    Only a keyed digest of the key is kept, never the email or address itself; rows older
    than the limiter's window are deleted as new attempts come in.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "key_digest", "attempted_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
