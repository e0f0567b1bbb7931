"""Monthly goodwill budgets per kind of gift, and every spend against them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from goodwill.store.models.base import Base, BigId, Minor, UTCDateTime, currency


class Budget(Base):
    """How much goodwill of one kind may be given in one month."""

    __tablename__ = "budgets"
    __table_args__ = (CheckConstraint("limit_minor >= 0", name="limit_not_negative"),)

    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    limit_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(currency())


class BudgetSpend(Base):
    """One spend from a budget; the sum per (kind, period) never exceeds its limit."""

    __tablename__ = "budget_spend"
    __table_args__ = (
        ForeignKeyConstraint(["kind", "period"], ["budgets.kind", "budgets.period"]),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index(None, "kind", "period"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    amount_minor: Mapped[int] = mapped_column(Minor)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    spent_at: Mapped[datetime] = mapped_column(UTCDateTime)
