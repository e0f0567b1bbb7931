"""``goodwill agents``: the roster of people who own customers' cases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.errors import ConfigError
from goodwill.store.agents import add_agent, list_agents, set_away
from goodwill.store.engine import (
    make_engine,
    reporting_store_errors,
    session_factory,
    store_url_for,
)
from goodwill.store.migrate import require_current

agents_app = typer.Typer(
    name="agents", help="The care agents who own customers' cases.", no_args_is_help=True
)
app.add_typer(agents_app, name="agents")


@contextmanager
def _session(data: DataOption) -> Iterator[Session]:
    engine = make_engine(store_url_for(make_settings(data)))
    try:
        with reporting_store_errors(engine):
            require_current(engine)
            with session_factory(engine).begin() as session:
                yield session
    finally:
        engine.dispose()


@agents_app.command("add")
@reports_errors
def add_command(
    name: Annotated[str, typer.Argument(help="Their full name, as customers will see it.")],
    email: Annotated[str, typer.Argument(help="Their direct email address.")],
    team: Annotated[str, typer.Option(help="Their team: care, senior, …")] = "care",
    phone: Annotated[str | None, typer.Option(help="Their direct line.")] = None,
    data: DataOption = None,
) -> None:
    """Add an agent to the roster."""
    with _session(data) as session:
        agent = add_agent(
            session, name=name, email=email, team=team, phone=phone, now=datetime.now(UTC)
        )
    console.print(f"Added {agent.name} <{agent.email}> to the {agent.team} team.")


@agents_app.command("list")
@reports_errors
def list_command(data: DataOption = None) -> None:
    """List the roster: team, name, contact, and who is away."""
    today = datetime.now(UTC).date()
    with _session(data) as session:
        agents = list_agents(session)
    if not agents:
        console.print("No agents yet: add one with `goodwill agents add NAME EMAIL`.")
    for a in agents:
        where = "at work" if a.available_on(today) else f"away until {a.away_until}"
        console.print(f"{a.team}\t{a.name}\t{a.email}\t{a.phone or '-'}\t{where}")


@agents_app.command("away")
@reports_errors
def away_command(
    email: Annotated[str, typer.Argument(help="The agent's email.")],
    until: Annotated[
        str | None, typer.Option(help="Away up to and including this day, YYYY-MM-DD.")
    ] = None,
    back: Annotated[bool, typer.Option("--back", help="They are back at work.")] = False,
    data: DataOption = None,
) -> None:
    """Mark an agent away until a day (their cases move after a long absence), or back."""
    if back == (until is not None):
        raise ConfigError("give either --until YYYY-MM-DD or --back")
    day = _day(until) if until else None
    with _session(data) as session:
        agent = set_away(session, email, day)
    console.print(
        f"{agent.name} is back at work." if day is None else f"{agent.name} is away until {day}."
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"--until {text!r} is not a day; use YYYY-MM-DD") from exc
