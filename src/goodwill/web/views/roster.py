"""The team roster: agents and desk users, with roles and gesture allowances."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.store.models import Agent, StaffUser


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
