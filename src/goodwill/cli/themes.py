"""``goodwill themes``: what customers wrote about, and what those customers did next."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.cli.scorecard import _day
from goodwill.errors import ConfigError

if TYPE_CHECKING:  # the analytics pull in ibis and scikit-learn; the CLI starts faster without
    from goodwill.analytics.themes import ThemeReport

FORMATS = ("table", "json", "html")
STEPS = ("reading answers", "finding themes", "tying ticket categories to behaviour",
         "tying themes to behaviour")  # fmt: skip


@app.command("themes")
@reports_errors
def themes(
    asof: Annotated[
        str | None, typer.Option(help="As of this day, YYYY-MM-DD. Default: today (UTC).")
    ] = None,
    months: Annotated[
        int, typer.Option(min=1, max=120, help="Complete months of answers before asof's month.")
    ] = 12,
    output_format: Annotated[str, typer.Option("--format", help="table, json or html.")] = "table",
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of the terminal.")
    ] = None,
    pins: Annotated[
        Path | None, typer.Option(help="A TOML file of pinned themes (default: themes_pins_file).")
    ] = None,
    data: DataOption = None,
) -> None:
    """Themes of the customers' own words, ranked by the customers lost after writing them."""
    from goodwill.analytics.engine import open_ledger_for
    from goodwill.analytics.themes.cache import cached_report
    from goodwill.analytics.themes.pins import read_pins_file

    if output_format not in FORMATS:
        raise ConfigError(f"--format {output_format!r}: choose one of {', '.join(FORMATS)}")
    settings = make_settings(data, themes_pins_file=pins)
    read_pins_file(settings.themes_pins_file)  # a bad file is told before the ledger is read
    ledger = open_ledger_for(settings)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    quiet = output_format != "table" and out is None
    with Progress(*columns, console=console, transient=True, disable=quiet) as bar:
        task = bar.add_task(STEPS[0], total=len(STEPS))
        done = iter(range(len(STEPS) + 1))

        def step(name: str) -> None:
            bar.update(task, description=name, completed=next(done))

        # The report kept for this snapshot when there is one (the desk's, or an earlier run's)
        report = cached_report(ledger, _day(asof), months, settings.themes_pins_file, step)
        bar.update(task, completed=len(STEPS))
    if output_format == "table" and out is None:
        from goodwill.cli.themes_table import render_themes

        render_themes(report)
        return
    text = _text(report, output_format)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out} ({len(text):,} bytes)")


def _text(report: ThemeReport, output_format: str) -> str:
    from goodwill.reports.themes_html import themes_html

    if output_format == "html":
        return themes_html(report)
    if output_format == "json":
        return json.dumps(report.as_dict(), indent=2, default=str)
    return _plain(report)


def _plain(report: ThemeReport) -> str:
    from goodwill.analytics.themes.text import nps_text, ratio_text, share_text

    lines = [f"Where customers fail, as of {report.asof.isoformat()}"]
    lines += [report.reason] if report.reason else []
    for r in report.themes:
        b = r.behaviour
        lines.append(f"{r.label}: {b.customers:,} customers, {b.customers_lost:,} lost, "
                     f"risk ratio {ratio_text(b.churn_risk_ratio)}, NPS {nps_text(b.nps)}, "
                     f"CSAT {share_text(b.csat)}")  # fmt: skip
    lines.append("From tickets (by category)")
    lines += [report.ticket_reason] if report.ticket_reason else [f"{report.ticket_scores_are}."]
    for c in report.ticket_categories:
        b = c.behaviour
        lines.append(f"{c.category}: {b.customers:,} customers, {b.customers_lost:,} lost, "
                     f"risk ratio {ratio_text(b.churn_risk_ratio)}, NPS {nps_text(b.nps)}, "
                     f"CSAT {share_text(b.csat)}")  # fmt: skip
    return "\n".join(lines) + "\n"
