"""``goodwill deliver``: send what the outbox holds through a channel."""

from __future__ import annotations

from typing import Annotated

import typer

from goodwill.channels.configure import channel_for, deliver_all
from goodwill.channels.outbox import DeliveryReport
from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.store.engine import make_engine, reporting_store_errors, store_url_for
from goodwill.store.migrate import require_current


def render_delivery(report: DeliveryReport) -> None:
    """One line of what was sent, then the first errors."""
    console.print(
        f"Delivered [bold]{report.sent:,}[/] through {report.channel}; "
        f"{report.retrying:,} to retry later, {report.failed:,} failed"
        + (f", {report.abandoned:,} abandoned." if report.abandoned else ".")
    )
    for error in report.errors:
        console.print(f"  [yellow]•[/] {error}")


@app.command("deliver")
@reports_errors
def deliver_command(
    data: DataOption = None,
    channel: Annotated[
        str | None,
        typer.Option(
            help="folder, smtp, webhook or another installed channel. "
            "Default: $GOODWILL_CHANNEL or folder.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Send every due message in the outbox; failures are retried later with a backoff."""
    settings = make_settings(data)
    sender = channel_for(settings, channel)  # a wrong channel is said before the store is opened
    engine = make_engine(store_url_for(settings))
    try:
        with reporting_store_errors(engine):
            require_current(engine)
            reports = deliver_all(engine, settings, sender)
    finally:
        engine.dispose()
    for report in reports:
        render_delivery(report)
    if not settings.billing_webhook_url:
        console.print(
            "[dim]Billing messages (plan changes, SIM blocks) stay queued until "
            "GOODWILL_BILLING_WEBHOOK_URL is set.[/]"
        )
