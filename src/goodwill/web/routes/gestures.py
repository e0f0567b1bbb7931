"""Goodwill gestures from the customer 360 page, allowances, and a lead's approvals.

A form with a problem comes back on its own page, with nothing recorded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from goodwill.store.models import GestureStatus
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
from goodwill.web.form_fields import pounds_to_minor
from goodwill.web.pages import deliver_outbox, form_again, page, see_other
from goodwill.web.views import approvals as approvals_view
from goodwill.web.views import customer_360, roster

router = APIRouter(prefix="/desk", include_in_schema=False)
MAX_ALLOWANCE_MINOR = 100_000_000  # £1,000,000: more is a typing slip, not an allowance


@router.post("/customers/{customer_id}/gestures", dependencies=[FormCsrf])
def give(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    staff: CurrentStaff,
    customer_id: str,
    amount: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        gesture = gestures.offer_gesture(
            session,
            ledger,
            state.settings,
            state.config,
            staff,
            customer_id,
            _gesture_amount(amount, reason),
            reason,
            now=state.clock(),
        )
    except BadInput as problem:
        session.rollback()  # nothing half-done: no gesture, action or spend is kept
        view = customer_360.customer_360(
            session, ledger, state.settings, customer_id, state.today()
        )
        values = {"amount": amount[:20], "reason": reason[: gestures.MAX_REASON]}
        return form_again(request, "desk/customer.html", problem, values, staff=staff, view=view)
    session.commit()
    tasks.add_task(deliver_outbox, state)
    notice = "given" if gesture.status == GestureStatus.GIVEN else "awaiting_lead"
    return see_other(f"/desk/customers/{customer_id}?notice={notice}")


def _gesture_amount(amount: str, reason: str) -> int:
    """The amount in pence; a BadInput names every field at fault, the reason's too."""
    try:
        return pounds_to_minor(amount)
    except BadInput as problem:
        reason_problem = gestures.gesture_problems(1, reason)
        raise BadInput.of({**problem.errors, **reason_problem}) from problem


@router.get("/approvals")
def approvals(
    request: Request, state: StateDep, session: SessionDep, lead: CurrentLead
) -> HTMLResponse:
    view = approvals_view.approvals(session, state.config, state.today())
    return page(request, "desk/approvals.html", staff=lead, view=view)


@router.post("/gestures/{gesture_id}", dependencies=[FormCsrf])
def decide(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    lead: CurrentLead,
    gesture_id: RowId,
    decision: Annotated[str, Form()] = "",
) -> Response:
    try:
        if decision not in ("approve", "hold"):
            raise BadInput("Please choose Approve and give, or Hold back.", f"g{gesture_id}")
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
    except BadInput as problem:
        session.rollback()
        view = approvals_view.approvals(session, state.config, state.today())
        field = BadInput(problem.message, f"g{gesture_id}")  # next to this gesture's buttons
        return form_again(request, "desk/approvals.html", field, {}, staff=lead, view=view)
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return see_other("/desk/approvals")


@router.post("/staff/{staff_id}/allowance", dependencies=[FormCsrf])
def allowance(
    request: Request,
    session: SessionDep,
    lead: CurrentLead,
    staff_id: RowId,
    amount: Annotated[str, Form()] = "",
) -> Response:
    field = f"a{staff_id}"
    try:
        minor = pounds_to_minor(amount, field, what="the new monthly allowance")
        if not 0 <= minor <= MAX_ALLOWANCE_MINOR:
            raise BadInput("Please give an allowance between £0 and £1,000,000, like 50.00.", field)
        if set_allowance(session, staff_id, minor) is None:
            raise NotFound()
    except BadInput as problem:
        session.rollback()
        rows = roster.roster(session)
        values = {field: amount[:20]}
        return form_again(request, "desk/agents.html", problem, values, staff=lead, rows=rows)
    session.commit()
    return see_other("/desk/agents")
