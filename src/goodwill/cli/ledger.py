"""Commands that fill the ledger: ``ingest`` and ``sample``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.ledger.ingest import IngestReport, ingest


def render_ingest(report: IngestReport) -> None:
    """Print what ingest did, one line per table, then the first problem of each table."""
    table = RichTable(title="Ingest", title_justify="left", show_edge=False)
    for name, justify in (
        ("table", "left"),
        ("file", "left"),
        ("read", "right"),
        ("accepted", "right"),
        ("quarantined", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for t in report.tables:
        bad = f"[yellow]{t.quarantined:,}[/]" if t.quarantined else "0"
        table.add_row(
            t.table, t.file or "[dim](none)[/]", f"{t.rows_read:,}", f"{t.accepted:,}", bad
        )
    console.print(table)
    for t in report.tables:
        if t.first_problem:
            console.print(f"  [yellow]•[/] {t.first_problem}")
        for warning in t.warnings:
            console.print(f"  [yellow]• warning:[/] {warning}")
        if t.ignored_columns:
            console.print(
                f"  [dim]•[/] {t.file}: columns not in the contract were ignored: {', '.join(t.ignored_columns)}"
            )
    if report.quarantined:
        console.print(
            f"[yellow]{report.quarantined:,} bad rows[/] are in {report.quarantine_dir}/ with their reasons."
        )
    console.print(f"Ledger: {report.ledger_dir}")


@app.command("ingest")
@reports_errors
def ingest_command(
    source_dir: Annotated[
        Path, typer.Argument(help="Folder with <table>.csv or <table>.parquet files.")
    ],
    data: DataOption = None,
    max_bad_fraction: Annotated[
        float | None,
        typer.Option(
            help="Stop if more than this fraction of any table's rows are bad. Default 0.01."
        ),
    ] = None,
    allow_empty: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-empty",
            metavar="TABLE",
            help="Let a header-only (or absent) source empty this ledger table; "
            "without it ingest refuses. Repeat for several tables.",
        ),
    ] = None,
) -> None:
    """Validate source tables into the ledger; bad rows go to quarantine, never silently away."""
    settings = make_settings(data, max_bad_fraction=max_bad_fraction)
    with console.status("Ingesting…"):
        report = ingest(source_dir, settings, allow_empty=allow_empty or ())
    render_ingest(report)


def parse_day(text: str | None) -> date | None:
    """An ISO date from the command line, with a message that names the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date written YYYY-MM-DD") from exc


@app.command("contract")
def contract_command() -> None:
    """Print the ledger data contract (every table and column) as Markdown."""
    from goodwill.ledger.contract_doc import render_markdown

    typer.echo(render_markdown(), nl=False)


@app.command("sample")
@reports_errors
def sample_command(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder to write the CSV files and truth.json into.")
    ],
    customers: Annotated[int, typer.Option(help="How many customers.")] = 20_000,
    months: Annotated[int, typer.Option(help="Months of usage history.")] = 12,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives byte-identical files.")
    ] = 0,
    asof: Annotated[
        str | None, typer.Option(help="The day the history ends, YYYY-MM-DD. Default: today.")
    ] = None,
    campaign: Annotated[
        bool,
        typer.Option(
            "--campaign",
            help="Also simulate a past plan-advice campaign 7 months before asof (a holdout, "
            "a known effect): writes campaign.csv and the campaign_* truths in truth.json.",
        ),
    ] = False,
) -> None:
    """Write a realistic synthetic UK SIM-only operator in the ingest format."""
    from goodwill.sample import CampaignParams, write_sample

    with console.status(f"Making {customers:,} customers and {months} months of history…"):
        summary = write_sample(
            out_dir,
            customers=customers,
            months=months,
            seed=seed,
            asof=parse_day(asof),
            campaign=CampaignParams() if campaign else None,
        )
    table = RichTable(title=f"Sample operator in {out_dir}", title_justify="left", show_edge=False)
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows.items():
        table.add_row(f"{name}.csv", f"{rows:,}")
    console.print(table)
    console.print(
        f"{summary.overpaying_share:.1%} of active subscriptions would save on another plan "
        f"(the generator's truth, in {out_dir}/truth.json)."
    )
