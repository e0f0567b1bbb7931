"""One customer's history on the 360, newest first, in plain words: every message as they
read it, tickets and their events, promises kept and broken, bills, credits, what the
care runs found, plan changes and self-service jobs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.channels.render import describe_promise
from goodwill.domain.formatting import format_day, format_money
from goodwill.domain.moment_words import MOMENT_WORDS
from goodwill.store.models import Gesture, Job, Message, Moment, PlanChangeRequest, StaffUser
from goodwill.web.views.words import month_words, reason_words

Row = dict[str, Any]
#: What the care run decided, for someone reading the history.
STATUS_WORDS = {
    "acted": "we acted on it",
    "withheld": "held back on purpose (the comparison group)",
    "suppressed": "not allowed (consent, contact rules)",
    "deferred": "kept for later",
    "merged": "told together with the others",
}
JOB_WORDS = {"plan_switch": "Switched plan", "lost_sim": "Lost SIM"}


class Entry(BaseModel):
    at: datetime
    what: str  # Message, Ticket, Promise, Bill, Credit, Care run, Plan change, Self-service
    title: str
    detail: str | None = None
    body: str | None = None  # a message's text as the customer read it


def timeline(
    session: Session,
    customer_id: str,
    ledger_rows: dict[str, list[Row]],
    now: datetime,
    names: Mapping[str, str] | None = None,
) -> list[Entry]:
    """Everything, newest first (``ledger_rows``: the customer's tickets, promises, bills;
    ``names``: how a line or a plan is called, by its id: "Kit Lee's line (S2)")."""
    entries = [
        *_messages(session, customer_id),
        *_tickets(ledger_rows.get("tickets", [])),
        *_ticket_events(ledger_rows.get("tickets", []), ledger_rows.get("ticket_events", [])),
        *_promises(ledger_rows.get("promises", []), now),
        *_bills(ledger_rows.get("bills", [])),
        *_credits(session, customer_id),
        *_moments(session, customer_id),
        *_plan_changes(session, customer_id, names or {}),
        *_jobs(session, customer_id),
    ]
    return sorted(entries, key=lambda e: _utc(e.at), reverse=True)


def _messages(session: Session, customer_id: str) -> Iterator[Entry]:
    query = select(Message).where(Message.customer_id == customer_id, Message.channel == "email")
    for m in session.scalars(query.order_by(Message.id.desc()).limit(100)):
        status = {"sent": "sent", "queued": "waiting to go"}.get(m.status, m.status)
        yield Entry(
            at=m.created_at, what="Message", title=m.subject, detail=status, body=m.body_text
        )


def _tickets(rows: Iterable[Row]) -> Iterator[Entry]:
    for t in rows:
        about = str(t.get("category") or "something").replace("_", " ")
        complaint = " (a complaint)" if t.get("is_complaint") else ""
        ticket = f"Ticket {t['ticket_id']}"
        how = str(t.get("channel") or "").replace("_", " ")
        yield Entry(
            at=t["opened_at"],
            what="Ticket",
            title=f"{ticket}: got in touch by {how} about {about}{complaint}",
            detail=f"owned by {t['owner']}" if t.get("owner") else None,
        )
        if t.get("first_response_at"):
            waited = _duration(t["opened_at"], t["first_response_at"])
            yield Entry(
                at=t["first_response_at"],
                what="Ticket",
                title=f"{ticket}: first answer after {waited}",
            )
        if t.get("resolved_at"):
            yield Entry(at=t["resolved_at"], what="Ticket", title=f"{ticket}: resolved")


#: A ticket's events in words; the first answer and the last resolution are told by the
#: ticket's own row, so the events at those instants are not told twice.
EVENT_WORDS = {
    "agent_reply": "we answered",
    "awaiting_customer": "we asked them something and waited for their answer",
    "customer_reply": "they answered us",
    "resolved": "resolved",
    "reopened": "reopened: it was not fixed after all",
}


def _ticket_events(tickets: Iterable[Row], events: Iterable[Row]) -> Iterator[Entry]:
    told = {
        (t["ticket_id"], kind, _utc(t[column]))
        for t in tickets
        for kind, column in (("agent_reply", "first_response_at"), ("resolved", "resolved_at"))
        if t.get(column)
    }
    for e in events:
        if (e["ticket_id"], e["event"], _utc(e["at"])) in told:
            continue
        words = EVENT_WORDS.get(str(e["event"]), str(e["event"]).replace("_", " "))
        yield Entry(at=e["at"], what="Ticket", title=f"Ticket {e['ticket_id']}: {words}")


def _promises(rows: Iterable[Row], now: datetime) -> Iterator[Entry]:
    for p in rows:
        what = describe_promise(str(p["kind"]))
        due = format_day(p["due_at"])
        yield Entry(at=p["made_at"], what="Promise", title=f"We promised {what} by {due}")
        kept = p.get("kept_at")
        if kept is not None:
            late = _utc(kept) > _utc(p["due_at"])
            word = f"Kept late ({format_day(kept)}, due {due})" if late else "Kept on time"
            yield Entry(at=kept, what="Promise", title=f"{word}: {what}")
        elif _utc(p["due_at"]) < _utc(now):
            yield Entry(at=p["due_at"], what="Promise", title=f"Broken: {what} was due {due}")


def _bills(rows: Iterable[Row]) -> Iterator[Entry]:
    for b in rows:
        period = str(b["period"])
        at = datetime(int(period[:4]), int(period[5:7]), 1, tzinfo=UTC)
        amount = format_money(int(b["amount"]), str(b.get("currency") or "GBP"))
        yield Entry(at=at, what="Bill", title=f"Bill for {month_words(period)}: {amount}")


def _credits(session: Session, customer_id: str) -> Iterator[Entry]:
    query = (
        select(Gesture, StaffUser.name)
        .join(StaffUser, Gesture.staff_user_id == StaffUser.id)
        .where(Gesture.customer_id == customer_id)
        .order_by(Gesture.id.desc())
        .limit(50)
    )
    for g, name in session.execute(query):
        status = {"given": "given", "awaiting_lead": "waiting for a lead", "held": "held back"}
        yield Entry(
            at=g.created_at,
            what="Credit",
            title=f"{format_money(g.amount_minor, g.currency)} credit from {name}: "
            f"{status.get(g.status, g.status)}",
            detail=f"“{g.reason}”",
        )


def _moments(session: Session, customer_id: str) -> Iterator[Entry]:
    query = select(Moment).where(Moment.customer_id == customer_id)
    for m in session.scalars(query.order_by(Moment.id.desc()).limit(50)):
        about = MOMENT_WORDS.get(m.kind, m.kind.replace("_", " "))
        value = format_money(m.value_to_customer_minor, m.currency)
        worth = f" (worth {value} to them)" if m.value_to_customer_minor else ""
        yield Entry(
            at=m.created_at,
            what="Care run",
            title=f"Noticed {about}{worth}: {STATUS_WORDS.get(m.status, m.status)}",
            detail=reason_words(m.reason) if m.reason else None,
        )


def plan_change_ids(session: Session, customer_id: str) -> set[str]:
    """The plans a customer's plan changes name, so the 360 can look up what they're called."""
    query = select(PlanChangeRequest.from_plan_id, PlanChangeRequest.to_plan_id).where(
        PlanChangeRequest.customer_id == customer_id
    )
    return {plan_id for pair in session.execute(query) for plan_id in pair}


def _plan_changes(session: Session, customer_id: str, names: Mapping[str, str]) -> Iterator[Entry]:
    query = select(PlanChangeRequest).where(PlanChangeRequest.customer_id == customer_id)
    for c in session.scalars(query.order_by(PlanChangeRequest.id.desc()).limit(50)):
        line, was, to = (names.get(i, i) for i in (c.subscription_id, c.from_plan_id, c.to_plan_id))
        yield Entry(
            at=c.created_at,
            what="Plan change",
            title=f"Asked to move {line} from {was} to {to}, "
            f"from {month_words(c.effective_period)}",
        )


def _jobs(session: Session, customer_id: str) -> Iterator[Entry]:
    query = select(Job).where(Job.customer_id == customer_id)
    for j in session.scalars(query.order_by(Job.id.desc()).limit(50)):
        name = JOB_WORDS.get(j.kind, j.kind.replace("_", " ").capitalize())
        status = {"done": "done", "started": "started, not finished"}.get(j.status, j.status)
        yield Entry(at=j.started_at, what="Self-service", title=f"{name}: {status}")


def _duration(start: datetime, end: datetime) -> str:
    minutes = int((_utc(end) - _utc(start)).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} days"


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
