"""The parts of the demo that tell what the care run gave, in words and one real message."""

from __future__ import annotations

from rich.panel import Panel
from sqlalchemy import select

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


def show_one_message(settings: Settings, kind: str = "better_plan") -> None:
    """Print one message of ``kind`` in full, as the customer reads it."""
    engine = make_engine(store_url_for(settings))
    with session_factory(engine)() as session:
        query = (
            select(Message)
            .join(Action, Message.action_id == Action.id)
            .join(Moment, Action.moment_id == Moment.id)
            .where(Moment.kind == kind)
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
            title="The largest saving, as the customer reads it",
            title_align="left",
        )
    )
