"""``goodwill staff``: who can sign in to the care desk, and the demo's way in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import select

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.errors import ConfigError
from goodwill.store.engine import (
    make_engine,
    reporting_store_errors,
    session_factory,
    store_url_for,
)
from goodwill.store.migrate import require_current

if TYPE_CHECKING:
    from goodwill.settings import Settings

staff_app = typer.Typer(
    name="staff", help="People who sign in to the care desk.", no_args_is_help=True
)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
@reports_errors
def add(
    email: Annotated[
        str, typer.Argument(help="Their work email; also links them to the roster agent with it.")
    ],
    role: Annotated[str, typer.Option(help="agent or lead (a lead approves gestures).")] = "agent",
    name: Annotated[str | None, typer.Option(help="Their name, as customers read it.")] = None,
    allowance: Annotated[
        int, typer.Option(min=0, help="Monthly gesture allowance, in pence.")
    ] = 2000,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="At least 12 characters."
        ),
    ] = "",
    data: DataOption = None,
) -> None:
    """Let someone sign in to the care desk with a password (stored as an argon2 hash)."""
    from goodwill.store.staff import add_staff_user
    from goodwill.web.security import hash_password

    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise ConfigError(f"--password: {exc}") from exc
    engine = make_engine(store_url_for(make_settings(data)))
    with reporting_store_errors(engine):
        require_current(engine)
        with session_factory(engine).begin() as session:
            user = add_staff_user(
                session,
                email=email,
                name=name or email.split("@")[0],
                password_hash=hashed,
                role=role,
                now=datetime.now(UTC),
                monthly_allowance_minor=allowance,
            )
    engine.dispose()
    console.print(f"{user.email} can now sign in to the care desk as {user.role}.")


@dataclass(frozen=True)
class DemoAccess:
    """How the demo's reader gets in: two of the care team's desk logins (one password for
    the whole team, new at each demo) and a customer's one-time sign-in link, if any."""

    lead_email: str
    agent_email: str
    password: str
    customer_link: str | None


def demo_access(settings: Settings) -> DemoAccess:
    """A new password for every desk login of the demo's care team (seeded by
    :func:`goodwill.cli.demo_story.seed_roster`) and a sign-in link for a customer who has
    plan advice."""
    from goodwill.cli.demo_story import demo_agent_email
    from goodwill.ledger.reader import open_ledger
    from goodwill.sample.names import AGENTS
    from goodwill.store.models import StaffUser
    from goodwill.web.config import web_config
    from goodwill.web.flows.signin import issue_link
    from goodwill.web.security import hash_password

    password, now = secrets.token_urlsafe(12), datetime.now(UTC)
    engine = make_engine(store_url_for(settings))
    with session_factory(engine).begin() as session:
        emails = [demo_agent_email(name) for name in AGENTS]
        team = session.scalars(select(StaffUser).where(StaffUser.email.in_(emails))).all()
        if not team:
            raise ConfigError("the demo's care team has no desk logins: run `goodwill demo` again")
        password_hash = hash_password(password)
        for user in team:
            user.password_hash = password_hash
        customer_id = _advised_customer(open_ledger(settings.ledger_dir), settings, now)
        link = (
            issue_link(session, web_config(settings), customer_id, now=now) if customer_id else None
        )
        leads = sorted(u.email for u in team if u.role == "lead")
        agents = [e for e in emails if e not in leads]
    engine.dispose()
    return DemoAccess(leads[0], agents[0], password, link)


def _advised_customer(ledger: object, settings: Settings, now: datetime) -> str | None:
    from goodwill.analytics.advice import plan_advice
    from goodwill.analytics.scorecard.window import all_rows

    advice = plan_advice(ledger, now.date(), settings)  # type: ignore[arg-type]
    rows = all_rows(
        advice.order_by(advice.monthly_saving_minor.desc()).select("customer_id").limit(1)
    )
    return str(rows[0]["customer_id"]) if rows else None
