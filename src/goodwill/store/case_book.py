"""Owners for a care run's many new cases, from one read of the roster and the open cases.

:func:`goodwill.store.agents.assign_owner` reads the roster, the case's open owner, the
customer's previous owner and every agent's load for each case: four queries a message.
A :class:`CaseBook` reads them once for the run and keeps them as it records owners, so
each choice is the one ``assign_owner`` would make at that point, and recorded the same::

    book = CaseBook(session, customer_ids)
    choice = book.assign("C1", "ticket:T-9", team="care", today=day, now=now)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.domain import owners as rules
from goodwill.store.agents import list_agents, open_load, record_owner
from goodwill.store.models import CaseOwner

_CHUNK = 1000  # customer ids per IN list


class CaseBook:
    """The roster, the open cases and the previous owners of ``customer_ids``, read once."""

    def __init__(self, session: Session, customer_ids: Iterable[str]) -> None:
        self._session = session
        self._agents = list_agents(session)
        self._by_id = {a.agent_id: a for a in self._agents}
        self._load = open_load(session)
        self._open: dict[str, str] = {}
        open_cases = select(CaseOwner.subject, CaseOwner.agent_id).where(
            CaseOwner.released_at.is_(None)
        )
        for subject, agent_id in session.execute(open_cases.order_by(CaseOwner.id)):
            self._open.setdefault(subject, str(agent_id))
        self._customers = set(customer_ids)
        self._previous = _previous_owners(session, sorted(self._customers))

    def assign(
        self, customer_id: str, subject: str, *, team: str, today: date, now: datetime
    ) -> rules.OwnerChoice:
        """As :func:`~goodwill.store.agents.assign_owner`: a case already owned keeps its
        owner; a new one is chosen, recorded and counted in its owner's load."""
        current = self._open.get(subject)
        if current is not None:
            return rules.OwnerChoice(self._by_id.get(current), "continuity")
        if customer_id not in self._customers:  # not named up front: read now
            self._customers.add(customer_id)
            self._previous.update(_previous_owners(self._session, [customer_id]))
        previous = self._previous.get(customer_id)
        previous_id = previous[1] if previous else None
        choice = rules.choose_owner(self._agents, team, self._load, today, previous_id)
        if choice.agent is not None:
            agent_id = choice.agent.agent_id
            record_owner(self._session, customer_id, subject, choice, now)
            self._open[subject] = agent_id
            self._load[agent_id] = self._load.get(agent_id, 0) + 1
            if previous is None or now >= previous[0]:  # the newest case, as ordered there
                self._previous[customer_id] = (now, agent_id)
        return choice


def _previous_owners(session: Session, customer_ids: list[str]) -> dict[str, tuple[datetime, str]]:
    """Per customer, when their most recent case was given and to whom (latest, then
    highest id first, as :func:`~goodwill.store.agents.previous_owner_id`)."""
    found: dict[str, tuple[datetime, str]] = {}
    for start in range(0, len(customer_ids), _CHUNK):
        chunk = customer_ids[start : start + _CHUNK]
        rows = session.execute(
            select(CaseOwner.customer_id, CaseOwner.assigned_at, CaseOwner.agent_id)
            .where(CaseOwner.customer_id.in_(chunk))
            .order_by(CaseOwner.assigned_at.desc(), CaseOwner.id.desc())
        )
        for customer_id, assigned_at, agent_id in rows:
            found.setdefault(customer_id, (assigned_at, str(agent_id)))
    return found
