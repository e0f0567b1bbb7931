"""The care desk's JSON API: the same view contexts as the desk's pages, for staff only.

A customer or a signed-out caller gets 403 or 401 from the same dependencies the pages
use; changes need the session's CSRF token in the X-CSRF-Token header.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from goodwill.web.deps import (
    CurrentLead,
    CurrentStaff,
    LedgerDep,
    SessionDep,
    StateDep,
)
from goodwill.web.views import approvals as approvals_view
from goodwill.web.views import customer_360, moments, roster, scorecard
from goodwill.web.views.approvals import ApprovalsView
from goodwill.web.views.queue import customer_names

router = APIRouter(prefix="/api/desk", tags=["care desk"])


@router.get("/scorecard")
def scorecard_summary(state: StateDep, staff: CurrentStaff) -> scorecard.CardView:
    """The Balanced Scorecard as of today, as the desk's dashboard shows it: its headline
    tiles with their 12-month trends, and every figure. Built once a day per ledger
    snapshot; a call made while it is being built waits for it."""
    return scorecard.scorecard_view(state, wait=True)


@router.get("/moments")
def moment_list(
    session: SessionDep,
    ledger: LedgerDep,
    staff: CurrentStaff,
    kind: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=200)] = "",
) -> list[moments.MomentRow]:
    """What the care runs found and what was done, newest first; filter by kind and decision.
    Each has its machine fields and the same in words (customer_name, what, value, when,
    decision, done), as the desk's page shows it."""
    names = customer_names(ledger)
    return moments.moments(session, kind or None, status or None, names=names)


@router.get("/customers")
def customer_search(
    ledger: LedgerDep, staff: CurrentStaff, q: Annotated[str, Query(max_length=1000)] = ""
) -> list[customer_360.CustomerFound]:
    """Customers whose id, name or email contains ``q``."""
    return customer_360.find_customers(ledger, q)


@router.get("/customers/{customer_id}")
def customer(
    state: StateDep, session: SessionDep, ledger: LedgerDep, staff: CurrentStaff, customer_id: str
) -> customer_360.Customer360:
    """Everything about one customer: the 360 page's data."""
    return customer_360.customer_360(session, ledger, state.settings, customer_id, state.today())


@router.get("/roster")
def team(session: SessionDep, staff: CurrentStaff) -> list[roster.RosterRow]:
    """Agents and desk users, with roles and monthly gesture allowances."""
    return roster.roster(session)


@router.get("/approvals")
def approvals(state: StateDep, session: SessionDep, lead: CurrentLead) -> ApprovalsView:
    """Gestures waiting for a lead, and this month's goodwill budget left (leads only)."""
    return approvals_view.approvals(session, state.config, state.today())
