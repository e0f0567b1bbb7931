"""Customer self-service pages: sign in by link, my plan, switch plan, lost SIM, my contact."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from goodwill.store.jobs import add_step, start_job
from goodwill.store.signin import pending_login_token
from goodwill.web import ledger_reads
from goodwill.web.deps import CurrentCustomer, FormCsrf, LedgerDep, RowId, SessionDep, StateDep
from goodwill.web.errors import TooManyAttempts
from goodwill.web.flows import lost_sim, plan_switch, signin
from goodwill.web.flows.signin import first_name
from goodwill.web.pages import deliver_outbox, page, see_other
from goodwill.web.security import token_digest
from goodwill.web.views import jobs, me

router = APIRouter(include_in_schema=False)


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
    email: Annotated[str, Form(max_length=320)] = "",
) -> HTMLResponse:
    if "@" not in email:
        return page(
            request,
            "signin.html",
            400,
            error="Please enter the email address you gave us.",
            email=email,
        )
    client = request.client.host if request.client else "unknown"
    if not state.login_limiter.allow(f"ip:{client}", f"link:{email.strip().lower()}"):
        raise TooManyAttempts(
            "That's a lot of sign-in links. Please wait a few minutes and try again."
        )
    if signin.send_link(session, ledger, state.settings, state.config, email, now=state.clock()):
        session.commit()
        tasks.add_task(deliver_outbox, state)
    return page(request, "signin_sent.html", minutes=state.config.login_link_minutes)


@router.get("/signin/{token}")
def signin_confirm(
    request: Request, state: StateDep, session: SessionDep, token: str
) -> HTMLResponse:
    if pending_login_token(session, token_digest(token), now=state.clock()) is None:
        return page(
            request,
            "signin.html",
            400,
            error="That link has expired or was already used. We can send you a fresh one.",
        )
    return page(request, "signin_confirm.html", token=token)


@router.post("/signin/{token}", dependencies=[FormCsrf])
def signin_use(request: Request, state: StateDep, session: SessionDep, token: str) -> Response:
    customer_id = signin.sign_in(session, token, now=state.clock())
    if customer_id is None:
        return page(
            request,
            "signin.html",
            400,
            error="That link has expired or was already used. We can send you a fresh one.",
        )
    session.commit()
    request.session.clear()  # a new session: nothing from before signing in carries over
    request.session["customer_id"] = customer_id
    return see_other("/me")


@router.post("/signout", dependencies=[FormCsrf])
def signout(request: Request) -> RedirectResponse:
    request.session.clear()
    return see_other("/signin")


@router.get("/me")
def my_plan(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    customer: CurrentCustomer,
) -> HTMLResponse:
    view = me.my_plan(session, ledger, state.settings, customer, state.today())
    return page(request, "me/plan.html", view=view)


@router.get("/me/contact")
def my_contact(request: Request, session: SessionDep, customer: CurrentCustomer) -> HTMLResponse:
    # Only who owns their cases: no need to re-rate their plans for this page.
    return page(request, "me/contact.html", view={"owners": me.owners(session, customer)})


@router.get("/me/lines/{subscription_id}/switch")
def switch_confirm(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    customer: CurrentCustomer,
    subscription_id: str,
    plan: str = "",
) -> HTMLResponse:
    offer = plan_switch.switch_offer(
        ledger, state.settings, customer, subscription_id, plan, now=state.clock()
    )
    job = start_job(session, customer, plan_switch.JOB_KIND, now=state.clock())
    add_step(job, "offer_shown", now=state.clock())
    session.commit()
    return page(request, "me/switch_confirm.html", offer=offer, job_id=job.id)


@router.post("/me/lines/{subscription_id}/switch", dependencies=[FormCsrf])
def switch_do(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    customer: CurrentCustomer,
    subscription_id: str,
    plan: Annotated[str, Form(max_length=64)] = "",
    job_id: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    offer = plan_switch.switch_offer(
        ledger, state.settings, customer, subscription_id, plan, now=state.clock()
    )
    job = plan_switch.request_switch(
        session,
        ledger,
        state.settings,
        state.config,
        customer,
        offer,
        now=state.clock(),
        job_id=int(job_id) if job_id.isdigit() else None,
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return see_other(f"/me/jobs/{job.id}")


@router.post("/me/lines/{subscription_id}/block", dependencies=[FormCsrf])
def block(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    customer: CurrentCustomer,
    subscription_id: str,
) -> RedirectResponse:
    done = lost_sim.block_sim(
        session, ledger, state.config, customer, subscription_id, now=state.clock()
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return see_other(f"/me/blocks/{done.id}")


@router.get("/me/blocks/{block_id}")
def block_page(
    request: Request, session: SessionDep, customer: CurrentCustomer, block_id: RowId
) -> HTMLResponse:
    return page(request, "me/blocked.html", block=jobs.block_view(session, customer, block_id))


@router.post("/me/blocks/{block_id}/replacement", dependencies=[FormCsrf])
def replacement(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    customer: CurrentCustomer,
    block_id: RowId,
) -> RedirectResponse:
    lost_sim.order_replacement(
        session, ledger, state.settings, state.config, customer, block_id, now=state.clock()
    )
    job_id = jobs.block_view(session, customer, block_id).job_id
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return see_other(f"/me/jobs/{job_id}")


@router.get("/me/jobs/{job_id}")
def job_page(
    request: Request,
    session: SessionDep,
    ledger: LedgerDep,
    state: StateDep,
    customer: CurrentCustomer,
    job_id: RowId,
) -> HTMLResponse:
    view = jobs.job_view(session, customer, job_id)
    row = ledger_reads.customer(ledger, customer) or {}
    plan = ledger_reads.plan(ledger, view.to_plan_id) if view.to_plan_id else None
    name = first_name(str(row.get("name", "")))
    return page(request, "me/done.html", job=view, first_name=name, plan_name=plan and plan["name"])
