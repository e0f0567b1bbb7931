"""The JSON API: the same view contexts as the pages, documented at /api/docs."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from pydantic import BaseModel, Field

from goodwill.web.deps import ApiCsrf, CurrentCustomer, LedgerDep, RowId, SessionDep, StateDep
from goodwill.web.flows import lost_sim, plan_switch
from goodwill.web.pages import deliver_outbox
from goodwill.web.security import csrf_token
from goodwill.web.views import jobs, me

router = APIRouter(prefix="/api")


class SessionInfo(BaseModel):
    signed_in_as: str | None = Field(description="customer, staff, or none")
    csrf_token: str = Field(description="Send it back in the X-CSRF-Token header of every POST.")


class SwitchRequest(BaseModel):
    plan_id: str = Field(min_length=1, max_length=64)


@router.get("/session", tags=["session"])
def session_info(request: Request) -> SessionInfo:
    """Who is signed in, and the CSRF token to send with changes."""
    who = "customer" if "customer_id" in request.session else None
    who = "staff" if "staff_id" in request.session else who
    return SessionInfo(signed_in_as=who, csrf_token=csrf_token(request.session))


@router.get("/me", tags=["self-service"])
def my_plan(
    state: StateDep, session: SessionDep, ledger: LedgerDep, customer: CurrentCustomer
) -> me.MyPlanView:
    """The signed-in customer's lines: plan, use, advice, blocks; and who owns their cases."""
    return me.my_plan(session, ledger, state.settings, customer, state.today())


@router.get("/me/contact", tags=["self-service"])
def my_contact(session: SessionDep, customer: CurrentCustomer) -> list[me.OwnerView]:
    """The named owner of each of the customer's open cases."""
    return me.owners(session, customer)


@router.post("/me/lines/{subscription_id}/switch", tags=["self-service"], dependencies=[ApiCsrf])
def switch(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    customer: CurrentCustomer,
    subscription_id: str,
    body: SwitchRequest,
) -> jobs.JobView:
    """Ask for a line to move to another plan from the next period."""
    offer = plan_switch.switch_offer(
        ledger, state.settings, customer, subscription_id, body.plan_id, now=state.clock()
    )
    job = plan_switch.request_switch(
        session, ledger, state.settings, state.config, customer, offer, now=state.clock()
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return jobs.job_view(session, customer, job.id)


@router.post("/me/lines/{subscription_id}/block", tags=["self-service"], dependencies=[ApiCsrf])
def block(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    customer: CurrentCustomer,
    subscription_id: str,
) -> jobs.BlockView:
    """Block a lost or stolen SIM at once. Blocking it again answers with the same block,
    so a client may safely send this again after a 503 or a timeout."""
    before = lost_sim.block_of_line(session, customer, subscription_id)
    if before is not None:
        return jobs.block_view(session, customer, before.id)
    done = lost_sim.block_sim(
        session, ledger, state.config, customer, subscription_id, now=state.clock()
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return jobs.block_view(session, customer, done.id)


@router.post("/me/blocks/{block_id}/replacement", tags=["self-service"], dependencies=[ApiCsrf])
def replacement(
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    customer: CurrentCustomer,
    block_id: RowId,
) -> jobs.BlockView:
    """Order the free replacement for a blocked SIM, due the next working day."""
    lost_sim.order_replacement(
        session, ledger, state.settings, state.config, customer, block_id, now=state.clock()
    )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    return jobs.block_view(session, customer, block_id)


@router.get("/me/blocks/{block_id}", tags=["self-service"])
def block_info(session: SessionDep, customer: CurrentCustomer, block_id: RowId) -> jobs.BlockView:
    """One of the customer's SIM blocks."""
    return jobs.block_view(session, customer, block_id)


@router.get("/me/jobs/{job_id}", tags=["self-service"])
def job_info(session: SessionDep, customer: CurrentCustomer, job_id: RowId) -> jobs.JobView:
    """One of the customer's self-service jobs, with its steps."""
    return jobs.job_view(session, customer, job_id)
