"""The team roster: agents and desk users, with roles and gesture allowances."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from goodwill.store.agents import open_load
from goodwill.store.models import Agent, CaseOwner, Gesture, StaffUser


class RosterRow(BaseModel):
    name: str
    email: str
    team: str | None
    phone: str | None
    away_until: date | None
    role: str | None
    staff_id: int | None
    monthly_allowance_minor: int | None
    open_cases: int = 0
    given_this_month_minor: int = 0  # credits they gave (or asked a lead for) this month
    cases_went_to: list[str] = []  # while away: who holds the cases that were theirs


def roster(session: Session, today: date | None = None) -> list[RosterRow]:
    """Agents and desk users, with roles, gesture allowances, open cases and, for whoever
    is away, who holds the cases that were theirs."""
    users = {u.email: u for u in session.scalars(select(StaffUser))}
    load = open_load(session)
    covering = _covering(session)
    given = _given_this_month(session, today or date.today())
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
                open_cases=load.get(str(a.id), 0),
                given_this_month_minor=given.get(u.id, 0) if u else 0,
                cases_went_to=sorted(covering.get(a.id, set())) if a.away_until else [],
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
            given_this_month_minor=given.get(u.id, 0),
        )
        for u in users.values()
    ]
    return rows


def _covering(session: Session) -> dict[int, set[str]]:
    """Per agent: the names of those who now hold a case that was last theirs."""
    before, now = aliased(CaseOwner), aliased(CaseOwner)
    query = (
        select(before.agent_id, Agent.name)
        .join(now, (now.subject == before.subject) & now.released_at.is_(None))
        .join(Agent, Agent.id == now.agent_id)
        .where(before.released_at.is_not(None), before.agent_id != now.agent_id)
    )
    out: dict[int, set[str]] = {}
    for agent_id, name in session.execute(query):
        out.setdefault(int(agent_id), set()).add(name)
    return out


def _given_this_month(session: Session, today: date) -> dict[int, int]:
    start = datetime(today.year, today.month, 1, tzinfo=UTC)
    query = (
        select(Gesture.staff_user_id, func.sum(Gesture.amount_minor))
        .where(Gesture.created_at >= start, Gesture.status != "held")
        .group_by(Gesture.staff_user_id)
    )
    return {int(u): int(total or 0) for u, total in session.execute(query)}
