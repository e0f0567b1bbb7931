"""The desk's queue: what needs a person now; assign a case to yourself or a colleague,
and close it when it is done (its owner or a lead).

The page and ``/api/desk/queue`` are built from the same view.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from goodwill.store.agents import close_case, hand_case_to
from goodwill.store.models import CaseOwner, StaffRole, StaffUser
from goodwill.web.deps import (
    ApiCsrf,
    CurrentStaff,
    FormCsrf,
    LedgerDep,
    RowId,
    SessionDep,
    StateDep,
)
from goodwill.web.errors import BadInput, Forbidden, NotFound
from goodwill.web.pages import form_again, page, see_other
from goodwill.web.views import queue as queue_view

router = APIRouter(include_in_schema=True)
Show = Annotated[str, Query(max_length=20)]
Page = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/desk/queue", include_in_schema=False)
def queue_page(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    staff: CurrentStaff,
    show: Show = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    try:
        view = queue_view.queue(session, ledger, state.clock(), staff.agent_id, show, page_number)
    except BadInput as problem:
        view = queue_view.queue(session, ledger, state.clock(), staff.agent_id)
        return form_again(request, "desk/queue.html", problem, {}, staff=staff, view=view)
    return page(
        request,
        "desk/queue.html",
        staff=staff,
        view=view,
        notice=request.query_params.get("notice"),
    )


@router.post("/desk/queue/cases/{case_id}/assign", dependencies=[FormCsrf], include_in_schema=False)
def assign(
    state: StateDep,
    session: SessionDep,
    staff: CurrentStaff,
    case_id: RowId,
    agent: Annotated[str, Form(max_length=20)] = "me",
    show: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    agent_id = staff.agent_id if agent == "me" else int(agent) if agent.isdigit() else None
    if agent_id is None:
        raise BadInput("You're not on the roster yet, so a case can't be yours: ask a lead.")
    if hand_case_to(session, case_id, agent_id, state.clock()) is None:
        raise NotFound("That case is closed or has moved; the queue shows where it is now.")
    session.commit()
    back = f"&show={show}" if show in queue_view.FILTERS and show else ""
    return see_other(f"/desk/queue?notice=assigned{back}")


@router.post("/desk/queue/cases/{case_id}/close", dependencies=[FormCsrf], include_in_schema=False)
def close(
    state: StateDep,
    session: SessionDep,
    staff: CurrentStaff,
    case_id: RowId,
    show: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    _close(session, staff, case_id, state.clock())
    session.commit()
    back = f"&show={show}" if show in queue_view.FILTERS and show else ""
    return see_other(f"/desk/queue?notice=closed{back}")


class ClosedCase(BaseModel):
    case_id: int
    customer_id: str
    closed_at: datetime


@router.post("/api/desk/queue/cases/{case_id}/close", dependencies=[ApiCsrf], tags=["care desk"])
def close_api(
    state: StateDep, session: SessionDep, staff: CurrentStaff, case_id: RowId
) -> ClosedCase:
    """Close a case that is done: it leaves the queue. Its owner or a lead only."""
    case = _close(session, staff, case_id, state.clock())
    session.commit()
    assert case.released_at is not None
    return ClosedCase(case_id=case.id, customer_id=case.customer_id, closed_at=case.released_at)


def _close(session: Session, staff: StaffUser, case_id: int, now: datetime) -> CaseOwner:
    case = session.get(CaseOwner, case_id)
    if case is None or case.released_at is not None:
        raise NotFound("That case is closed or has moved; the queue shows where it is now.")
    if staff.role != StaffRole.LEAD and case.agent_id != staff.agent_id:
        raise Forbidden(
            "Only the case's owner or a lead can close it: assign it to yourself first."
        )
    closed = close_case(session, case_id, now)
    assert closed is not None
    return closed


@router.get("/api/desk/queue", tags=["care desk"])
def queue_api(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    staff: CurrentStaff,
    show: Show = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> queue_view.QueueView:
    """What needs a person now, overdue first, with each case's clock; 25 a page."""
    return queue_view.queue(session, ledger, state.clock(), staff.agent_id, show, page_number)
