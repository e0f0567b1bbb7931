"""The desk's queue: every case that needs a person now, with its clock.

A case is an open ownership (a ticket, or a moment that needs a person: a broken
promise, a slow answer, repeated failures) or a credit waiting for a lead. Each has an
SLA clock from when it reached the desk: CASE_TARGETS by kind (a day by default), and a
day for a lead to decide a held credit. Overdue first, then the least time left.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.domain.formatting import format_money
from goodwill.domain.sla import format_duration
from goodwill.ledger.reader import Ledger
from goodwill.store.models import Agent, CaseOwner, Gesture, GestureStatus, Moment, StaffUser
from goodwill.web.errors import BadInput
from goodwill.web.views.moments import moment_words
from goodwill.web.views.timeline import MOMENT_WORDS

PAGE_SIZE = 25
#: How long the desk has to act on a case, by what it is about.
CASE_TARGETS = {
    "repeated_failures": timedelta(hours=4),
    "slow_first_response": timedelta(hours=4),
    "broken_promise": timedelta(hours=8),
}
DEFAULT_TARGET = timedelta(hours=24)
APPROVAL_TARGET = timedelta(hours=24)
FILTERS = ("", "mine", "overdue", "approvals")


class QueueItem(BaseModel):
    kind: str  # case or approval
    case_id: int | None
    gesture_id: int | None
    customer_id: str
    customer_name: str
    what: str
    owner: str | None
    owner_agent_id: int | None
    status: str
    since: datetime
    due_at: datetime
    clock: str  # '3 hours left' or 'overdue by 2 days'
    overdue: bool


class QueueView(BaseModel):
    items: list[QueueItem]
    counts: dict[str, int]  # all, mine, overdue, approvals
    show: str
    page: int
    pages: int
    agents: list[dict[str, object]]  # who a case can go to: id, name


def queue(
    session: Session,
    ledger: Ledger,
    now: datetime,
    my_agent_id: int | None,
    show: str = "",
    page: int = 1,
) -> QueueView:
    """The queue as of ``now``; ``show`` filters (mine, overdue, approvals), 25 a page."""
    if show not in FILTERS:
        raise BadInput("Please choose one of the filters: all, mine, overdue or approvals.", "show")
    every = sorted(
        [*_cases(session, now), *_approvals(session, now)],
        key=lambda i: (not i.overdue, i.due_at),
    )
    names = _names(ledger, {i.customer_id for i in every})
    for item in every:
        item.customer_name = names.get(item.customer_id, item.customer_id)
    chosen = {
        "": every,
        "mine": [i for i in every if my_agent_id is not None and i.owner_agent_id == my_agent_id],
        "overdue": [i for i in every if i.overdue],
        "approvals": [i for i in every if i.kind == "approval"],
    }
    shown = chosen[show]
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    agents = session.execute(select(Agent.id, Agent.name).order_by(Agent.name))
    return QueueView(
        items=shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        counts={"all": len(every), **{k: len(v) for k, v in chosen.items() if k}},
        show=show,
        page=page,
        pages=pages,
        agents=[{"id": agent_id, "name": name} for agent_id, name in agents],
    )


def _cases(session: Session, now: datetime) -> list[QueueItem]:
    query = (
        select(CaseOwner, Agent.name)
        .join(Agent, CaseOwner.agent_id == Agent.id)
        .where(CaseOwner.released_at.is_(None))
    )
    rows = session.execute(query).all()
    words = _moment_words(session, [case.subject for case, _ in rows])
    items = []
    for case, owner in rows:
        kind, _, rest = case.subject.partition(":")
        what = words.get(case.subject) or _generic_words(kind, rest)
        due = case.assigned_at + CASE_TARGETS.get(kind, DEFAULT_TARGET)
        items.append(
            _item(
                "case",
                case.id,
                None,
                case.customer_id,
                what,
                owner,
                case.agent_id,
                "open",
                case.assigned_at,
                due,
                now,
            )
        )
    return items


def _moment_words(session: Session, subjects: list[str]) -> dict[str, str]:
    """What each case's moment was about, from its evidence (a case is named by its
    moment's dedupe key): 'Call back 13 days late (due 10 November 2026)'."""
    query = select(Moment.dedupe_key, Moment.kind, Moment.evidence, Moment.currency).where(
        Moment.dedupe_key.in_(subjects)
    )
    return {
        key: moment_words(kind, evidence or {}, currency)
        for key, kind, evidence, currency in session.execute(query)
    }


def _generic_words(kind: str, rest: str) -> str:
    if kind == "ticket":
        return f"Their enquiry {rest}"
    return MOMENT_WORDS.get(kind, kind.replace("_", " ")).capitalize()


def _approvals(session: Session, now: datetime) -> list[QueueItem]:
    query = (
        select(Gesture, StaffUser.name)
        .join(StaffUser, Gesture.staff_user_id == StaffUser.id)
        .where(Gesture.status == GestureStatus.AWAITING_LEAD)
    )
    return [
        _item(
            "approval",
            None,
            g.id,
            g.customer_id,
            f"{format_money(g.amount_minor, g.currency)} credit from {name}, above their allowance",
            None,
            None,
            "waiting for a lead",
            g.created_at,
            g.created_at + APPROVAL_TARGET,
            now,
        )
        for g, name in session.execute(query)
    ]


def _item(
    kind: str,
    case_id: int | None,
    gesture_id: int | None,
    customer_id: str,
    what: str,
    owner: str | None,
    owner_agent_id: int | None,
    status: str,
    since: datetime,
    due: datetime,
    now: datetime,
) -> QueueItem:
    left = due - now
    overdue = left < timedelta(0)
    clock = f"overdue by {format_duration(-left)}" if overdue else f"{format_duration(left)} left"
    return QueueItem(
        kind=kind,
        case_id=case_id,
        gesture_id=gesture_id,
        customer_id=customer_id,
        customer_name=customer_id,
        what=what,
        owner=owner,
        owner_agent_id=owner_agent_id,
        status=status,
        since=since,
        due_at=due,
        clock=clock,
        overdue=overdue,
    )


def _names(ledger: Ledger, customer_ids: set[str]) -> dict[str, str]:
    every = customer_names(ledger)
    return {cid: every[cid] for cid in customer_ids if cid in every}


_NAMES: dict[str, dict[str, str]] = {}
_NAMES_LOCK = threading.Lock()


def customer_names(ledger: Ledger) -> dict[str, str]:
    """Every customer's name by id, read once per ledger snapshot (one never changes): the
    queue and the moments page name dozens of customers on every visit."""
    key = str(ledger.path.resolve())
    with _NAMES_LOCK:
        names = _NAMES.get(key)
    if names is None:
        from goodwill.analytics.scorecard.window import all_rows

        t = ledger.table("customers")
        names = {r["customer_id"]: r["name"] for r in all_rows(t.select("customer_id", "name"))}
        with _NAMES_LOCK:
            _NAMES.clear()  # only the current snapshot is asked for
            _NAMES[key] = names
    return names
