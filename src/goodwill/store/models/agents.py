"""The people who own cases, who owns what, and the credits handed to billing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from goodwill.store.models.base import Base, BigId, Minor, UTCDateTime


class Agent(Base):
    """A care agent: how customers reach them, their team, and when they are away."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str] = mapped_column(String(64))
    away_until: Mapped[date | None] = mapped_column(Date)  # away up to and including this day
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseOwner(Base):
    """Who owns one case (a ticket, or a moment that needs a person) of a customer.

    ``subject`` names the case, e.g. ``ticket:T-1`` or a moment's dedupe key; a case has
    at most one open row (``released_at`` empty). A move closes one row and opens another.
    """

    __tablename__ = "case_owners"
    __table_args__ = (
        Index(None, "agent_id", "released_at"),
        Index(None, "customer_id", "assigned_at"),
        Index(None, "subject"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    reason: Mapped[str] = mapped_column(String(32))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CreditExport(Base):
    """A batch of credits for the billing system: decided first, then written, then marked.

    ``exported_at`` is empty between the decision and the file being in place; a run
    that finds such a batch finishes it instead of making a new one.
    """

    __tablename__ = "credit_exports"
    __table_args__ = (CheckConstraint("credits > 0", name="credits_positive"),)

    batch_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    credits: Mapped[int] = mapped_column(Integer)
    total_minor: Mapped[int] = mapped_column(Minor)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CreditExportItem(Base):
    """One credit action in one batch: the primary key makes every credit go out once."""

    __tablename__ = "credit_export_items"

    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("credit_exports.batch_id"), index=True)
