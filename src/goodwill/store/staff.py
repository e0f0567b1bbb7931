"""Staff users of the care desk: who they are, their role and their gesture allowance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.errors import ConfigError
from goodwill.store.models import Agent, StaffRole, StaffUser


def add_staff_user(
    session: Session,
    *,
    email: str,
    name: str,
    password_hash: str,
    role: str,
    now: datetime,
    monthly_allowance_minor: int = 0,
) -> StaffUser:
    """Add someone to the desk; linked to the roster agent with the same email, if any."""
    if role not in tuple(StaffRole):
        raise ConfigError(f"role {role!r}: choose agent or lead")
    email = email.strip().lower()
    if staff_by_email(session, email) is not None:
        raise ConfigError(f"{email} can already sign in to the desk")
    agent_id = session.scalar(select(Agent.id).where(Agent.email == email))
    user = StaffUser(
        email=email,
        name=name,
        password_hash=password_hash,
        role=role,
        monthly_allowance_minor=monthly_allowance_minor,
        agent_id=agent_id,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def staff_by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def list_staff(session: Session) -> list[StaffUser]:
    """Everyone at the desk, leads first, then by name."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.role.desc(), StaffUser.name)))


def set_allowance(
    session: Session, staff_id: int, monthly_allowance_minor: int
) -> StaffUser | None:
    """Set a person's monthly gesture allowance; None when there is no such person."""
    if monthly_allowance_minor < 0:
        raise ValueError("an allowance cannot be negative")
    user = session.get(StaffUser, staff_id)
    if user is not None:
        user.monthly_allowance_minor = monthly_allowance_minor
    return user
