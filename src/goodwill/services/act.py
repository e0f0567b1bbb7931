"""Write a run's decisions to the store: the moment, and for each gift acted on its action,
its message in the outbox and the contact — all in the caller's transaction (the outbox
pattern), so a crash leaves either all of them or none.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from goodwill.channels.render import MessageRenderer, RenderedMessage
from goodwill.channels.render_ahead import RenderJob, RendersAhead
from goodwill.domain.contact import Owner
from goodwill.domain.handover import CASE_MOVED, new_owner
from goodwill.domain.merge import REPEATED
from goodwill.domain.moments import Moment
from goodwill.domain.periods import period_of
from goodwill.domain.policy import Decision
from goodwill.services.inputs import Recipient
from goodwill.services.links import MessageLinks
from goodwill.settings import Settings
from goodwill.store import message_id_for, spend
from goodwill.store.case_book import CaseBook
from goodwill.store.contacts import contact_row, record_contacts
from goodwill.store.experiments import record_assignments
from goodwill.store.messages import enqueue_messages, message_row
from goodwill.store.models import Run
from goodwill.store.moments import add_actions, add_moments_once, set_moment_status

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
    links: MessageLinks  # per dedupe_key: the links its message offers
    settings: Settings
    now: datetime
    renderer: MessageRenderer  # the settings' templates, read once for the run
    cases: CaseBook  # the roster and the open cases, read once for the run


#: Messages written to the outbox at a time, in the run's order (so with the same ids as
#: all at once): the store takes a batch while the render workers make the next ones.
OUTBOX_BATCH = 5_000

MERGED_REASON = "told together with the customer's other failures in one message"


def record_decisions(
    decisions: list[Decision], ctx: ActContext, merged: Iterable[Moment] = ()
) -> ActCounts:
    """Store every decision once; act on those whose outcome is ``act``. ``merged`` moments
    are stored as such, never sent on their own: a repeated-failures message tells them.

    Rows go to the store in batches (moments, assignments, actions, messages, contacts),
    all in the caller's transaction. The messages whose words are known before anything
    is written render meanwhile in worker processes (:mod:`goodwill.channels.render_ahead`).
    """
    planned: list[tuple[Moment, str, str, Decision | None]] = [
        (m, "merged", MERGED_REASON, None) for m in merged
    ]
    for decision in decisions:
        recipient = ctx.recipients.get(decision.moment.customer_id)
        planned.append((decision.moment, *_final_status(decision, recipient), decision))
    with ExitStack() as stack:
        # Sign-in tokens are issued only for messages written: where links issue them,
        # the messages render ahead once the moments written tell which are new.
        early = not ctx.links.issues_tokens
        ahead = stack.enter_context(_rendering_ahead(planned, ctx)) if early else None
        new_ids = add_moments_once(ctx.session, [_moment_row(*p[:3], ctx) for p in planned])
        if ahead is None:
            ahead = stack.enter_context(_rendering_ahead(planned, ctx, new_ids))
        else:
            ahead.only(new_ids)
        return _record(planned, new_ids, ctx, ahead)


@contextmanager
def _rendering_ahead(
    planned: list[tuple[Moment, str, str, Decision | None]],
    ctx: ActContext,
    fresh: Container[str] | None = None,
) -> Iterator[RendersAhead]:
    ahead = RendersAhead.start(ctx.renderer, _jobs_ahead(planned, ctx, fresh))
    try:
        yield ahead
    finally:
        ahead.close()


def _record(
    planned: list[tuple[Moment, str, str, Decision | None]],
    new_ids: dict[str, int],
    ctx: ActContext,
    ahead: RendersAhead,
) -> ActCounts:
    counts = ActCounts()
    fresh: list[tuple[Decision, int, str]] = []
    for moment, status, _, chosen in planned:
        moment_id = new_ids.pop(moment.dedupe_key, None)  # pop: a key found twice counts once
        if moment_id is None:
            counts.already_recorded += 1
        elif chosen is None:
            counts.outcomes[moment.kind, "merged"] += 1
        else:
            fresh.append((chosen, moment_id, status))
    arms = [(ctx.experiment_ids[d.moment.kind], d.moment.customer_id, d.arm) for d, _, _ in fresh]
    record_assignments(ctx.session, arms, now=ctx.now)
    acting = [(d, moment_id) for d, moment_id, s in fresh if s == "acted"]
    acted = _act_all(acting, ctx, counts, ahead)
    for decision, moment_id, status in fresh:
        status = acted.get(moment_id, status)
        counts.outcomes[decision.moment.kind, status] += 1
        if status == "acted":
            counts.value_given_minor[decision.moment.kind] += (
                decision.moment.value_to_customer_minor
            )
    return counts


def _jobs_ahead(
    planned: list[tuple[Moment, str, str, Decision | None]],
    ctx: ActContext,
    fresh: Container[str] | None,
) -> dict[str, RenderJob]:
    """The messages to act on whose words are known before the run writes them: no
    budget to spend first and no owner to choose from the case book; of the ``fresh``
    keys only, where given. By dedupe key, the first moment of a key only (the one that
    is recorded, and acted on)."""
    jobs: dict[str, RenderJob] = {}
    seen: set[str] = set()
    for moment, status, _, decision in planned:
        key = moment.dedupe_key
        if key in seen:
            continue
        seen.add(key)
        if status != "acted" or decision is None or not _words_known_ahead(moment):
            continue
        if fresh is not None and key not in fresh:
            continue
        name = ctx.recipients[moment.customer_id].first_name
        owner = new_owner(moment) if moment.kind == CASE_MOVED else None
        jobs[key] = RenderJob(moment, name, owner, _links_of(key, ctx))
    return jobs


def _links_of(key: str, ctx: ActContext) -> Mapping[str, str] | Callable[[], Mapping[str, str]]:
    """A message's links; made where it renders, unless making them issues tokens."""
    if ctx.links.issues_tokens:  # written to the store: here, in the run's transaction
        return _links_made(ctx.links, key)
    return functools.partial(_links_made, ctx.links, key)


def _links_made(links: MessageLinks, key: str) -> Mapping[str, str]:
    return links.get(key, {})


def _words_known_ahead(moment: Moment) -> bool:
    no_budget = moment.gift != "credit" or moment.mandatory
    return no_budget and (moment.kind == CASE_MOVED or moment.message_type != "care")


def _moment_row(moment: Moment, status: str, reason: str, ctx: ActContext) -> dict[str, object]:
    return {
        "run_id": ctx.run.id,
        "customer_id": moment.customer_id,
        "subscription_id": moment.subscription_id,
        "kind": moment.kind,
        "detected_for": moment.detected_for,
        "value_to_customer_minor": moment.value_to_customer_minor,
        "cost_to_business_minor": moment.cost_to_business_minor,
        "currency": moment.currency,
        "evidence": moment.evidence,  # read-only as it is: the store writes it (store_json)
        "status": status,
        "reason": reason,
        "dedupe_key": moment.dedupe_key,
        "created_at": ctx.now,
    }


def _final_status(decision: Decision, recipient: Recipient | None) -> tuple[str, str]:
    if decision.outcome == "act" and (recipient is None or not recipient.email):
        return "suppressed", "we have no email address for them"
    return STATUS[decision.outcome], decision.reason


@dataclass
class _Outbox:
    """The messages and contacts of a batch of actions, written together, in their order."""

    messages: list[dict[str, object]] = field(default_factory=list)
    contacts: list[dict[str, object]] = field(default_factory=list)

    def write(self, session: Session) -> int:
        """Write both and empty the batch; how many emails were queued now (not before)."""
        queued = enqueue_messages(session, self.messages)
        record_contacts(session, self.contacts)
        emails = {m["message_id"] for m in self.messages if m["channel"] == "email"}
        self.messages, self.contacts = [], []
        return len(queued & emails)


def _act_all(
    acting: list[tuple[Decision, int]], ctx: ActContext, counts: ActCounts, ahead: RendersAhead
) -> dict[int, str]:
    """Act on each ``(decision, moment id)``; the final status of each moment."""
    actions = add_actions(ctx.session, [_action_row(d, moment_id, ctx) for d, moment_id in acting])
    outbox = _Outbox()
    statuses = {}
    for (decision, moment_id), action_id in zip(acting, actions, strict=True):
        statuses[moment_id] = _act(decision, action_id, ctx, counts, outbox, ahead)
        if len(outbox.messages) >= OUTBOX_BATCH:  # written while the workers still render
            counts.messages_queued += outbox.write(ctx.session)
    counts.messages_queued += outbox.write(ctx.session)
    set_moment_status(ctx.session, [i for i, s in statuses.items() if s == "deferred"], "deferred")
    return statuses


def _action_row(decision: Decision, moment_id: int, ctx: ActContext) -> dict[str, object]:
    moment = decision.moment
    return {
        "moment_id": moment_id,
        "customer_id": moment.customer_id,
        "kind": moment.gift,
        "amount_minor": decision.credit_minor,
        "currency": moment.currency,
        "created_at": ctx.now,
    }


def _act(
    decision: Decision,
    action_id: int,
    ctx: ActContext,
    counts: ActCounts,
    outbox: _Outbox,
    ahead: RendersAhead,
) -> str:
    moment = decision.moment
    if moment.gift == "credit" and not moment.mandatory:
        # The policy planned within what was left; the row lock settles a race with another run.
        # The budget is the month of the run's day (as planned), not of the wall clock.
        if not spend(
            ctx.session,
            moment.kind,
            period_of(ctx.run.asof),
            decision.credit_minor,
            action_id,
            now=ctx.now,
        ):
            return "deferred"
        counts.credits_minor += decision.credit_minor
    if moment.gift == "credit":
        outbox.messages.append(_credit_for_billing(moment, action_id, decision.credit_minor, ctx))
    rendered = ahead.take(moment.dedupe_key) or _render(moment, ctx)
    _queue_message(moment, rendered, action_id, ctx, counts, outbox)
    return "acted"


def _credit_for_billing(
    moment: Moment, action_id: int, amount_minor: int, ctx: ActContext
) -> dict[str, object]:
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
    return message_row(
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
    choice = ctx.cases.assign(
        moment.customer_id,
        moment.dedupe_key,
        team="senior" if moment.kind == REPEATED else "care",
        today=ctx.now.date(),
        now=ctx.now,
    )
    return choice.agent.owner if choice.agent is not None else None


def _render(moment: Moment, ctx: ActContext) -> RenderedMessage:
    recipient = ctx.recipients[moment.customer_id]
    return ctx.renderer.render(
        moment, recipient.first_name, _owner_for(moment, ctx), ctx.links.get(moment.dedupe_key, {})
    )


def _queue_message(
    moment: Moment,
    rendered: RenderedMessage,
    action_id: int,
    ctx: ActContext,
    counts: ActCounts,
    outbox: _Outbox,
) -> None:
    recipient = ctx.recipients[moment.customer_id]
    counts.tone_warnings += [f"{moment.kind}: {issue.why}" for issue in rendered.tone_issues]
    message = message_row(
        action_id=action_id,
        customer_id=moment.customer_id,
        to_address=recipient.email or "",
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        message_id=message_id_for(moment.dedupe_key, _mail_domain(ctx.settings.mail_from)),
        now=ctx.now,
    )
    outbox.messages.append(message)
    contact = contact_row(
        customer_id=moment.customer_id,
        at=ctx.now,
        message_type=moment.message_type,
        moment_kind=moment.kind,
        subscription_id=moment.subscription_id,
        dedupe_key=moment.dedupe_key,
        saving_minor=moment.value_to_customer_minor,
        currency=moment.currency,
    )
    outbox.contacts.append(contact)


def _mail_domain(mail_from: str) -> str:
    return mail_from.rsplit("@", 1)[-1] if "@" in mail_from else "goodwill.invalid"
