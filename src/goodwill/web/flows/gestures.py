"""The right to right a wrong: an agent's goodwill credit, within their monthly allowance.

Within the allowance it is given at once: an action, a spend from the monthly gesture
budget, and a message to the customer in the agent's own name. Above it, it waits for a
lead, who gives it (the same way) or holds it back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodwill.domain.contact import Owner
from goodwill.domain.formatting import format_money
from goodwill.domain.periods import period_of
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings
from goodwill.store import add_action, ensure_budget, spend, spent
from goodwill.store.models import Agent, Budget, Gesture, GestureStatus, StaffUser
from goodwill.web import ledger_reads
from goodwill.web.config import WebConfig
from goodwill.web.errors import BadInput, NotFound
from goodwill.web.flows.signin import first_name
from goodwill.web.outbox import Recipient, queue_customer_message, render

BUDGET_KIND = "goodwill_gesture"
MAX_REASON = 500
MAX_GESTURE_MINOR = 100_000


def allowance_used(session: Session, staff: StaffUser, period: str) -> int:
    """What the agent gave on their own allowance this month (a lead's approvals not counted)."""
    query = select(func.coalesce(func.sum(Gesture.amount_minor), 0)).where(
        Gesture.staff_user_id == staff.id,
        Gesture.period == period,
        Gesture.status == GestureStatus.GIVEN,
        Gesture.decided_by.is_(None),
    )
    return int(session.scalar(query) or 0)


def gesture_problems(amount_minor: int, reason: str) -> dict[str, str]:
    """What to fix in a gesture, by field (``amount``, ``reason``); empty when it is fine."""
    problems = {}
    reason = " ".join(reason.split())
    if not 0 < amount_minor <= MAX_GESTURE_MINOR:
        problems["amount"] = "Please give an amount between £0.01 and £1,000, like 7.50."
    if not reason or len(reason) > MAX_REASON or not reason.isprintable():
        problems["reason"] = (
            f"Please say in a sentence why (up to {MAX_REASON} characters); the customer reads it."
        )
    return problems


def offer_gesture(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    staff: StaffUser,
    customer_id: str,
    amount_minor: int,
    reason: str,
    *,
    now: datetime,
) -> Gesture:
    """Give a credit now if it fits the agent's allowance, else queue it for a lead."""
    if ledger_reads.customer(ledger, customer_id) is None:
        raise NotFound()
    reason = " ".join(reason.split())
    if problems := gesture_problems(amount_minor, reason):
        raise BadInput.of(problems)
    period = period_of(now.date())
    # The agent's row is locked until the commit, so two tabs of one agent cannot both find
    # room in the allowance (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes them).
    staff = session.scalars(
        select(StaffUser)
        .where(StaffUser.id == staff.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    within = allowance_used(session, staff, period) + amount_minor <= staff.monthly_allowance_minor
    gesture = Gesture(
        customer_id=customer_id,
        staff_user_id=staff.id,
        amount_minor=amount_minor,
        currency="GBP",
        reason=reason,
        period=period,
        status=GestureStatus.AWAITING_LEAD,
        created_at=now,
    )
    session.add(gesture)
    session.flush()
    if within:
        _give(session, ledger, settings, config, gesture, now=now)
    return gesture


def decide_gesture(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    lead: StaffUser,
    gesture_id: int,
    approve: bool,
    *,
    now: datetime,
) -> Gesture:
    """A lead gives a waiting gesture, or holds it back."""
    # Locked until the commit: of two leads deciding at once, the second finds it decided.
    gesture = session.get(Gesture, gesture_id, with_for_update=True, populate_existing=True)
    if gesture is None or gesture.status != GestureStatus.AWAITING_LEAD:
        raise NotFound("That gesture isn't waiting for a decision any more.")
    gesture.decided_by, gesture.decided_at = lead.id, now
    if approve:
        _give(session, ledger, settings, config, gesture, now=now)
    else:
        gesture.status = GestureStatus.HELD
    return gesture


def budget_left(session: Session, config: WebConfig, period: str) -> int:
    """What is left of this month's gesture budget."""
    budget = session.get(Budget, (BUDGET_KIND, period))
    limit = budget.limit_minor if budget is not None else config.gesture_budget_minor
    return limit - spent(session, BUDGET_KIND, period)


def _give(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    gesture: Gesture,
    *,
    now: datetime,
) -> None:
    period = period_of(now.date())
    ensure_budget(session, BUDGET_KIND, period, config.gesture_budget_minor, gesture.currency)
    action = add_action(
        session,
        customer_id=gesture.customer_id,
        kind="credit",
        amount_minor=gesture.amount_minor,
        currency=gesture.currency,
        now=now,
    )
    if not spend(session, BUDGET_KIND, period, gesture.amount_minor, action.id, now=now):
        left = format_money(budget_left(session, config, period), gesture.currency)
        raise BadInput(
            f"This month's goodwill budget has only {left} left, so this can't go out now. "
            "Please try a smaller amount, or ask a lead to raise the budget.",
            "amount",
        )
    gesture.status, gesture.action_id = GestureStatus.GIVEN, action.id
    _tell_customer(session, ledger, settings, config, gesture, action.id)


def _tell_customer(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    gesture: Gesture,
    action_id: int,
) -> None:
    giver = session.get_one(StaffUser, gesture.staff_user_id)
    agent = session.get(Agent, giver.agent_id) if giver.agent_id else None
    owner = Owner(giver.name, agent.email if agent else giver.email, agent.phone if agent else None)
    row = ledger_reads.customer(ledger, gesture.customer_id) or {}
    to = Recipient(gesture.customer_id, first_name(str(row.get("name") or "")), row.get("email"))
    evidence = {"amount_minor": gesture.amount_minor, "reason": gesture.reason}
    message = render(
        settings, "gesture", to.first_name, evidence, owner=owner, currency=gesture.currency
    )
    queue_customer_message(
        session,
        settings,
        config,
        to=to,
        action_id=action_id,
        key=f"gesture:{gesture.id}",
        message=message,
    )
