"""The care desk: sign in, the scorecard, moments and actions, customer 360, the roster."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from goodwill.store.models import StaffUser
from goodwill.store.staff import staff_by_email
from goodwill.web.deps import CurrentStaff, FormCsrf, LedgerDep, SessionDep, StateDep, WebState
from goodwill.web.errors import BadInput, TooManyAttempts
from goodwill.web.form_fields import MAX_EMAIL, MAX_PASSWORD, email_problem
from goodwill.web.pages import form_again, page, see_other
from goodwill.web.security import verify_password
from goodwill.web.views import customer_360, moments, roster, scorecard
from goodwill.web.views.queue import customer_names
from goodwill.web.views.themes import customer_themes

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
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        user = _staff_signing_in(request, state, session, email, password)
    except (BadInput, TooManyAttempts) as problem:
        log.info("desk sign-in refused")  # no email or password in logs
        # The email they typed stays in the form; a password is never sent back.
        return form_again(request, "desk/login.html", problem, {"email": email[:MAX_EMAIL]})
    request.session.clear()
    request.session["staff_id"] = user.id
    return see_other("/desk")


def _staff_signing_in(
    request: Request, state: WebState, session: Session, email: str, password: str
) -> StaffUser:
    """The member of staff these details sign in, or what to fix (BadInput, TooManyAttempts)."""
    errors = {}
    if problem := email_problem(email, which="your work email", like="you@yourcompany.com"):
        errors["email"] = problem
    if not password:
        errors["password"] = "Please type your password."
    elif len(password) > MAX_PASSWORD:
        errors["password"] = "That password is longer than any we keep. Please type yours again."
    if errors:
        raise BadInput.of(errors)
    client = request.client.host if request.client else "unknown"
    if not state.login_limiter.allow(
        f"ip:{client}", f"staff:{email.strip().lower()}", now=state.clock()
    ):
        raise TooManyAttempts("Too many tries. Please wait five minutes, then try again.")
    user = staff_by_email(session, email)
    if user is None or not verify_password(user.password_hash, password):
        raise BadInput(
            "That email and password don't match. Please check your email and type your "
            "password again.",
            "password",
        )
    return user


@router.post("/logout", dependencies=[FormCsrf])
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return see_other("/desk/login")


@router.get("")
def dashboard(request: Request, state: StateDep, staff: CurrentStaff) -> HTMLResponse:
    card = scorecard.scorecard_view(state)  # built in the background: never waits
    return page(
        request,
        "desk/dashboard.html",
        staff=staff,
        card=card,
        plot=json.dumps(card.plot) if card.plot else "",
    )


@router.get("/moments")
def moments_page(
    request: Request,
    session: SessionDep,
    ledger: LedgerDep,
    staff: CurrentStaff,
    kind: str = "",
    status: str = "",
) -> HTMLResponse:
    values = {"kind": kind[: moments.MAX_KIND], "status": status}
    try:
        rows = moments.moments(session, kind or None, status or None, names=customer_names(ledger))
    except BadInput as problem:
        return form_again(
            request, "desk/moments.html", problem, values, staff=staff, rows=[], **_choices()
        )
    return page(request, "desk/moments.html", staff=staff, rows=rows, values=values, **_choices())


def _choices() -> dict[str, Any]:
    return {"kinds": moments.KIND_CHOICES, "statuses": moments.STATUS_CHOICES}


@router.get("/customers")
def customers(
    request: Request, ledger: LedgerDep, staff: CurrentStaff, q: str = ""
) -> HTMLResponse:
    try:
        found = customer_360.find_customers(ledger, q)
    except BadInput as problem:
        values = {"q": q[: customer_360.MAX_SEARCH]}
        return form_again(request, "desk/customers.html", problem, values, staff=staff, found=[])
    return page(request, "desk/customers.html", staff=staff, values={"q": q}, found=found)


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
        themes=customer_themes(ledger, state, customer_id),
    )


@router.get("/agents")
def agents(request: Request, session: SessionDep, staff: CurrentStaff) -> HTMLResponse:
    return page(request, "desk/agents.html", staff=staff, rows=roster.roster(session))
