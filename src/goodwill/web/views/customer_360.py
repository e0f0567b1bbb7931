"""The customer 360 page as data: everything about one customer, across all their lines."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings
from goodwill.store.models import (
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
from goodwill.web.errors import BadInput, NotFound
from goodwill.web.flows.plan_switch import line_name
from goodwill.web.views.me import OwnerView, owners
from goodwill.web.views.timeline import Entry, plan_change_ids, timeline
from goodwill.web.views.words import kind_name, month_words, quantity_words

MAIN_KINDS = ("data_mb", "voice_min", "sms")

Rows = list[dict[str, Any]]


MAX_SEARCH = 100


class CustomerFound(BaseModel):
    customer_id: str
    name: str
    email: str | None
    joined_at: datetime


def find_customers(ledger: Ledger, text: str) -> list[CustomerFound]:
    """Customers whose id, name or email contains ``text``; nobody for an empty search."""
    if len(text) > MAX_SEARCH:
        raise BadInput(
            f"Please search with up to {MAX_SEARCH} characters: part of a name or email is enough.",
            "q",
        )
    if not text.strip():
        return []
    return [CustomerFound(**row) for row in ledger_reads.search_customers(ledger, text)]


class UseTable(BaseModel):
    """Use by line and month, one column per kind of use, in words."""

    kinds: list[str]  # column headings: Data, Calls, Texts…
    rows: list[dict[str, Any]]  # {line, month, cells: [words per kind]}


class Customer360(BaseModel):
    customer: dict[str, Any]
    timeline: list[Entry]
    use: UseTable
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
    held = _from_ledger(ledger, settings, customer_id, today)
    row, subs, usage = held.customer, held.subscriptions, held.usage
    bills, tickets = held.bills, held.tickets
    promises = held.promises + _rows(
        session,
        select(Promise).where(Promise.customer_id == customer_id),
        ("kind", "made_at", "due_at", "kept_at"),
    )
    now = datetime.combine(today, datetime.max.time(), tzinfo=UTC)
    history = {"tickets": tickets, "ticket_events": held.ticket_events}
    history |= {"promises": promises, "bills": bills}
    return Customer360(
        customer=row,
        timeline=timeline(session, customer_id, history, now, _names(session, ledger, held)),
        use=_use_table(usage, {s["subscription_id"]: s["line"] for s in subs}),
        subscriptions=subs,
        usage=usage,
        bills=bills,
        advice=held.advice,
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
        promises=promises,
        tickets=tickets,
        owners=owners(session, customer_id),
        feedback=held.feedback,
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


@dataclass(frozen=True)
class _LedgerPart:
    """What the 360 shows from the ledger: the same for every visit to a snapshot."""

    customer: dict[str, Any]
    subscriptions: Rows
    usage: Rows
    bills: Rows
    tickets: Rows
    ticket_events: Rows
    promises: Rows
    feedback: Rows
    advice: Rows


_HELD: OrderedDict[tuple[str, str, str, date], _LedgerPart] = OrderedDict()
_HELD_LOCK = threading.Lock()
MAX_HELD = 512


def _from_ledger(ledger: Ledger, settings: Settings, customer_id: str, today: date) -> _LedgerPart:
    """The ledger's part of one customer's 360, kept for the snapshot and day (a snapshot
    never changes), for the last MAX_HELD customers opened; NotFound if unknown."""
    key = (str(settings.data_dir), str(ledger.path.resolve()), customer_id, today)
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is not None:
            _HELD.move_to_end(key)
            return held
    row = ledger_reads.customer(ledger, customer_id)
    if row is None:
        raise NotFound("We have no customer with that id.")
    subs = ledger_reads.subscriptions(ledger, customer_id)
    for sub in subs:
        sub["line"] = line_name(sub)
    tickets = ledger_reads.rows_of(ledger, "tickets", customer_id, "opened_at")
    held = _LedgerPart(
        customer=row,
        subscriptions=subs,
        usage=ledger_reads.usage(ledger, [s["subscription_id"] for s in subs]),
        bills=ledger_reads.rows_of(ledger, "bills", customer_id, "period"),
        tickets=tickets,
        ticket_events=ledger_reads.ticket_events(ledger, [t["ticket_id"] for t in tickets]),
        promises=ledger_reads.rows_of(ledger, "promises", customer_id, "made_at"),
        feedback=ledger_reads.rows_of(ledger, "feedback", customer_id, "at"),
        advice=ledger_reads.advice(ledger, today, settings, customer_id),
    )
    with _HELD_LOCK:
        _HELD[key] = held
        while len(_HELD) > MAX_HELD:
            _HELD.popitem(last=False)
    return held


def _names(session: Session, ledger: Ledger, held: _LedgerPart) -> dict[str, str]:
    """Each line's and each plan's name by id, for the plan changes in the history."""
    names = {s["subscription_id"]: s["line"] for s in held.subscriptions}
    names |= {s["plan_id"]: s["plan_name"] for s in held.subscriptions if s.get("plan_name")}
    for plan_id in plan_change_ids(session, str(held.customer["customer_id"])) - set(names):
        plan = ledger_reads.plan(ledger, plan_id)
        if plan is not None:
            names[plan_id] = str(plan["name"])
    return names


def _use_table(usage: Rows, lines: dict[str, str]) -> UseTable:
    """Rows of (line, month) with one cell per kind: six months fit on one screen."""
    kinds = sorted({r["kind"] for r in usage}, key=lambda k: (k not in MAIN_KINDS, k))
    cells: dict[tuple[str, str], dict[str, float]] = {}
    for r in usage:
        cells.setdefault((r["subscription_id"], r["period"]), {})[r["kind"]] = r["quantity"]
    rows = [
        {
            "line": lines.get(sub, sub),
            "month": month_words(period),
            "cells": [quantity_words(k, use[k]) if k in use else "" for k in kinds],
        }
        for (sub, period), use in cells.items()
    ]
    return UseTable(kinds=[kind_name(k) for k in kinds], rows=rows)


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
