"""Write a run's decisions to the store: the moment, and for each gift acted on its action,
its message in the outbox and the contact — all in the caller's transaction (the outbox
pattern), so a crash leaves either all of them or none.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from goodwill.channels.render import render_message
from goodwill.domain.contact import Owner
from goodwill.domain.handover import CASE_MOVED, new_owner
from goodwill.domain.merge import REPEATED
from goodwill.domain.moments import Moment, thaw
from goodwill.domain.periods import period_of
from goodwill.domain.policy import Decision
from goodwill.services.inputs import Recipient
from goodwill.settings import Settings
from goodwill.store import (
    add_action,
    add_moment_once,
    enqueue_message,
    message_id_for,
    record_assignment,
    record_contact,
    spend,
)
from goodwill.store.agents import assign_owner
from goodwill.store.models import Moment as StoredMoment
from goodwill.store.models import Run

STATUS = {
    "act": "acted",
    "withheld": "withheld",
    "suppressed": "suppressed",
    "deferred": "deferred",
}


@dataclass
class ActCounts:
    """What writing the decisions did; ``already_recorded`` counts moments a run stored before."""

    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, status)
    value_given_minor: Counter[str] = field(default_factory=Counter)  # per kind, acted on
    already_recorded: int = 0
    messages_queued: int = 0
    credits_minor: int = 0
    tone_warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ActContext:
    """Everything :func:`record_decisions` needs besides the decisions."""

    session: Session
    run: Run
    recipients: Mapping[str, Recipient]
    experiment_ids: Mapping[str, int]
    links: Mapping[str, Mapping[str, str]]  # per dedupe_key: the links its message offers
    settings: Settings
    now: datetime


MERGED_REASON = "told together with the customer's other failures in one message"


def record_decisions(
    decisions: list[Decision], ctx: ActContext, merged: Iterable[Moment] = ()
) -> ActCounts:
    """Store every decision once; act on those whose outcome is ``act``. ``merged`` moments
    are stored as such, never sent on their own: a repeated-failures message tells them."""
    counts = ActCounts()
    for moment in merged:
        if _store_moment(moment, "merged", MERGED_REASON, ctx) is None:
            counts.already_recorded += 1
        else:
            counts.outcomes[moment.kind, "merged"] += 1
    for decision in decisions:
        moment = decision.moment
        status, reason = _final_status(decision, ctx.recipients.get(moment.customer_id))
        stored = _store_moment(moment, status, reason, ctx)
        if stored is None:
            counts.already_recorded += 1
            continue
        record_assignment(
            ctx.session,
            ctx.experiment_ids[moment.kind],
            moment.customer_id,
            decision.arm,
            now=ctx.now,
        )
        if status == "acted":
            status = _act(decision, stored.id, ctx, counts)
            stored.status = status
        counts.outcomes[moment.kind, status] += 1
        if status == "acted":
            counts.value_given_minor[moment.kind] += moment.value_to_customer_minor
    return counts


def _store_moment(moment: Moment, status: str, reason: str, ctx: ActContext) -> StoredMoment | None:
    return add_moment_once(
        ctx.session,
        now=ctx.now,
        run_id=ctx.run.id,
        customer_id=moment.customer_id,
        subscription_id=moment.subscription_id,
        kind=moment.kind,
        detected_for=moment.detected_for,
        value_to_customer_minor=moment.value_to_customer_minor,
        cost_to_business_minor=moment.cost_to_business_minor,
        currency=moment.currency,
        evidence=thaw(moment.evidence),
        status=status,
        reason=reason,
        dedupe_key=moment.dedupe_key,
    )


def _final_status(decision: Decision, recipient: Recipient | None) -> tuple[str, str]:
    if decision.outcome == "act" and (recipient is None or not recipient.email):
        return "suppressed", "we have no email address for them"
    return STATUS[decision.outcome], decision.reason


def _act(decision: Decision, moment_id: int, ctx: ActContext, counts: ActCounts) -> str:
    moment = decision.moment
    action = add_action(
        ctx.session,
        customer_id=moment.customer_id,
        kind=moment.gift,
        moment_id=moment_id,
        amount_minor=decision.credit_minor,
        currency=moment.currency,
        now=ctx.now,
    )
    if moment.gift == "credit" and not moment.mandatory:
        # The policy planned within what was left; the row lock settles a race with another run.
        if not spend(
            ctx.session,
            moment.kind,
            period_of(ctx.run.asof),
            decision.credit_minor,
            action.id,
            now=ctx.now,
        ):
            return "deferred"
        counts.credits_minor += decision.credit_minor
    if moment.gift == "credit":
        _queue_credit_for_billing(moment, action.id, decision.credit_minor, ctx)
    _queue_message(moment, action.id, ctx, counts)
    return "acted"


def _queue_credit_for_billing(
    moment: Moment, action_id: int, amount_minor: int, ctx: ActContext
) -> None:
    """The credit for the billing system, through the outbox's webhook medium, in the same
    transaction as the action: sent exactly once, with the idempotency key ``credit-<action>``."""
    body = {
        "event": "credit",
        "idempotency_key": f"credit-{action_id}",
        "customer_id": moment.customer_id,
        "amount_minor": amount_minor,
        "currency": moment.currency,
        "reason": moment.kind,
        "moment": moment.dedupe_key,
    }
    enqueue_message(
        ctx.session,
        action_id=action_id,
        customer_id=moment.customer_id,
        channel="webhook",
        to_address=ctx.settings.billing_webhook_url or "billing",
        subject="credit",
        body_text=json.dumps(body, sort_keys=True),
        message_id=message_id_for(
            f"credit:{moment.dedupe_key}", _mail_domain(ctx.settings.mail_from)
        ),
        now=ctx.now,
    )


def _owner_for(moment: Moment, ctx: ActContext) -> Owner | None:
    """A care moment gets a named owner: the customer's previous one if available; a
    customer let down repeatedly gets someone from the senior team; a case that moved is
    signed by its new owner."""
    if moment.kind == CASE_MOVED:
        return new_owner(moment)
    if moment.message_type != "care":
        return None
    choice = assign_owner(
        ctx.session,
        moment.customer_id,
        moment.dedupe_key,
        team="senior" if moment.kind == REPEATED else "care",
        today=ctx.now.date(),
        now=ctx.now,
    )
    return choice.agent.owner if choice.agent is not None else None


def _queue_message(moment: Moment, action_id: int, ctx: ActContext, counts: ActCounts) -> None:
    recipient = ctx.recipients[moment.customer_id]
    rendered = render_message(
        moment,
        recipient.first_name,
        _owner_for(moment, ctx),
        ctx.links.get(moment.dedupe_key, {}),
        ctx.settings.templates_dir,
        team_name=ctx.settings.team_name,
    )
    counts.tone_warnings += [f"{moment.kind}: {issue.why}" for issue in rendered.tone_issues]
    queued = enqueue_message(
        ctx.session,
        action_id=action_id,
        customer_id=moment.customer_id,
        to_address=recipient.email or "",
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        message_id=message_id_for(moment.dedupe_key, _mail_domain(ctx.settings.mail_from)),
        now=ctx.now,
    )
    counts.messages_queued += queued is not None
    record_contact(
        ctx.session,
        customer_id=moment.customer_id,
        at=ctx.now,
        message_type=moment.message_type,
        moment_kind=moment.kind,
        subscription_id=moment.subscription_id,
        dedupe_key=moment.dedupe_key,
        saving_minor=moment.value_to_customer_minor,
        currency=moment.currency,
    )


def _mail_domain(mail_from: str) -> str:
    return mail_from.rsplit("@", 1)[-1] if "@" in mail_from else "goodwill.invalid"
