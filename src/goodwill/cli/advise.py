"""``goodwill advise``: which customers would pay less on another plan, and how much."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.cli.engine_options import EngineOption, SparkMasterOption
from goodwill.domain.formatting import format_day, format_money
from goodwill.domain.plan_words import kind_name, quantity_words


def _parse_day(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date written YYYY-MM-DD") from exc


@app.command("advise")
@reports_errors
def advise(
    asof: Annotated[
        str | None, typer.Option(help="Advise as of this day, YYYY-MM-DD. Default: today (UTC).")
    ] = None,
    lookback: Annotated[
        int | None, typer.Option(help="Complete months of use to look back over. Default 6.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write every advice row to this .csv or .parquet file.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON instead of tables.")
    ] = False,
    data: DataOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
) -> None:
    """Re-rate every active subscription under every plan on sale and advise cheaper plans."""
    from goodwill.analytics.advice_report import check_out_path, run_advice
    from goodwill.analytics.engine import open_ledger_for

    day = _parse_day(asof)
    settings = make_settings(
        data, lookback_months=lookback, engine=engine, spark_master=spark_master
    )
    check_out_path(out)
    ledger = open_ledger_for(settings)
    columns = (TextColumn("Rating"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=as_json) as bar:
        task = bar.add_task("rating", total=100)
        report = run_advice(ledger, day, settings, out, lambda p: bar.update(task, completed=p))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
        return
    _render(report)


def _render(report: Any) -> None:
    console.print(
        f"[bold]Plan advice[/] as of {format_day(report.asof)}, "
        f"over the last {report.lookback_months} complete months"
    )
    console.print(f"  subscriptions rated  {report.subscriptions_rated:>12,}")
    in_contract = (
        f"  ({report.advised_in_contract:,} in contract: for when it ends)"
        if report.advised_in_contract
        else ""
    )
    console.print(f"  advised              {report.advised:>12,}{in_contract}")
    for t in report.totals:
        console.print(
            f"  handed back          {format_money(t.monthly_saving_minor, t.currency):>12} a month, "
            f"{format_money(t.annual_saving_minor, t.currency)} a year"
        )
    if report.largest:
        console.print(f"[bold]The {len(report.largest)} largest savings[/]")
    for row in report.largest:
        _render_row(row)
    if report.out:
        console.print(f"Advice rows: {report.out}")
    console.print(f"[dim]Took {report.seconds:.1f} s.[/]")


def _render_row(row: dict[str, Any]) -> None:
    money = row["currency"]
    console.print(
        f"  {row['subscription_id']}  {row['current_plan_name']} → {row['recommended_plan_name']}: "
        f"saves {format_money(row['monthly_saving_minor'], money)} a month, "
        f"{format_money(row['annual_saving_minor'], money)} a year"
    )
    console.print(f"    [dim]{_evidence(row)}[/]")


def _average_use(row: dict[str, Any]) -> str:
    """'data 3.1 GB, calls 941 minutes, texts 6': each kind used, in words, not codes."""
    used = {k[4:]: v for k, v in row.items() if k.startswith("avg_") and v}
    return ", ".join(f"{kind_name(kind).lower()} {_amount(kind, v)}" for kind, v in used.items())


def _amount(kind: str, quantity: float) -> str:
    return f"{round(quantity):,}" if kind.startswith("sms") else quantity_words(kind, quantity)


def _evidence(row: dict[str, Any]) -> str:
    money = row["currency"]
    said = (
        f"{format_money(row['current_monthly_cost_minor'], money)} → "
        f"{format_money(row['recommended_monthly_cost_minor'], money)} a month on average; "
        f"fits {row['months_fitting']} of {row['months_considered']} months, "
        f"cheaper in {row['months_cheaper']}; average use: {_average_use(row) or 'none'}"
    )
    if row["in_contract"]:
        said += f"; from {format_day(row['contract_end'])}, when the contract ends"
    return said
