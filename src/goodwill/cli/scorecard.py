"""``goodwill scorecard``: the Balanced Scorecard as a terminal table, JSON or one HTML file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from goodwill.cli.app import DataOption, app, console, make_settings, reports_errors
from goodwill.cli.engine_options import EngineOption, SparkMasterOption
from goodwill.errors import ConfigError

if TYPE_CHECKING:  # the analytics pull in ibis; the CLI starts faster without it
    from sqlalchemy import Engine

    from goodwill.analytics.scorecard import Scorecard
    from goodwill.settings import Settings

FORMATS = ("table", "json", "html")


def _day(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"--asof {text!r} is not a date written YYYY-MM-DD") from exc


@app.command("scorecard")
@reports_errors
def scorecard(
    asof: Annotated[
        str | None, typer.Option(help="As of this day, YYYY-MM-DD. Default: today (UTC).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json or html.")] = "table",
    out: Annotated[
        Path | None, typer.Option(help="Write to this file instead of the terminal.")
    ] = None,
    no_advice: Annotated[
        bool, typer.Option("--no-advice", help="Skip re-rating (no fair-price index); faster.")
    ] = False,
    data: DataOption = None,
    engine: EngineOption = None,
    spark_master: SparkMasterOption = None,
) -> None:
    """Customer, financial, process and learning figures, each with its n and 95% CI."""
    from goodwill.analytics.engine import open_ledger_for
    from goodwill.analytics.scorecard import build_scorecard

    if output_format not in FORMATS:
        raise ConfigError(f"--format {output_format!r}: choose one of {', '.join(FORMATS)}")
    settings = make_settings(data, engine=engine, spark_master=spark_master)
    card = build_scorecard(
        open_ledger_for(settings), _day(asof), settings, _store(settings), not no_advice
    )
    if output_format == "table" and out is None:
        _render(card)
        return
    text = _text(card, output_format)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out} ({len(text):,} bytes)")


def _store(settings: Settings) -> Engine | None:
    """The store's engine, or None when it has not been created yet (ledger-only figures)."""
    from goodwill.store import make_engine, store_url_for, upgrade

    url = store_url_for(settings)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = make_engine(url)
    upgrade(engine)  # as the care run does: a store made by an older goodwill gains its tables
    return engine


def _text(card: Scorecard, output_format: str) -> str:
    from goodwill.analytics.scorecard.readings import interval, label, show
    from goodwill.reports import scorecard_html

    if output_format == "html":
        return scorecard_html(card)
    if output_format == "json":
        return json.dumps(card.as_dict(), indent=2, default=str)
    lines = [f"goodwill scorecard as of {card.asof.isoformat()}"]
    for p in card.perspectives:
        lines += ["", p.name.upper(), p.reading]
        lines += [
            f"  {label(f)}: {show(f, card.currency)} {interval(f, card.currency)} n={f.estimate.n:,}"
            for f in p.figures
        ]
    return "\n".join(lines) + "\n"


def _render(card: Scorecard) -> None:
    from goodwill.analytics.scorecard.readings import interval, label, show

    console.print(f"[bold]goodwill scorecard[/] as of {card.asof.isoformat()}")
    for p in card.perspectives:
        table = Table(
            "figure", "value", "95% CI", "n", title=p.name.capitalize(), title_justify="left"
        )
        for f in p.figures:
            table.add_row(
                label(f), show(f, card.currency), interval(f, card.currency), f"{f.estimate.n:,}"
            )
        for lift in p.lifts:
            r = lift.result
            value = "-" if r.estimate is None else f"{r.estimate:+.4g}"
            ci = r.reason or f"[{r.ci_low:+.4g}, {r.ci_high:+.4g}]"
            table.add_row(
                f"{lift.kind}: {lift.metric} ({r.kind} lift)",
                value,
                ci,
                f"{r.n_treatment:,} / {r.n_control:,}",
            )
        console.print(table)
        console.print(p.reading + "\n")
