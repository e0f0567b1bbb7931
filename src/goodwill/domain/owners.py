"""Who owns a customer's case: continuity first, then the least-loaded available agent.

A customer who already knows someone keeps them while that person is available. When
nobody is, the case goes to the available agent of the right team with the fewest open
cases (ties by agent id, so the choice is reproducible). An owner away for more than
``OwnerPolicy.max_away_days`` hands their open cases on, and the customer is told.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from goodwill.domain.contact import Owner

Why = Literal["continuity", "least_loaded", "reassigned", "kept_while_away", "nobody_available"]


@dataclass(frozen=True)
class Agent:
    """A person who owns cases. ``away_until``: away up to and including that day."""

    agent_id: str
    name: str
    email: str
    team: str
    phone: str | None = None
    away_until: date | None = None

    def available_on(self, day: date) -> bool:
        """Whether the agent is at work on ``day``."""
        return self.away_until is None or day > self.away_until

    def days_away(self, day: date) -> int:
        """How many more days, ``day`` included, the agent is away (0 if at work)."""
        if self.away_until is None or day > self.away_until:
            return 0
        return (self.away_until - day).days + 1

    @property
    def owner(self) -> Owner:
        """How a message names them."""
        return Owner(self.name, email=self.email, phone=self.phone)


@dataclass(frozen=True)
class OwnerPolicy:
    """Which team owns what, and how long an absence may last before cases move."""

    default_team: str = "care"
    senior_team: str = "senior"
    max_away_days: int = 3


@dataclass(frozen=True)
class OwnerChoice:
    """The chosen agent (None if nobody is available), why, and the owner it replaces."""

    agent: Agent | None
    why: Why
    previous: Agent | None = None

    @property
    def tell_customer(self) -> bool:
        """A customer whose owner changed under them hears who has their case now."""
        return self.why == "reassigned"


def choose_owner(
    agents: Sequence[Agent],
    team: str,
    load: Mapping[str, int],
    today: date,
    previous_id: str | None = None,
) -> OwnerChoice:
    """The owner of a new case: the previous owner if available, else the least loaded.

    ``load`` maps agent id to open cases. The previous owner is kept whatever their team:
    the customer knows them.
    """
    previous = _by_id(agents, previous_id)
    if previous is not None and previous.available_on(today):
        return OwnerChoice(previous, "continuity")
    return _least_loaded(agents, team, load, today, "least_loaded")


def keep_or_move(
    current: Agent,
    agents: Sequence[Agent],
    team: str,
    load: Mapping[str, int],
    today: date,
    policy: OwnerPolicy = OwnerPolicy(),
) -> OwnerChoice:
    """For an open case: keep its owner unless they are away for more than ``max_away_days``."""
    if current.available_on(today):
        return OwnerChoice(current, "continuity")
    if current.days_away(today) <= policy.max_away_days:
        return OwnerChoice(current, "kept_while_away")
    others = [a for a in agents if a.agent_id != current.agent_id]
    moved = _least_loaded(others, team, load, today, "reassigned")
    return (
        replace(moved, previous=current) if moved.agent else OwnerChoice(current, "kept_while_away")
    )


def assign_all(
    cases: Iterable[tuple[str, str, str | None]],
    agents: Sequence[Agent],
    load: Mapping[str, int],
    today: date,
) -> dict[str, OwnerChoice]:
    """Owners for many new cases ``(case_id, team, previous_owner_id)``, spreading the load."""
    running = Counter(load)
    chosen = {}
    for case_id, team, previous_id in cases:
        choice = choose_owner(agents, team, running, today, previous_id)
        if choice.agent is not None:
            running[choice.agent.agent_id] += 1
        chosen[case_id] = choice
    return chosen


def _least_loaded(
    agents: Sequence[Agent], team: str, load: Mapping[str, int], today: date, why: Why
) -> OwnerChoice:
    ready = [a for a in agents if a.team == team and a.available_on(today)]
    if not ready:
        return OwnerChoice(None, "nobody_available")
    return OwnerChoice(min(ready, key=lambda a: (load.get(a.agent_id, 0), a.agent_id)), why)


def _by_id(agents: Sequence[Agent], agent_id: str | None) -> Agent | None:
    return next((a for a in agents if a.agent_id == agent_id), None)
