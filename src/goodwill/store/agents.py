"""The roster of agents and who owns which case, in the store.

Owner choice is the domain's (:mod:`goodwill.domain.owners`); this module feeds it the
roster and the open cases, and records its answer::

    choice = assign_owner(session, "C1", "ticket:T-9", team="care", today=day, now=now)
    moved = move_cases_from_away(session, today=day, now=now)  # tell these customers
    close_case(session, case_id, now=now)  # done: it leaves the queue
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from goodwill.domain import owners as rules
from goodwill.errors import ConfigError
from goodwill.store.models import Agent, CaseOwner


def add_agent(
    session: Session, *, name: str, email: str, team: str, phone: str | None, now: datetime
) -> rules.Agent:
    """Add an agent to the roster; an email already there is a ConfigError."""
    if session.scalar(select(Agent.id).where(Agent.email == email)) is not None:
        raise ConfigError(f"an agent with email {email} is already on the roster")
    row = Agent(name=name, email=email, team=team, phone=phone, created_at=now)
    session.add(row)
    session.flush()
    return _domain(row)


def list_agents(session: Session) -> list[rules.Agent]:
    """The roster, by team then name."""
    rows = session.scalars(select(Agent).order_by(Agent.team, Agent.name, Agent.id))
    return [_domain(r) for r in rows]


def set_away(session: Session, email: str, until: date | None) -> rules.Agent:
    """Mark an agent away up to and including ``until`` (None: back at work)."""
    row = session.scalar(select(Agent).where(Agent.email == email))
    if row is None:
        raise ConfigError(f"no agent with email {email}; see `goodwill agents list`")
    row.away_until = until
    return _domain(row)


def open_load(session: Session) -> dict[str, int]:
    """Open cases per agent id."""
    query = (
        select(CaseOwner.agent_id, func.count())
        .where(CaseOwner.released_at.is_(None))
        .group_by(CaseOwner.agent_id)
    )
    return {str(agent_id): n for agent_id, n in session.execute(query)}


def previous_owner_id(session: Session, customer_id: str) -> str | None:
    """The agent who most recently owned a case of this customer, if any."""
    query = (
        select(CaseOwner.agent_id)
        .where(CaseOwner.customer_id == customer_id)
        .order_by(CaseOwner.assigned_at.desc(), CaseOwner.id.desc())
        .limit(1)
    )
    found = session.scalar(query)
    return None if found is None else str(found)


def assign_owner(
    session: Session, customer_id: str, subject: str, *, team: str, today: date, now: datetime
) -> rules.OwnerChoice:
    """The owner of a case, chosen and recorded; a case already owned keeps its owner."""
    agents = list_agents(session)
    current = _open_case(session, subject)
    if current is not None:
        return rules.OwnerChoice(_by_id(agents, str(current.agent_id)), "continuity")
    previous = previous_owner_id(session, customer_id)
    choice = rules.choose_owner(agents, team, open_load(session), today, previous)
    if choice.agent is not None:
        record_owner(session, customer_id, subject, choice, now)
    return choice


@dataclass(frozen=True)
class MovedCase:
    """A case that changed hands because its owner is away: tell the customer."""

    customer_id: str
    subject: str
    choice: rules.OwnerChoice


def move_cases_from_away(
    session: Session, *, today: date, now: datetime, policy: rules.OwnerPolicy = rules.OwnerPolicy()
) -> list[MovedCase]:
    """Move the open cases of agents away more than ``policy.max_away_days``; a customer's
    cases all go to one person, so the customer has one name to ask for."""
    agents = list_agents(session)
    load = open_load(session)
    moved = []
    given: dict[str, rules.Agent] = {}
    cases = session.scalars(
        select(CaseOwner).where(CaseOwner.released_at.is_(None)).order_by(CaseOwner.id)
    )
    for case in list(cases):
        owner = _by_id(agents, str(case.agent_id))
        assert owner is not None  # the foreign key keeps it on the roster
        choice = rules.keep_or_move(owner, agents, owner.team, load, today, policy)
        if not choice.tell_customer or choice.agent is None:
            continue
        choice = replace(choice, agent=given.setdefault(case.customer_id, choice.agent))
        assert choice.agent is not None
        case.released_at = now
        record_owner(session, case.customer_id, case.subject, choice, now)
        load[choice.agent.agent_id] = load.get(choice.agent.agent_id, 0) + 1
        load[owner.agent_id] -= 1
        moved.append(MovedCase(case.customer_id, case.subject, choice))
    return moved


def release_case(session: Session, subject: str, now: datetime) -> bool:
    """Close a case's ownership (the ticket was resolved); False if it had no open owner."""
    case = _open_case(session, subject)
    if case is not None:
        case.released_at = now
    return case is not None


def close_case(session: Session, case_id: int, now: datetime) -> CaseOwner | None:
    """Close an open case by its id (a desk user's 'Done'); None if it is not open."""
    case = session.get(CaseOwner, case_id)
    if case is None or case.released_at is not None:
        return None
    case.released_at = now
    return case


def _open_case(session: Session, subject: str) -> CaseOwner | None:
    query = select(CaseOwner).where(CaseOwner.subject == subject, CaseOwner.released_at.is_(None))
    return session.scalar(query)


def record_owner(
    session: Session, customer_id: str, subject: str, choice: rules.OwnerChoice, now: datetime
) -> None:
    """Record ``choice`` (an agent, not None) as the owner of the case ``subject``; flushed."""
    assert choice.agent is not None
    session.add(
        CaseOwner(
            customer_id=customer_id,
            subject=subject,
            agent_id=int(choice.agent.agent_id),
            reason=choice.why,
            assigned_at=now,
        )
    )
    session.flush()


def _by_id(agents: Sequence[rules.Agent], agent_id: str) -> rules.Agent | None:
    return next((a for a in agents if a.agent_id == agent_id), None)


def _domain(row: Agent) -> rules.Agent:
    return rules.Agent(str(row.id), row.name, row.email, row.team, row.phone, row.away_until)


def hand_case_to(session: Session, case_id: int, agent_id: int, now: datetime) -> CaseOwner | None:
    """Give an open case to another agent (a desk user's 'assign'): the old row closes and
    a new one opens, so the case's history shows who had it when. None if not open."""
    case = session.get(CaseOwner, case_id)
    if case is None or case.released_at is not None or session.get(Agent, agent_id) is None:
        return None
    if case.agent_id == agent_id:
        return case
    case.released_at = now
    moved = CaseOwner(
        customer_id=case.customer_id,
        subject=case.subject,
        agent_id=agent_id,
        reason="assigned",
        assigned_at=now,
    )
    session.add(moved)
    session.flush()
    return moved
