"""A self-service job and a SIM block, as the customer's confirmation pages show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.domain.formatting import format_day
from goodwill.store.jobs import job_of
from goodwill.store.models import PlanChangeRequest, Promise, SimBlock
from goodwill.web.errors import NotFound
from goodwill.web.flows.lost_sim import block_of
from goodwill.web.flows.plan_switch import period_words


class JobView(BaseModel):
    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    steps: list[dict[str, Any]]
    subscription_id: str | None
    to_plan_id: str | None = None
    effective: str | None = None
    replacement_due: str | None = None


class BlockView(BaseModel):
    id: int
    subscription_id: str
    blocked_at: datetime
    replacement_due: str | None
    job_id: int


def job_view(session: Session, customer_id: str, job_id: int) -> JobView:
    """One of the customer's jobs; NotFound when it is not theirs."""
    job = job_of(session, customer_id, job_id)
    if job is None:
        raise NotFound()
    view = JobView(
        id=job.id,
        kind=job.kind,
        status=job.status,
        started_at=job.started_at,
        finished_at=job.finished_at,
        steps=job.steps,
        subscription_id=None,
    )
    change = session.scalar(select(PlanChangeRequest).where(PlanChangeRequest.job_id == job.id))
    if change is not None:
        view.subscription_id, view.to_plan_id = change.subscription_id, change.to_plan_id
        view.effective = period_words(change.effective_period)
    block = session.scalar(select(SimBlock).where(SimBlock.job_id == job.id))
    if block is not None:
        view.subscription_id = block.subscription_id
        view.replacement_due = _due(session, block)
    return view


def block_view(session: Session, customer_id: str, block_id: int) -> BlockView:
    """One of the customer's SIM blocks; NotFound when it is not theirs."""
    block = block_of(session, customer_id, block_id)
    if block is None:
        raise NotFound()
    return BlockView(
        id=block.id,
        subscription_id=block.subscription_id,
        blocked_at=block.blocked_at,
        replacement_due=_due(session, block),
        job_id=block.job_id,
    )


def _due(session: Session, block: SimBlock) -> str | None:
    if block.promise_id is None:
        return None
    return format_day(session.get_one(Promise, block.promise_id).due_at)
