"""A care run's CaseBook, which reads the roster and the cases once, chooses and records
every owner as assign_owner does when asked case by case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.domain import owners as rules
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.agents import add_agent, assign_owner, set_away
from goodwill.store.case_book import CaseBook
from goodwill.store.models import CaseOwner

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)
ROSTER = (
    ("Sam Patel", "care", None),
    ("Ros Kaur", "care", None),
    ("Val Ortiz", "senior", None),
    ("Ann Lee", "care", date(2026, 12, 31)),  # away: not chosen
    ("Ben Cho", "care", date(2026, 11, 22)),  # back today
)
EARLIER = [  # (customer, subject, agent index, days ago, released)
    ("C1", "ticket:T1", 3, 30, True),  # previous owner away
    ("C2", "ticket:T2", 1, 20, True),  # previous owner at work
    ("C3", "ticket:T3", 0, 10, False),  # an open case
    ("C4", "ticket:T4a", 1, 5, True),  # two cases given at the same time:
    ("C4", "ticket:T4b", 4, 5, True),  # the higher id is the previous owner
    ("C9", "ticket:T9", 3, -1, True),  # given a day ahead of the run's clock, to one away
]
ASKED = [  # (customer, subject, team)
    ("C1", "m:C1:a", "care"),
    ("C1", "m:C1:b", "care"),
    ("C2", "m:C2", "care"),
    ("C3", "ticket:T3", "care"),
    ("C3", "m:C3", "senior"),
    ("C4", "m:C4", "care"),
    ("C9", "m:C9", "care"),
    ("C9", "m:C9:again", "care"),
    *((f"N{i}", f"m:N{i}", "senior" if i % 4 == 0 else "care") for i in range(12)),
    ("N1", "m:N1", "care"),  # asked twice: the case it has now
]

Assign = Callable[[Session, str, str, str], rules.OwnerChoice]


def store(tmp_path: Path, name: str) -> Session:
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    upgrade(engine)
    session = session_factory(engine)()
    ids = []
    for person, team, away in ROSTER:
        email = f"{person.split()[0].lower()}@example.com"
        agent = add_agent(session, name=person, email=email, team=team, phone=None, now=NOW)
        ids.append(int(agent.agent_id))
        if away:
            set_away(session, email, away)
    for customer, subject, agent, days_ago, released in EARLIER:
        at = NOW - timedelta(days=days_ago)
        session.add(
            CaseOwner(
                customer_id=customer,
                subject=subject,
                agent_id=ids[agent],
                reason="least_loaded",
                assigned_at=at,
                released_at=at + timedelta(hours=1) if released else None,
            )
        )
    session.flush()
    return session


def run(session: Session, assign: Assign) -> tuple[list[tuple[str | None, str]], list[tuple]]:
    choices = []
    for customer, subject, team in ASKED:
        choice = assign(session, customer, subject, team)
        choices.append((choice.agent.agent_id if choice.agent else None, choice.why))
    rows = session.execute(
        select(
            CaseOwner.id,
            CaseOwner.customer_id,
            CaseOwner.subject,
            CaseOwner.agent_id,
            CaseOwner.reason,
            CaseOwner.released_at,
        ).order_by(CaseOwner.id)
    )
    return choices, [tuple(r) for r in rows]


def test_the_case_book_chooses_and_records_as_assign_owner_case_by_case(tmp_path: Path) -> None:
    one_by_one = run(
        store(tmp_path, "a.sqlite"),
        lambda s, c, subject, team: assign_owner(s, c, subject, team=team, today=TODAY, now=NOW),
    )
    session = store(tmp_path, "b.sqlite")
    book = CaseBook(session, ["C1", "C2", "C3", "C4"])  # C9 and the N's are read when asked
    booked = run(
        session,
        lambda s, c, subject, team: book.assign(c, subject, team=team, today=TODAY, now=NOW),
    )
    assert booked == one_by_one
    whys = {why for _, why in one_by_one[0]}
    assert whys == {"continuity", "least_loaded"}
    assert len(one_by_one[1]) == len(EARLIER) + len(ASKED) - 2  # T3 and N1 were owned already
