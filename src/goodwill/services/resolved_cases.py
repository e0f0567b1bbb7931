"""Cases about a ticket close themselves once the ledger shows that ticket resolved.

A case is named by its subject: ``ticket:T-9``, or a moment's dedupe key whose evidence
names the ticket (a slow first answer). The care run closes these before it moves cases
from owners who are away, so nobody is told about a new owner for a problem already
solved; cases of other kinds close when their owner or a lead presses "Done" on the desk.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.ledger.reader import Ledger
from goodwill.store.agents import release_case
from goodwill.store.models import CaseOwner, Moment


def release_resolved_cases(
    session: Session, ledger: Ledger, until: datetime, now: datetime
) -> list[str]:
    """Close every open case whose ticket was resolved by ``until``; their subjects."""
    by_ticket = _open_cases_by_ticket(session)
    if not by_ticket:
        return []
    closed = [
        subject
        for ticket_id in _resolved(ledger, sorted(by_ticket), until)
        for subject in by_ticket[ticket_id]
    ]
    for subject in closed:
        release_case(session, subject, now)
    return closed


def ticket_of(subject: str, evidence: Mapping[str, Any] | None) -> str | None:
    """The ticket a case is about, if any: ``ticket:T-9`` or its moment's ``ticket_id``."""
    kind, _, rest = subject.partition(":")
    if kind == "ticket" and rest:
        return rest
    ticket_id = (evidence or {}).get("ticket_id")
    return str(ticket_id) if ticket_id else None


def _open_cases_by_ticket(session: Session) -> dict[str, list[str]]:
    query = (
        select(CaseOwner.subject, Moment.evidence)
        .outerjoin(Moment, Moment.dedupe_key == CaseOwner.subject)
        .where(CaseOwner.released_at.is_(None))
    )
    by_ticket: dict[str, list[str]] = {}
    for subject, evidence in session.execute(query):
        ticket_id = ticket_of(subject, evidence)
        if ticket_id is not None:
            by_ticket.setdefault(ticket_id, []).append(subject)
    return by_ticket


def _resolved(ledger: Ledger, ticket_ids: list[str], until: datetime) -> list[str]:
    from goodwill.analytics.scorecard.window import all_rows

    t = ledger.table("tickets")
    done = t.filter(t.ticket_id.isin(ticket_ids), t.resolved_at.notnull(), t.resolved_at <= until)
    return [str(r["ticket_id"]) for r in all_rows(done.select("ticket_id").distinct())]
