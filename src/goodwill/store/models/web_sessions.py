"""Web sessions held in the store, so signing out ends a session in every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from goodwill.store.models.base import Base, BigId, UTCDateTime


class WebSession(Base):
    """One signed-in session of a customer or of a member of staff, until it ends.

    The cookie carries a random token; the store keeps only its SHA-256 (``id``), so a
    copy of the store does not sign anyone in. Signing out deletes the row; a row past
    ``expires_at`` no longer signs anyone in and is deleted when the next session starts.
    """

    __tablename__ = "web_sessions"
    __table_args__ = (
        CheckConstraint(
            "(customer_id IS NULL) <> (staff_id IS NULL)", name="one_customer_or_staff"
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    staff_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
