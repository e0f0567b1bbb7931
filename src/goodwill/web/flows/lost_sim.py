"""Lost or stolen SIM, in two clicks: block it at once, then order a free replacement.

Each click is one transaction. The block is an action and a billing webhook message;
the replacement is an action, a webhook message, a promise (next working day, so a late
delivery triggers goodwill) and a friendly confirmation to the customer.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.domain.working_days import next_working_day
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings
from goodwill.store import add_action
from goodwill.store.jobs import add_step, start_job
from goodwill.store.models import Job, Promise, SimBlock
from goodwill.web import ledger_reads
from goodwill.web.config import WebConfig
from goodwill.web.errors import BadInput, NotFound
from goodwill.web.flows.plan_switch import line_name
from goodwill.web.flows.signin import first_name
from goodwill.web.outbox import Recipient, queue_billing_webhook, queue_customer_message, render

JOB_KIND = "lost_sim"
#: The replacement is due by the end of the next working day.
DUE_BY = time(18, 0, tzinfo=UTC)


def block_sim(
    session: Session,
    ledger: Ledger,
    config: WebConfig,
    customer_id: str,
    subscription_id: str,
    *,
    now: datetime,
) -> SimBlock:
    """Block the SIM of one of the customer's active lines; NotFound if it is not theirs,
    BadInput if it is blocked already (a second click blocks nothing twice)."""
    sub = _active_line(ledger, customer_id, subscription_id)
    if block_of_line(session, customer_id, subscription_id) is not None:
        raise BadInput("This SIM is already blocked, so nobody else can use it. You're safe.")
    job = start_job(session, customer_id, JOB_KIND, now=now)
    action = add_action(session, customer_id=customer_id, kind="sim_block", now=now)
    block = SimBlock(
        job_id=job.id,
        action_id=action.id,
        customer_id=customer_id,
        subscription_id=sub["subscription_id"],
        blocked_at=now,
    )
    session.add(block)
    session.flush()
    queue_billing_webhook(
        session,
        config,
        customer_id=customer_id,
        action_id=action.id,
        key=f"sim_block:{block.id}",
        event="sim_block",
        payload={"subscription_id": subscription_id, "block_id": block.id},
    )
    add_step(job, "blocked", now=now)
    return block


def block_of_line(session: Session, customer_id: str, subscription_id: str) -> SimBlock | None:
    """The block already on one of the customer's lines, if there is one."""
    query = select(SimBlock).where(
        SimBlock.customer_id == customer_id, SimBlock.subscription_id == subscription_id
    )
    return session.scalar(query.order_by(SimBlock.id).limit(1))


def block_of(session: Session, customer_id: str, block_id: int) -> SimBlock | None:
    """The customer's SIM block with this id; None when it is not theirs."""
    query = select(SimBlock).where(SimBlock.id == block_id, SimBlock.customer_id == customer_id)
    return session.scalar(query)


def order_replacement(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    customer_id: str,
    block_id: int,
    *,
    now: datetime,
) -> Promise:
    """Order the free replacement for a block (once: a second order returns the first)."""
    block = block_of(session, customer_id, block_id)
    if block is None:
        raise NotFound()
    if block.promise_id is not None:
        return session.get_one(Promise, block.promise_id)
    due_at = datetime.combine(next_working_day(now.date()), DUE_BY)
    promise = Promise(customer_id=customer_id, kind="sim_delivery", made_at=now, due_at=due_at)
    session.add(promise)
    action = add_action(session, customer_id=customer_id, kind="sim_replacement", now=now)
    block.promise_id = promise.id
    queue_billing_webhook(
        session,
        config,
        customer_id=customer_id,
        action_id=action.id,
        key=f"sim_replacement:{block.id}",
        event="sim_replacement",
        payload={
            "subscription_id": block.subscription_id,
            "block_id": block.id,
            # The fulfilment feed reports delivery under this id in the ledger's promises.
            "promise_id": f"web-{promise.id}",
            "due_at": due_at.isoformat(),
            "charge_minor": 0,
        },
    )
    _tell_customer(session, ledger, settings, config, block, action.id, due_at)
    add_step(session.get_one(Job, block.job_id), "replacement_ordered", now=now, done=True)
    return promise


def line_to_block(ledger: Ledger, customer_id: str, subscription_id: str) -> str:
    """How the customer knows the active line they asked to block; NotFound if not theirs."""
    return line_name(_active_line(ledger, customer_id, subscription_id))


def _active_line(ledger: Ledger, customer_id: str, subscription_id: str) -> dict[str, object]:
    subs = ledger_reads.subscriptions(ledger, customer_id)
    sub = next((s for s in subs if s["subscription_id"] == subscription_id and s["active"]), None)
    if sub is None:
        raise NotFound()
    return sub


def _tell_customer(
    session: Session,
    ledger: Ledger,
    settings: Settings,
    config: WebConfig,
    block: SimBlock,
    action_id: int,
    due_at: datetime,
) -> None:
    row = ledger_reads.customer(ledger, block.customer_id) or {}
    sub = _active_line(ledger, block.customer_id, block.subscription_id)
    to = Recipient(block.customer_id, first_name(str(row.get("name") or "")), row.get("email"))
    evidence = {"line": line_name(sub), "due_at": due_at.date().isoformat()}
    message = render(settings, "sim_replacement", to.first_name, evidence)
    queue_customer_message(
        session,
        settings,
        config,
        to=to,
        action_id=action_id,
        key=f"sim_replacement_message:{block.id}",
        message=message,
    )
