"""``goodwill run``: the nightly care run."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table as RichTable

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.cli.engine_options import EngineOption, SparkMasterOption
from goodwill.cli.ledger import parse_day
from goodwill.domain.formatting import format_money
from goodwill.services.care_run import CareRunReport, run_care

OUTCOMES = ("acted", "withheld", "suppressed", "deferred", "merged")


def render_run(report: CareRunReport) -> None:
    """What the run found per kind and what it decided, in words."""
    table = RichTable(
        title=f"Care run for {report.asof}", title_justify="left", show_edge=False, pad_edge=False
    )
    # A moment's name is never cut (it is what people grep for), nor a heading: with one
    # space between columns every heading fits in 80 columns; the counts give way.
    longest = max((len(kind) for kind in report.found), default=6)
    table.add_column("moment", no_wrap=True, min_width=longest)
    table.add_column("found", justify="right", overflow="fold")
    for outcome in OUTCOMES:
        table.add_column(outcome, justify="right", overflow="fold", min_width=len(outcome))
    for kind, found in sorted(report.found.items()):
        table.add_row(kind, f"{found:,}", *(f"{report.outcomes[kind, o]:,}" for o in OUTCOMES))
    console.print(table)
    if report.dry_run:
        console.print("[dim]Dry run: nothing was written or sent.[/]")
        return
    acted = report.acted
    assert acted is not None
    if acted.already_recorded:
        console.print(
            f"{acted.already_recorded:,} moments were recorded by an earlier run and left as they were."
        )
    console.print(f"{acted.messages_queued:,} messages queued in the outbox.")
    if acted.credits_minor:
        console.print(f"{format_money(acted.credits_minor, 'GBP')} given in credits.")
    if report.credits is not None and report.credits.credits:
        console.print(
            f"{report.credits.credits:,} credits exported for billing ({', '.join(report.credits.written)})."
        )
    for warning in sorted(set(acted.tone_warnings))[:5]:
        console.print(f"[yellow]tone:[/] {warning}")
    if report.delivery is not None:
        d = report.delivery
        console.print(f"Delivered {d.sent:,}; {d.retrying:,} to retry; {d.failed:,} failed.")


def _as_json(report: CareRunReport) -> str:
    acted = report.acted
    return json.dumps(
        {
            "asof": report.asof.isoformat(),
            "run_id": report.run_id,
            "dry_run": report.dry_run,
            "found": dict(report.found),
            "outcomes": {f"{k}:{o}": n for (k, o), n in sorted(report.outcomes.items())},
            "already_recorded": acted.already_recorded if acted else 0,
            "messages_queued": acted.messages_queued if acted else 0,
            "credits_minor": acted.credits_minor if acted else 0,
            "delivered": report.delivery.sent if report.delivery else 0,
        },
        indent=2,
    )


@app.command("run")
@reports_errors
def run_command(
    data: DataOption = None,
    asof: Annotated[
        str | None, typer.Option(help="The day to run for, YYYY-MM-DD. Default: today.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Decide, but write and send nothing.")
    ] = False,
    no_deliver: Annotated[
        bool,
        typer.Option("--no-deliver", help="Queue messages; leave sending to `goodwill deliver`."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
    detector: Annotated[
        list[str] | None, typer.Option(help="Run only this detector (repeatable).")
    ] = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
) -> None:
    """Find the moments to give, decide who gets what under policy and budget, and act."""
    settings = make_settings(data, engine=engine, spark_master=spark_master)
    day = parse_day(asof) or date.today()
    with console.status("Detecting moments, deciding, acting…"):
        report = run_care(
            settings, day, dry_run=dry_run, deliver_now=not no_deliver, detectors=detector
        )
    if as_json:
        typer.echo(_as_json(report))
    else:
        render_run(report)
