"""Customers sign in with a one-time link sent by email, and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from goodwill.store.signin import pending_login_token
from goodwill.web.deps import FormCsrf, LedgerDep, SessionDep, StateDep
from goodwill.web.errors import BadInput, TooManyAttempts
from goodwill.web.flows import signin
from goodwill.web.form_fields import MAX_EMAIL, email_problem
from goodwill.web.pages import deliver_outbox, form_again, page, see_other
from goodwill.web.security import token_digest

router = APIRouter(include_in_schema=False)
LINK_USED_UP = BadInput(
    "That link has expired or was already used. Type your email below and we'll send you "
    "a fresh one.",
    "email",
)


@router.get("/")
def home(request: Request) -> RedirectResponse:
    if "staff_id" in request.session:
        return see_other("/desk")
    return see_other("/me" if "customer_id" in request.session else "/signin")


@router.get("/signin")
def signin_form(request: Request) -> HTMLResponse:
    return page(request, "signin.html")


@router.post("/signin", dependencies=[FormCsrf])
def signin_send(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    email: Annotated[str, Form()] = "",
) -> HTMLResponse:
    client = request.client.host if request.client else "unknown"
    try:
        if problem := email_problem(email):
            raise BadInput(problem, "email")
        if not state.login_limiter.allow(
            f"ip:{client}", f"link:{email.strip().lower()}", now=state.clock()
        ):
            raise TooManyAttempts(
                "That's a lot of sign-in links. Please wait a few minutes and try again."
            )
    except (BadInput, TooManyAttempts) as problem:
        return form_again(request, "signin.html", problem, {"email": email[:MAX_EMAIL]})
    if signin.send_link(session, ledger, state.settings, state.config, email, now=state.clock()):
        session.commit()
        tasks.add_task(deliver_outbox, state)
    return page(request, "signin_sent.html", minutes=state.config.login_link_minutes)


@router.get("/signin/{token}")
def signin_confirm(
    request: Request, state: StateDep, session: SessionDep, token: str, next: str = "/me"
) -> HTMLResponse:
    # A GET never uses the link up: mail scanners open links too. The button does.
    if pending_login_token(session, token_digest(token), now=state.clock()) is None:
        return form_again(request, "signin.html", LINK_USED_UP, {})
    return page(request, "signin_confirm.html", token=token, next=signin.landing(next))


@router.post("/signin/{token}", dependencies=[FormCsrf])
def signin_use(
    request: Request,
    state: StateDep,
    session: SessionDep,
    token: str,
    next: Annotated[str, Form()] = "/me",
) -> Response:
    customer_id = signin.sign_in(session, token, now=state.clock())
    if customer_id is None:
        return form_again(request, "signin.html", LINK_USED_UP, {})
    session.commit()
    request.session.clear()  # a new session: nothing from before signing in carries over
    request.session["customer_id"] = customer_id
    return see_other(signin.landing(next))


@router.post("/signout", dependencies=[FormCsrf])
def signout(request: Request) -> RedirectResponse:
    request.session.clear()
    return see_other("/signin")
