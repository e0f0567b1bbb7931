"""The customer's own pages: my plan, my contact, switch plan in one click, and a job done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from goodwill.store.jobs import add_step, start_job
from goodwill.web import ledger_reads
from goodwill.web.deps import CurrentCustomer, FormCsrf, LedgerDep, RowId, SessionDep, StateDep
from goodwill.web.flows import plan_switch
from goodwill.web.flows.signin import first_name
from goodwill.web.pages import deliver_outbox, page, see_other
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
