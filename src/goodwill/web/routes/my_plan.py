"""The customer's own pages: my plan, my contact, switch plan in one click, and a job done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from goodwill.ledger.reader import Ledger
from goodwill.store.jobs import add_step, start_job
from goodwill.web import ledger_reads
from goodwill.web.deps import (
    CurrentCustomer,
    FormCsrf,
    LedgerDep,
    RowId,
    SessionDep,
    StateDep,
    WebState,
)
from goodwill.web.errors import BadInput
from goodwill.web.flows import plan_switch
from goodwill.web.flows.signin import first_name
from goodwill.web.pages import deliver_outbox, form_again, page, see_other
from goodwill.web.views import jobs, me

router = APIRouter(include_in_schema=False)


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
    try:
        offer = plan_switch.switch_offer(
            ledger, state.settings, customer, subscription_id, plan, now=state.clock()
        )
    except BadInput as problem:
        return plan_page_again(request, state, session, ledger, customer, subscription_id, problem)
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
    plan: Annotated[str, Form()] = "",
    job_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        offer = plan_switch.switch_offer(
            ledger, state.settings, customer, subscription_id, plan, now=state.clock()
        )
    except BadInput as problem:
        return plan_page_again(request, state, session, ledger, customer, subscription_id, problem)
    job = plan_switch.request_switch(
        session,
        ledger,
        state.settings,
        state.config,
        customer,
        offer,
        now=state.clock(),
        job_id=int(job_id) if job_id.isascii() and job_id.isdigit() and len(job_id) < 19 else None,
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return see_other(f"/me/jobs/{job.id}")


def plan_page_again(
    request: Request,
    state: WebState,
    session: Session,
    ledger: Ledger,
    customer: str,
    subscription_id: str,
    problem: BadInput,
) -> HTMLResponse:
    """My plan again, with what went wrong next to the line it was about; nothing recorded."""
    session.rollback()
    view = me.my_plan(session, ledger, state.settings, customer, state.today())
    at_line = BadInput(problem.message, f"line-{subscription_id}")
    return form_again(request, "me/plan.html", at_line, {}, view=view)


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
