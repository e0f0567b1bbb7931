"""The care desk's JSON API for goodwill gestures: give one, approve or hold one, set an
allowance. Staff only, with the session's CSRF token in the X-CSRF-Token header."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodwill.ledger.reader import Ledger
from goodwill.store.models import StaffUser
from goodwill.store.staff import set_allowance
from goodwill.web.deps import (
    ApiCsrf,
    CurrentLead,
    CurrentStaff,
    LedgerDep,
    RowId,
    SessionDep,
    StateDep,
    WebState,
)
from goodwill.web.errors import NotFound
from goodwill.web.flows import gestures
from goodwill.web.pages import deliver_outbox
from goodwill.web.views import roster
from goodwill.web.views.approvals import GestureView, gesture_view

router = APIRouter(prefix="/api/desk", tags=["care desk"])


class GestureRequest(BaseModel):
    amount_minor: int = Field(description="The credit in pence, 1 to 100000 (£1,000).")
    reason: str = Field(description="Why, in a sentence the customer reads (up to 500).")


class AllowanceRequest(BaseModel):
    monthly_allowance_minor: int = Field(ge=0, le=100_000_000, description="In pence.")


@router.post("/customers/{customer_id}/gestures", dependencies=[ApiCsrf])
def give(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    staff: CurrentStaff,
    customer_id: str,
    body: GestureRequest,
) -> GestureView:
    """Give a goodwill credit now within the agent's allowance; above it, it waits for a lead."""
    gesture = gestures.offer_gesture(
        session,
        ledger,
        state.settings,
        state.config,
        staff,
        customer_id,
        body.amount_minor,
        body.reason,
        now=state.clock(),
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return gesture_view(gesture, staff.name)


@router.post("/gestures/{gesture_id}/approve", dependencies=[ApiCsrf])
def approve(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    lead: CurrentLead,
    gesture_id: RowId,
) -> GestureView:
    """Give a waiting gesture (leads only)."""
    return _decide(state, session, ledger, tasks, lead, gesture_id, approve=True)


@router.post("/gestures/{gesture_id}/hold", dependencies=[ApiCsrf])
def hold(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    lead: CurrentLead,
    gesture_id: RowId,
) -> GestureView:
    """Hold a waiting gesture back (leads only)."""
    return _decide(state, session, ledger, tasks, lead, gesture_id, approve=False)


def _decide(
    state: WebState,
    session: Session,
    ledger: Ledger,
    tasks: BackgroundTasks,
    lead: StaffUser,
    gesture_id: int,
    *,
    approve: bool,
) -> GestureView:
    gesture = gestures.decide_gesture(
        session, ledger, state.settings, state.config, lead, gesture_id, approve, now=state.clock()
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    by = session.get_one(StaffUser, gesture.staff_user_id).name
    return gesture_view(gesture, by)


@router.post("/staff/{staff_id}/allowance", dependencies=[ApiCsrf])
def allowance(
    session: SessionDep, lead: CurrentLead, staff_id: RowId, body: AllowanceRequest
) -> list[roster.RosterRow]:
    """Set a desk user's monthly gesture allowance (leads only); the roster after it."""
    if set_allowance(session, staff_id, body.monthly_allowance_minor) is None:
        raise NotFound()
    session.commit()
    return roster.roster(session)
