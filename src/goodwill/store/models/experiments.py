"""Holdout experiments: one per kind of gift, and which arm each customer is in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from goodwill.store.models.base import Base, BigId, UTCDateTime


class Experiment(Base):
    """The holdout experiment of one kind of gift; ``salt`` keeps assignment stable."""

    __tablename__ = "experiments"
    __table_args__ = (
        CheckConstraint("holdout_share_percent BETWEEN 0 AND 100", name="holdout_share"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), unique=True)
    salt: Mapped[str] = mapped_column(String(64))
    holdout_share_percent: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Assignment(Base):
    """A customer's arm in an experiment, recorded the first time they were assigned."""

    __tablename__ = "assignments"

    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    arm: Mapped[str] = mapped_column(String(16))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
