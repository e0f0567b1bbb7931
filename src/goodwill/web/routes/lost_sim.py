"""Lost or stolen SIM in two clicks: "Block this SIM now" opens the confirmation, and
"Block it and send my free replacement" does both (or "Just block it" blocks alone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from goodwill.web.deps import CurrentCustomer, FormCsrf, LedgerDep, RowId, SessionDep, StateDep
from goodwill.web.errors import BadInput
from goodwill.web.flows import lost_sim
from goodwill.web.pages import deliver_outbox, page, see_other
from goodwill.web.routes.my_plan import plan_page_again
from goodwill.web.views import jobs

router = APIRouter(include_in_schema=False)


@router.get("/me/lines/{subscription_id}/block")
def block_confirm(
    request: Request, ledger: LedgerDep, customer: CurrentCustomer, subscription_id: str
) -> HTMLResponse:
    line = lost_sim.line_to_block(ledger, customer, subscription_id)
    return page(request, "me/block_confirm.html", line=line, subscription_id=subscription_id)


@router.post("/me/lines/{subscription_id}/block", dependencies=[FormCsrf])
def block(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    customer: CurrentCustomer,
    subscription_id: str,
    replacement: Annotated[str, Form()] = "",
) -> Response:
    try:
        done = lost_sim.block_sim(
            session, ledger, state.config, customer, subscription_id, now=state.clock()
        )
    except BadInput as problem:
        return plan_page_again(request, state, session, ledger, customer, subscription_id, problem)
    if replacement == "yes":
        lost_sim.order_replacement(
            session, ledger, state.settings, state.config, customer, done.id, now=state.clock()
        )
    session.commit()
    tasks.add_task(deliver_outbox, state)
    if replacement == "yes":
        return see_other(f"/me/jobs/{done.job_id}")
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
