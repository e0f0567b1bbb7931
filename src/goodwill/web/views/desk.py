"""The care desk's pages as data: customer 360, moments and actions, the roster."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings
from goodwill.store.models import (
    Action,
    Agent,
    Assignment,
    Experiment,
    Gesture,
    Job,
    Message,
    Moment,
    Promise,
    StaffUser,
)
from goodwill.web import ledger_reads
from goodwill.web.errors import NotFound
from goodwill.web.views.me import OwnerView, owners

Rows = list[dict[str, Any]]


class Customer360(BaseModel):
    customer: dict[str, Any]
    subscriptions: Rows
    usage: Rows
    bills: Rows
    advice: Rows
    advice_given: Rows
    promises: Rows
    tickets: Rows
    owners: list[OwnerView]
    feedback: Rows
    messages: Rows
    arms: Rows
    gestures: Rows
    jobs: Rows


def customer_360(
    session: Session, ledger: Ledger, settings: Settings, customer_id: str, today: date
) -> Customer360:
    """Everything about one customer, across all their subscriptions; NotFound if unknown."""
    row = ledger_reads.customer(ledger, customer_id)
    if row is None:
        raise NotFound("We have no customer with that id.")
    subs = ledger_reads.subscriptions(ledger, customer_id)
    return Customer360(
        customer=row,
        subscriptions=subs,
        usage=ledger_reads.usage(ledger, [s["subscription_id"] for s in subs]),
        bills=ledger_reads.rows_of(ledger, "bills", customer_id, "period"),
        advice=ledger_reads.advice(ledger, today, settings, customer_id),
        advice_given=_rows(
            session,
            select(Moment).where(Moment.customer_id == customer_id).order_by(Moment.id.desc()),
            (
                "kind",
                "detected_for",
                "status",
                "reason",
                "value_to_customer_minor",
                "evidence",
                "created_at",
            ),
        ),
        promises=ledger_reads.rows_of(ledger, "promises", customer_id, "made_at")
        + _rows(
            session,
            select(Promise).where(Promise.customer_id == customer_id),
            ("kind", "made_at", "due_at", "kept_at"),
        ),
        tickets=ledger_reads.rows_of(ledger, "tickets", customer_id, "opened_at"),
        owners=owners(session, customer_id),
        feedback=ledger_reads.rows_of(ledger, "feedback", customer_id, "at"),
        messages=_rows(
            session,
            select(Message).where(Message.customer_id == customer_id).order_by(Message.id.desc()),
            ("created_at", "channel", "subject", "status"),
        ),
        arms=_arms(session, customer_id),
        gestures=_gestures(session, customer_id),
        jobs=_rows(
            session,
            select(Job).where(Job.customer_id == customer_id).order_by(Job.id.desc()),
            ("kind", "status", "started_at", "finished_at"),
        ),
    )


def _rows(session: Session, query: Any, columns: tuple[str, ...]) -> Rows:
    return [{c: getattr(r, c) for c in columns} for r in session.scalars(query.limit(50))]


def _arms(session: Session, customer_id: str) -> Rows:
    query = (
        select(Experiment.kind, Assignment.arm, Assignment.assigned_at)
        .join(Experiment, Assignment.experiment_id == Experiment.id)
        .where(Assignment.customer_id == customer_id)
    )
    return [{"kind": k, "arm": a, "assigned_at": at} for k, a, at in session.execute(query)]


def _gestures(session: Session, customer_id: str) -> Rows:
    query = (
        select(Gesture, StaffUser.name)
        .join(StaffUser, Gesture.staff_user_id == StaffUser.id)
        .where(Gesture.customer_id == customer_id)
        .order_by(Gesture.id.desc())
    )
    return [
        {
            "id": g.id,
            "amount_minor": g.amount_minor,
            "reason": g.reason,
            "status": g.status,
            "by": name,
            "created_at": g.created_at,
        }
        for g, name in session.execute(query)
    ]


class MomentRow(BaseModel):
    id: int
    run_id: int
    customer_id: str
    kind: str
    status: str
    reason: str | None
    value_to_customer_minor: int
    currency: str
    detected_for: str
    actions: list[str]


def moments(
    session: Session, kind: str | None, status: str | None, limit: int = 200
) -> list[MomentRow]:
    """What the last runs found, newest first, with what was done about each."""
    query = select(Moment).order_by(Moment.id.desc()).limit(limit)
    if kind:
        query = query.where(Moment.kind == kind)
    if status:
        query = query.where(Moment.status == status)
    found = list(session.scalars(query))
    acts: dict[int, list[str]] = {}
    ids = [m.id for m in found]
    for moment_id, what in session.execute(
        select(Action.moment_id, Action.kind).where(Action.moment_id.in_(ids))
    ):
        acts.setdefault(int(moment_id), []).append(what)  # type: ignore[arg-type]
    return [
        MomentRow(
            id=m.id,
            run_id=m.run_id,
            customer_id=m.customer_id,
            kind=m.kind,
            status=m.status,
            reason=m.reason,
            value_to_customer_minor=m.value_to_customer_minor,
            currency=m.currency,
            detected_for=m.detected_for,
            actions=acts.get(m.id, []),
        )
        for m in found
    ]


class RosterRow(BaseModel):
    name: str
    email: str
    team: str | None
    phone: str | None
    away_until: date | None
    role: str | None
    staff_id: int | None
    monthly_allowance_minor: int | None


def roster(session: Session) -> list[RosterRow]:
    """Agents and desk users, with roles and gesture allowances."""
    users = {u.email: u for u in session.scalars(select(StaffUser))}
    rows = []
    for a in session.scalars(select(Agent).order_by(Agent.team, Agent.name)):
        u = users.pop(a.email, None)
        rows.append(
            RosterRow(
                name=a.name,
                email=a.email,
                team=a.team,
                phone=a.phone,
                away_until=a.away_until,
                role=u.role if u else None,
                staff_id=u.id if u else None,
                monthly_allowance_minor=u.monthly_allowance_minor if u else None,
            )
        )
    rows += [
        RosterRow(
            name=u.name,
            email=u.email,
            team=None,
            phone=None,
            away_until=None,
            role=u.role,
            staff_id=u.id,
            monthly_allowance_minor=u.monthly_allowance_minor,
        )
        for u in users.values()
    ]
    return rows
