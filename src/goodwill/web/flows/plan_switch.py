"""Switch plan in one click: the offer shown on the confirmation page, then the request.

The request (job step, action, plan-change row, billing webhook message and the
customer's confirmation) is written in the caller's single transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.domain.formatting import format_day
from goodwill.domain.working_days import next_period
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings
from goodwill.store import add_action
from goodwill.store.jobs import add_step, job_of, start_job
from goodwill.store.models import Job, JobStatus, PlanChangeRequest
from goodwill.web import ledger_reads
from goodwill.web.config import WebConfig
from goodwill.web.errors import BadInput, NotFound
from goodwill.web.flows.signin import first_name
from goodwill.web.outbox import Recipient, queue_billing_webhook, queue_customer_message, render

JOB_KIND = "plan_switch"


@dataclass(frozen=True)
class SwitchOffer:
    """A plan a customer may move one of their lines to, and what it saves them."""

    subscription_id: str
    line: str
    from_plan_id: str
    from_plan_name: str
    to_plan_id: str
    to_plan_name: str
    monthly_fee_minor: int
    monthly_saving_minor: int
    currency: str
    effective_period: str


def switch_offer(
    ledger: Ledger,
    settings: Settings,
    customer_id: str,
    subscription_id: str,
    plan_id: str,
    *,
    now: datetime,
) -> SwitchOffer:
    """The offer, or NotFound (not their line) / BadInput (not a plan they can move to)."""
    subs = {s["subscription_id"]: s for s in ledger_reads.subscriptions(ledger, customer_id)}
    sub = subs.get(subscription_id)
    if sub is None or not sub["active"]:
        raise NotFound()
    plans = {p["plan_id"]: p for p in ledger_reads.plans_on_sale(ledger)}
    target = plans.get(plan_id)
    if target is None or target["currency"] != sub["currency"]:
        raise BadInput(
            "That plan isn't one you can move to. Please pick one of the plans we suggest "
            "for this line."
        )
    if plan_id == sub["plan_id"]:
        raise BadInput(f"You're already on {target['name']}, so there's nothing to switch.")
    advised = ledger_reads.advice(ledger, now.date(), settings, customer_id)
    saving = next(
        (
            a["monthly_saving_minor"]
            for a in advised
            if a["subscription_id"] == subscription_id and a["recommended_plan_id"] == plan_id
        ),
        0,
    )
    return SwitchOffer(
        subscription_id,
        line_name(sub),
        sub["plan_id"],
        sub["plan_name"] or sub["plan_id"],
        plan_id,
        target["name"],
        int(target["monthly_fee"]),
        int(saving),
        sub["currency"],
        next_period(now.date()),
    )


def request_switch(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    customer_id: str,
    offer: SwitchOffer,
    *,
    now: datetime,
    job_id: int | None = None,
) -> Job:
    """Record the plan change, tell billing and the customer; the job is done.

    The same request again (a resent form, a retry after the store was away) records
    nothing and returns the job that asked first.
    """
    asked = _asked_already(session, customer_id, offer)
    if asked is not None:
        return asked
    job = _open_job(session, customer_id, job_id, now=now)
    action = add_action(session, customer_id=customer_id, kind="plan_change", now=now)
    request = PlanChangeRequest(
        job_id=job.id,
        action_id=action.id,
        customer_id=customer_id,
        subscription_id=offer.subscription_id,
        from_plan_id=offer.from_plan_id,
        to_plan_id=offer.to_plan_id,
        effective_period=offer.effective_period,
        created_at=now,
    )
    session.add(request)
    session.flush()
    queue_billing_webhook(
        session,
        config,
        customer_id=customer_id,
        action_id=action.id,
        key=f"plan_change:{request.id}",
        event="plan_change",
        payload={
            "subscription_id": offer.subscription_id,
            "to_plan_id": offer.to_plan_id,
            "effective_period": offer.effective_period,
            "request_id": request.id,
        },
    )
    _confirm(session, ledger, settings, config, customer_id, offer, action.id, request.id)
    add_step(job, "requested", now=now, done=True)
    return job


def _asked_already(session: Session, customer_id: str, offer: SwitchOffer) -> Job | None:
    """The job of a request to move this line to this plan from the same period, if any."""
    same = select(PlanChangeRequest.job_id).where(
        PlanChangeRequest.customer_id == customer_id,
        PlanChangeRequest.subscription_id == offer.subscription_id,
        PlanChangeRequest.to_plan_id == offer.to_plan_id,
        PlanChangeRequest.effective_period == offer.effective_period,
    )
    found = session.scalar(same.order_by(PlanChangeRequest.id).limit(1))
    return None if found is None else session.get(Job, found)


def _open_job(session: Session, customer_id: str, job_id: int | None, *, now: datetime) -> Job:
    job = job_of(session, customer_id, job_id) if job_id is not None else None
    if job is None or job.kind != JOB_KIND or job.status != JobStatus.STARTED:
        job = start_job(session, customer_id, JOB_KIND, now=now)
    add_step(job, "confirmed", now=now)
    return job


def _confirm(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    customer_id: str,
    offer: SwitchOffer,
    action_id: int,
    request_id: int,
) -> None:
    row = ledger_reads.customer(ledger, customer_id) or {}
    to = Recipient(customer_id, first_name(str(row.get("name") or "")), row.get("email"))
    evidence = {
        "line": offer.line,
        "from_plan_name": offer.from_plan_name,
        "to_plan_name": offer.to_plan_name,
        "monthly_fee_minor": offer.monthly_fee_minor,
        "monthly_saving_minor": offer.monthly_saving_minor,
        "effective_period_words": period_words(offer.effective_period),
    }
    message = render(settings, "plan_switch", to.first_name, evidence, currency=offer.currency)
    queue_customer_message(
        session,
        settings,
        config,
        to=to,
        action_id=action_id,
        key=f"plan_switch:{request_id}",
        message=message,
    )


def line_name(sub: dict[str, object]) -> str:
    """How a customer knows a line: its user's name, else its id."""
    user = sub.get("user_name")
    return f"{user}'s line ({sub['subscription_id']})" if user else str(sub["subscription_id"])


def period_words(period: str) -> str:
    """'2026-12' → 'December 2026'."""
    return format_day(f"{period}-01").split(" ", 1)[1]
