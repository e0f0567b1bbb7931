"""What the web app records: staff logins, sign-in links, self-service jobs and their
results (plan changes, SIM blocks, promises), and goodwill gestures given by agents.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from goodwill.store.models.base import Base, BigId, Minor, UTCDateTime, currency
from goodwill.store.models.care import one_of


class StaffRole(StrEnum):
    AGENT = "agent"
    LEAD = "lead"  # also approves gestures above an agent's allowance


class JobStatus(StrEnum):
    STARTED = "started"
    DONE = "done"


class GestureStatus(StrEnum):
    GIVEN = "given"
    AWAITING_LEAD = "awaiting_lead"  # above the agent's allowance
    HELD = "held"  # a lead held it back


class StaffUser(Base):
    """Someone at the care desk: an argon2 password hash, a role, a monthly allowance."""

    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint(one_of("role", StaffRole), name="role"),
        CheckConstraint("monthly_allowance_minor >= 0", name="allowance_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    monthly_allowance_minor: Mapped[int] = mapped_column(Minor, default=0)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginToken(Base):
    """A one-time sign-in link for a customer; only the token's SHA-256 is kept."""

    __tablename__ = "login_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Job(Base):
    """One self-service job of a customer: when it started, its steps, when it was done."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(one_of("status", JobStatus), name="status"),
        Index(None, "kind", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.STARTED)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlanChangeRequest(Base):
    """A customer's request to move a subscription to another plan from the next period."""

    __tablename__ = "plan_change_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    subscription_id: Mapped[str] = mapped_column(String(64))
    from_plan_id: Mapped[str] = mapped_column(String(64))
    to_plan_id: Mapped[str] = mapped_column(String(64))
    effective_period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SimBlock(Base):
    """A SIM blocked at the customer's word, and the free replacement ordered for it."""

    __tablename__ = "sim_blocks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    subscription_id: Mapped[str] = mapped_column(String(64))
    blocked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promises.id"))


class Promise(Base):
    """Something we promised a customer, made in goodwill (e.g. a replacement SIM by a day).

    The same columns as the ledger's promises, so a late one can trigger goodwill.
    """

    __tablename__ = "promises"
    __table_args__ = (Index(None, "kept_at", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Gesture(Base):
    """A goodwill credit an agent chose to give; above their allowance it waits for a lead."""

    __tablename__ = "gestures"
    __table_args__ = (
        CheckConstraint(one_of("status", GestureStatus), name="status"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index(None, "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(currency())
    reason: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM, of the agent's allowance
    status: Mapped[str] = mapped_column(String(16))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
