"""Goodwill gestures from the customer 360 page, allowances, and a lead's approvals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from goodwill.domain.periods import period_of
from goodwill.store.models import Gesture, GestureStatus, StaffUser
from goodwill.store.staff import set_allowance
from goodwill.web.deps import (
    CurrentLead,
    CurrentStaff,
    FormCsrf,
    LedgerDep,
    RowId,
    SessionDep,
    StateDep,
)
from goodwill.web.errors import BadInput, NotFound
from goodwill.web.flows import gestures
from goodwill.web.pages import deliver_outbox, page, see_other

router = APIRouter(prefix="/desk", include_in_schema=False)


def pounds_to_minor(text: str) -> int:
    """'7.50' → 750; anything else is a BadInput that says what to type."""
    try:
        amount = Decimal(text.strip().lstrip("£"))
    except InvalidOperation as exc:
        raise BadInput(f"{text!r} isn't an amount of money; type it like 7.50") from exc
    if amount != amount.quantize(Decimal("0.01")) or not amount.is_finite():
        raise BadInput("Please give the amount in pounds and pence, like 7.50")
    return int(amount * 100)


@router.post("/customers/{customer_id}/gestures", dependencies=[FormCsrf])
def give(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    staff: CurrentStaff,
    customer_id: str,
    amount: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> RedirectResponse:
    gesture = gestures.offer_gesture(
        session,
        ledger,
        state.settings,
        state.config,
        staff,
        customer_id,
        pounds_to_minor(amount),
        reason,
        now=state.clock(),
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    notice = "given" if gesture.status == GestureStatus.GIVEN else "awaiting_lead"
    return see_other(f"/desk/customers/{customer_id}?notice={notice}")


@router.get("/approvals")
def approvals(
    request: Request, state: StateDep, session: SessionDep, lead: CurrentLead
) -> HTMLResponse:
    query = (
        select(Gesture, StaffUser.name)
        .join(StaffUser, Gesture.staff_user_id == StaffUser.id)
        .where(Gesture.status == GestureStatus.AWAITING_LEAD)
        .order_by(Gesture.created_at)
    )
    waiting = list(session.execute(query))
    left = gestures.budget_left(session, state.config, period_of(state.today()))
    return page(request, "desk/approvals.html", staff=lead, waiting=waiting, budget_left=left)


@router.post("/gestures/{gesture_id}", dependencies=[FormCsrf])
def decide(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    lead: CurrentLead,
    gesture_id: RowId,
    decision: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    if decision not in ("approve", "hold"):
        raise BadInput("Choose approve or hold.")
    gestures.decide_gesture(
        session,
        ledger,
        state.settings,
        state.config,
        lead,
        gesture_id,
        decision == "approve",
        now=state.clock(),
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return see_other("/desk/approvals")


@router.post("/staff/{staff_id}/allowance", dependencies=[FormCsrf])
def allowance(
    session: SessionDep,
    lead: CurrentLead,
    staff_id: RowId,
    amount: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    if set_allowance(session, staff_id, pounds_to_minor(amount)) is None:
        raise NotFound()
    session.commit()
    return see_other("/desk/agents")
