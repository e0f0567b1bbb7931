"""The care desk: sign in, the scorecard, moments and actions, customer 360, the roster."""

from __future__ import annotations

import json
import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from goodwill.store.staff import staff_by_email
from goodwill.web import ledger_reads
from goodwill.web.deps import CurrentStaff, FormCsrf, LedgerDep, SessionDep, StateDep
from goodwill.web.errors import TooManyAttempts
from goodwill.web.pages import page, see_other
from goodwill.web.security import verify_password
from goodwill.web.views import customer_360, moments, roster, scorecard

router = APIRouter(prefix="/desk", include_in_schema=False)
log = logging.getLogger("goodwill.web")


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return page(request, "desk/login.html")


@router.post("/login", dependencies=[FormCsrf])
def login(
    request: Request,
    state: StateDep,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    client = request.client.host if request.client else "unknown"
    if not state.login_limiter.allow(
        f"ip:{client}", f"staff:{email.strip().lower()}", now=state.clock()
    ):
        raise TooManyAttempts("Too many tries. Please wait five minutes, then try again.")
    user = staff_by_email(session, email) if email else None
    matches = verify_password(user.password_hash if user else None, password)
    if user is None or not matches:
        log.info("desk sign-in refused")  # no email or password in logs
        return page(
            request,
            "desk/login.html",
            400,
            error="That email and password don't match. Please try again.",
        )
    request.session.clear()
    request.session["staff_id"] = user.id
    return see_other("/desk")


@router.post("/logout", dependencies=[FormCsrf])
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return see_other("/desk/login")


@router.get("")
def dashboard(
    request: Request, state: StateDep, ledger: LedgerDep, staff: CurrentStaff
) -> HTMLResponse:
    card = scorecard.scorecard_view(ledger, state)
    return page(
        request,
        "desk/dashboard.html",
        staff=staff,
        card=card,
        plot=json.dumps(card.plot).replace("<", "\\u003c") if card.plot else "",
    )


@router.get("/moments")
def moments_page(
    request: Request, session: SessionDep, staff: CurrentStaff, kind: str = "", status: str = ""
) -> HTMLResponse:
    rows = moments.moments(session, kind or None, status or None)
    return page(request, "desk/moments.html", staff=staff, rows=rows, kind=kind, status=status)


@router.get("/customers")
def customers(
    request: Request, ledger: LedgerDep, staff: CurrentStaff, q: str = ""
) -> HTMLResponse:
    found = ledger_reads.search_customers(ledger, q) if q.strip() else []
    return page(request, "desk/customers.html", staff=staff, q=q, found=found)


@router.get("/customers/{customer_id}")
def customer_page(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    staff: CurrentStaff,
    customer_id: str,
) -> HTMLResponse:
    view = customer_360.customer_360(session, ledger, state.settings, customer_id, state.today())
    return page(
        request,
        "desk/customer.html",
        staff=staff,
        view=view,
        notice=request.query_params.get("notice"),
    )


@router.get("/agents")
def agents(request: Request, session: SessionDep, staff: CurrentStaff) -> HTMLResponse:
    return page(request, "desk/agents.html", staff=staff, rows=roster.roster(session))
