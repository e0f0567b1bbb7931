"""What a care run records: the run, the moments it found, the actions it took, the contacts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodwill.store.models.base import Base, BigId, Minor, UTCDateTime, currency


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class MomentStatus(StrEnum):
    """What the run decided about a moment."""

    ACTED = "acted"
    WITHHELD = "withheld"  # held back on purpose: the customer is in the holdout group
    SUPPRESSED = "suppressed"  # a rule said no: consent, contact policy, budget
    DEFERRED = "deferred"  # worth doing, but not now (e.g. a quiet period)
    MERGED = "merged"  # told together with others in one repeated-failures message


def one_of(column: str, enum: type[StrEnum]) -> str:
    """A CHECK condition that ``column`` holds one of the enum's values."""
    return f"{column} IN ({', '.join(repr(str(m)) for m in enum)})"


class Run(Base):
    """One care run: the day it ran for, when, how it ended, and what it counted."""

    __tablename__ = "runs"
    __table_args__ = (CheckConstraint(one_of("status", RunStatus), name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    asof: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.RUNNING)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Moment(Base):
    """A candidate gift found by a detector, with the decision taken about it.

    ``dedupe_key`` names the moment itself (kind, customer, subscription, period), so the
    same moment found by a second run on the same day is not recorded again.
    """

    __tablename__ = "moments"
    __table_args__ = (CheckConstraint(one_of("status", MomentStatus), name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    detected_for: Mapped[str] = mapped_column(String(10))  # a period YYYY-MM or a date
    value_to_customer_minor: Mapped[int] = mapped_column(Minor)
    cost_to_business_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(currency())
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Action(Base):
    """Something goodwill did for a customer: a message, a credit, a replacement …"""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    moment_id: Mapped[int | None] = mapped_column(ForeignKey("moments.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int] = mapped_column(Minor, default=0)
    currency: Mapped[str | None] = mapped_column(currency())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Contact(Base):
    """One time goodwill reached out to a customer; the contact policy counts these."""

    __tablename__ = "contacts"
    __table_args__ = (Index(None, "customer_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    message_type: Mapped[str] = mapped_column(String(32))
    moment_kind: Mapped[str | None] = mapped_column(String(64))
    subscription_id: Mapped[str | None] = mapped_column(String(64))
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    saving_minor: Mapped[int | None] = mapped_column(Minor)
    currency: Mapped[str | None] = mapped_column(currency())
