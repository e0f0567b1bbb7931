"""``goodwill demo``: the single place a newcomer starts.

It makes a sample operator, ingests it and shows what the ledger holds; later steps (plan
advice, the care run, the scorecard) add their part to the same story.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel

from goodwill.analytics.ledger_summary import LedgerSummary, summarize_ledger
from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.cli.demo_story import (
    render_given,
    seed_roster,
    show_budget_left,
    show_one_message,
    write_scorecard,
)
from goodwill.cli.ledger import parse_day, render_ingest
from goodwill.cli.run import render_run
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import open_ledger
from goodwill.services.care_run import run_care
from goodwill.settings import Settings


def render_summary(summary: LedgerSummary) -> None:
    months = f"{summary.first_period} to {summary.last_period}" if summary.first_period else "none"
    console.print(
        Panel.fit(
            f"[bold]{summary.customers:,}[/] customers ({summary.active_customers:,} still with us)\n"
            f"[bold]{summary.active_subscriptions:,}[/] active subscriptions of {summary.subscriptions:,}; "
            f"{summary.payer_not_user:,} used by someone other than the payer\n"
            f"[bold]{summary.plans}[/] plans, {summary.plans_on_sale} on sale\n"
            f"[bold]{summary.usage_months}[/] months of usage ({months}), {summary.usage_rows:,} rows\n"
            f"[bold]{summary.quarantined:,}[/] rows quarantined",
            title="The ledger",
        )
    )


@app.command("demo")
@reports_errors
def demo_command(
    data: DataOption = None,
    customers: Annotated[
        int, typer.Option(min=10, help="Customers in the sample operator.")
    ] = 20_000,
    months: Annotated[int, typer.Option(min=3, max=60, help="Months of history.")] = 12,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same operator.")
    ] = 7,
    asof: Annotated[
        str | None, typer.Option(help="The day to run for, YYYY-MM-DD. Default: today.")
    ] = None,
) -> None:
    """Make a sample operator, ingest it, run the care run, and show what goodwill gave."""
    settings = make_settings(data)
    if "public_url" not in settings.model_fields_set:  # its messages link into the web app
        settings = make_settings(data, public_url=settings.public_url)
    day = parse_day(asof) or date.today()
    source = settings.data_dir / "sample"
    from goodwill.sample import write_sample

    started = time.perf_counter()
    with console.status(f"Making a sample operator of {customers:,} customers…"):
        write_sample(source, customers=customers, months=months, seed=seed, asof=day)
    console.print(
        f"1. A sample UK SIM-only operator is in {source}/ (as CSV, the way you would export yours)."
    )
    with console.status("Ingesting it…"):
        report = ingest(source, settings)
    console.print("2. Ingested into the ledger; every row checked against the data contract:")
    render_ingest(report)
    render_summary(summarize_ledger(open_ledger(settings.ledger_dir)))
    console.print(
        "3. The care run: find the moments to give, decide under consent, contact limits "
        "and budgets, and act:"
    )
    seed_roster(settings)
    with console.status("Running the care run…"):
        care = run_care(settings, day)
    render_run(care)
    render_given(care)
    show_one_message(settings, "better_plan", "The largest saving, as the customer reads it")
    show_one_message(
        settings, "broken_promise", "A broken promise: the apology, the credit, and who owns it"
    )
    show_budget_left(settings, day)
    console.print("4. The Balanced Scorecard, measured from behaviour:")
    with console.status("Building the scorecard…"):
        report_path = write_scorecard(settings, day)
    console.print(
        f"The full scorecard, with retention curves and experiment lifts: [bold]{report_path}[/]"
    )
    outbox = settings.outbox_dir or settings.data_dir / "outbox"
    console.print(f"Every message is in {outbox}/ as an .eml file (the folder channel).")
    _web_access(settings)
    console.print(f"[dim]Done in {time.perf_counter() - started:.1f} s.[/]")
    _next_steps(settings.data_dir)


def _web_access(settings: Settings) -> None:
    """How to open the care desk and one customer's own pages."""
    from goodwill.cli.staff import demo_access

    access = demo_access(settings)
    data = f" --data {settings.data_dir}" if settings.data_dir != Path("goodwill-data") else ""
    lines = [
        f"Start the web app with [bold]goodwill serve{data}[/] (or `.venv/bin/goodwill serve{data}`), then:",
        f"  • the care desk: {settings.public_url}/desk — sign in as [bold]{access.lead_email}[/] "
        f"(a lead) or [bold]{access.agent_email}[/] (an agent) with password "
        f"[bold]{access.password}[/] (the whole care team's: every agent on "
        "`goodwill agents list` signs in with it; shown once, new at each demo)",
    ]
    if access.customer_link:
        lines.append(
            f"  • a customer's own pages: {access.customer_link} — their one-time sign-in link "
            f"(works once, for {settings.login_link_minutes} minutes)"
        )
    console.print(
        Panel("\n".join(lines), title="5. The care desk and self-service", title_align="left")
    )


def _next_steps(data_dir: Path) -> None:
    console.print(
        "\nNext: point goodwill at your own exports with "
        f"[bold]goodwill ingest DIR --data {data_dir}[/] (the columns are in docs/ledger.md), "
        f"then [bold]goodwill advise --data {data_dir}[/] and [bold]goodwill run --data {data_dir}[/]."
    )
