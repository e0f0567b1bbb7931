"""Lost or stolen SIM in two clicks: block it now, then order the free replacement."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from goodwill.web.deps import CurrentCustomer, FormCsrf, LedgerDep, RowId, SessionDep, StateDep
from goodwill.web.errors import BadInput
from goodwill.web.flows import lost_sim
from goodwill.web.pages import deliver_outbox, page, see_other
from goodwill.web.routes.my_plan import plan_page_again
from goodwill.web.views import jobs

router = APIRouter(include_in_schema=False)


@router.post("/me/lines/{subscription_id}/block", dependencies=[FormCsrf])
def block(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ledger: LedgerDep,
    tasks: BackgroundTasks,
    customer: CurrentCustomer,
    subscription_id: str,
) -> Response:
    try:
        done = lost_sim.block_sim(
            session, ledger, state.config, customer, subscription_id, now=state.clock()
        )
    except BadInput as problem:
        return plan_page_again(request, state, session, ledger, customer, subscription_id, problem)
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
