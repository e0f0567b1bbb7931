"""A lead's approvals as data: gestures above an agent's allowance, and the budget left."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.domain.periods import period_of
from goodwill.store.models import Gesture, GestureStatus, StaffUser
from goodwill.web.config import WebConfig
from goodwill.web.flows.gestures import budget_left


class GestureView(BaseModel):
    id: int
    customer_id: str
    amount_minor: int
    currency: str
    reason: str
    status: str
    by: str
    created_at: datetime


class ApprovalsView(BaseModel):
    waiting: list[GestureView]
    budget_left_minor: int


def approvals(session: Session, config: WebConfig, today: date) -> ApprovalsView:
    """Gestures waiting for a lead, oldest first, and what is left of this month's budget."""
    query = (
        select(Gesture, StaffUser.name)
        .join(StaffUser, Gesture.staff_user_id == StaffUser.id)
        .where(Gesture.status == GestureStatus.AWAITING_LEAD)
        .order_by(Gesture.created_at, Gesture.id)
    )
    waiting = [gesture_view(g, name) for g, name in session.execute(query)]
    return ApprovalsView(
        waiting=waiting, budget_left_minor=budget_left(session, config, period_of(today))
    )


def gesture_view(gesture: Gesture, by: str) -> GestureView:
    return GestureView(
        id=gesture.id,
        customer_id=gesture.customer_id,
        amount_minor=gesture.amount_minor,
        currency=gesture.currency,
        reason=gesture.reason,
        status=gesture.status,
        by=by,
        created_at=gesture.created_at,
    )
