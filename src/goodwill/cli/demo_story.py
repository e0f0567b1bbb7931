"""The parts of the demo that tell what the care run gave, in words and one real message."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from rich.panel import Panel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.cli.app import console
from goodwill.domain.formatting import format_money
from goodwill.services.care_run import CareRunReport
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, store_url_for
from goodwill.store.models import Action, Message, Moment


def render_given(report: CareRunReport, currency: str = "GBP") -> None:
    """How many were advised, the money handed back a year, the holdouts kept to measure it."""
    acted = report.acted
    if acted is None:
        return
    advised = report.outcomes["better_plan", "acted"]
    withheld = sum(n for (_, status), n in report.outcomes.items() if status == "withheld")
    yearly = acted.value_given_minor["better_plan"]
    console.print(
        f"[bold]{advised:,}[/] customers were told that a cheaper plan fits them: "
        f"[bold]{format_money(yearly, currency)}[/] a year handed back to them.\n"
        f"[bold]{withheld:,}[/] moments were kept back as holdouts, so the scorecard can "
        "measure what giving does to loyalty."
    )


def show_one_message(settings: Settings, kind: str, title: str) -> None:
    """Print the most valuable message of ``kind`` in full, as the customer reads it."""
    engine = make_engine(store_url_for(settings))
    with session_factory(engine)() as session:
        query = (
            select(Message)
            .join(Action, Message.action_id == Action.id)
            .join(Moment, Action.moment_id == Moment.id)
            .where(Moment.kind == kind, Message.channel == "email")  # not the billing webhook
            .order_by(Moment.value_to_customer_minor.desc(), Message.id)
            .limit(1)
        )
        message = session.scalars(query).first()
    engine.dispose()
    if message is None:
        return
    console.print(
        Panel(
            f"[bold]To:[/] {message.to_address}\n[bold]Subject:[/] {message.subject}\n\n"
            f"{message.body_text.strip()}",
            title=title,
            title_align="left",
        )
    )


#: The demo care team's desk logins: seniors are leads; a gesture allowance a month each.
DEMO_ROLES = {"care": ("agent", 2000), "senior": ("lead", 5000)}
#: A password hash that matches no password (not argon2): a login nobody can use yet.
LOCKED = "!no password yet"


def seed_roster(settings: Settings) -> int:
    """Put the sample's care team on the roster (once), so care messages name a person,
    each with a desk login: agents, the seniors leads; how many agents it added. A roster
    from an older demo gains the logins it lacks. Nobody can sign in until
    :func:`goodwill.cli.staff.demo_access` gives the team a password."""
    from goodwill.store import upgrade
    from goodwill.store.agents import list_agents

    engine = make_engine(store_url_for(settings))
    upgrade(engine)
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:
        added = 0 if list_agents(session) else _add_team(session, now)
        _add_missing_logins(session, now)
    engine.dispose()
    return added


def _add_team(session: Session, now: datetime) -> int:
    from goodwill.sample.names import AGENTS
    from goodwill.store.agents import add_agent

    for i, name in enumerate(AGENTS):
        team = "senior" if i >= len(AGENTS) - 2 else "care"
        phone = f"0300 123 {4000 + i}"
        add_agent(session, name=name, email=demo_agent_email(name), team=team, phone=phone, now=now)
    return len(AGENTS)


def _add_missing_logins(session: Session, now: datetime) -> None:
    from goodwill.sample.names import AGENTS
    from goodwill.store.models import Agent, StaffUser

    emails = [demo_agent_email(name) for name in AGENTS]
    query = (
        select(Agent)
        .outerjoin(StaffUser, StaffUser.agent_id == Agent.id)
        .where(Agent.email.in_(emails), StaffUser.id.is_(None))
    )
    for agent in session.scalars(query).all():
        _add_desk_login(session, agent.email, agent.name, agent.team, now)


def demo_agent_email(name: str) -> str:
    """``Aisha Khan`` -> ``aisha.khan@care.example``."""
    first, last = name.lower().split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@care.example"


def _add_desk_login(session: Session, email: str, name: str, team: str, now: datetime) -> None:
    from goodwill.store.staff import add_staff_user

    role, allowance = DEMO_ROLES.get(team, DEMO_ROLES["care"])
    add_staff_user(
        session,
        email=email,
        name=name,
        password_hash=LOCKED,
        role=role,
        now=now,
        monthly_allowance_minor=allowance,
    )


def show_budget_left(settings: Settings, day: date, kind: str = "broken_promise") -> None:
    """What is left of this month's goodwill budget for ``kind``."""
    from goodwill.domain.formatting import format_month
    from goodwill.domain.moment_words import gift_words
    from goodwill.domain.periods import period_of
    from goodwill.store import spent
    from goodwill.store.models import Budget

    engine = make_engine(store_url_for(settings))
    with session_factory(engine)() as session:
        budget = session.get(Budget, (kind, period_of(day)))
        used = spent(session, kind, period_of(day)) if budget else 0
    engine.dispose()
    if budget is not None:
        left = format_money(budget.limit_minor - used, budget.currency)
        console.print(
            f"Goodwill budget for {gift_words(kind)} in {format_month(budget.period)}: "
            f"{format_money(used, budget.currency)} "
            f"given of {format_money(budget.limit_minor, budget.currency)}; {left} left. "
            "Credits that did not fit were deferred, never overspent."
        )


def write_scorecard(settings: Settings, day: date) -> Path:
    """Print the scorecard's plain-language readings and write the HTML report."""
    from goodwill.analytics.scorecard import build_scorecard
    from goodwill.ledger.reader import open_ledger
    from goodwill.reports import scorecard_html

    engine = make_engine(store_url_for(settings))
    card = build_scorecard(open_ledger(settings.ledger_dir), day, settings, engine, True)
    engine.dispose()
    for perspective in card.perspectives:
        console.print(f"[bold]{perspective.name}[/]: {perspective.reading}")
    path = settings.data_dir / "scorecard.html"
    path.write_text(scorecard_html(card), encoding="utf-8")
    return path
