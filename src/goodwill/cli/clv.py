"""``goodwill clv fit``: fit a lifetime-value model (sBG, BG/NBD, Gamma-Gamma) to a CSV file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from goodwill.cli.app import app, console, reports_errors

clv_app = typer.Typer(
    name="clv",
    help="Customer lifetime value: fit the published models by maximum likelihood.",
    no_args_is_help=True,
)
app.add_typer(clv_app, name="clv")


@clv_app.command("fit")
@reports_errors
def fit(
    model: Annotated[
        str,
        typer.Option(
            help="sbg (columns: alive), bgnbd (frequency, recency, T) "
            "or gammagamma (frequency, monetary_value)."
        ),
    ],
    input_path: Annotated[Path, typer.Option("--input", help="The CSV file to fit to.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Fit a model to a CSV file and print its parameters with 95% intervals."""
    from goodwill.analytics.clv.inputs import fit_model, fit_report

    report = fit_report(model, fit_model(model, input_path))
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    _render(report)


def _render(report: dict[str, Any]) -> None:
    console.print(
        f"[bold]{report['model']}[/] fitted to n={report['n']:,}, "
        f"log-likelihood {report['log_likelihood']:.4f}"
    )
    table = Table("param", "estimate", "std. error", "95% CI")
    for row in report["params"]:
        table.add_row(
            row["param"],
            f"{row['coef']:.4f}",
            f"{row['se(coef)']:.4f}",
            f"[{row['lower 0.95']:.4f}, {row['upper 0.95']:.4f}]",
        )
    console.print(table)
    projection = report.get("projection")
    if projection:
        observed = projection["observed_periods"]
        alive = ", ".join(
            f"{t}: {v:.1f}" for t, v in enumerate(projection["alive"]) if t > observed
        )
        console.print(f"projected % alive, periods {observed + 1}+  {alive}")
