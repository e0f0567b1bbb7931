"""``goodwill themes`` in the terminal: the text themes, then the ticket categories, each as
two Rich tables that keep every name and heading whole at 80 columns (each figure on one
line, its 95% interval on the next), then the verdicts in plain words."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table

from goodwill.analytics.themes.behaviour import Behaviour
from goodwill.analytics.themes.report import ThemeReport
from goodwill.analytics.themes.text import nps_text, ratio_text, share_text
from goodwill.cli.app import console


def render_themes(report: ThemeReport) -> None:
    """Print the report: its header and notes, the themes (or why none), the categories."""
    console.print(
        f"[bold]Where customers fail[/] as of {report.asof.isoformat()}: "
        f"{report.answers:,} answers with words over {report.months} months"
    )
    for note in report.notes:
        console.print(f"  note: {note}")
    if report.reason:
        console.print(f"  {report.reason}")
    else:
        rows = [(r.label, r.behaviour) for r in report.themes]
        console.print(_churn_table("Themes, by customers lost", "theme", rows))
        console.print(_scores_table("What the writers of each theme scored", "theme", rows))
        for r in report.themes:
            console.print(f"[bold]{r.label}[/]: {r.verdict}")
            if r.verbatims:
                console.print(f"  “{r.verbatims[0].text}” ({r.verbatims[0].customer_id})")
    _render_categories(report)


def _render_categories(report: ThemeReport) -> None:
    if report.ticket_reason:
        console.print(f"From tickets (by category): {report.ticket_reason}")
        return
    rows = [(c.category, c.behaviour) for c in report.ticket_categories]
    console.print(_churn_table("From tickets (by category)", "category", rows, tickets=True))
    scores = _scores_table("What the customers of each category scored", "category", rows)
    scores.caption, scores.caption_justify = f"{report.ticket_scores_are}.", "left"
    console.print(scores)
    for c in report.ticket_categories:
        console.print(f"[bold]{c.category}[/]: {c.verdict}")


def _stacked(text: str) -> str:
    """``12% (9%-15%)`` as the figure over its interval."""
    return text.replace(" (", "\n(", 1)


INTERVALS = " [dim](95% interval under each figure)[/]"


def _table(title: str, name: str) -> Table:
    # No vertical rules: the width goes to the figures, each column as wide as its longest line
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    table.add_column(name, no_wrap=True)
    return table


def _churn_table(
    title: str, name: str, rows: Sequence[tuple[str, Behaviour]], tickets: bool = False
) -> Table:
    """Customers, lost, and who left within six months with the risk ratio (the share of
    the others who left is in each verdict)."""
    table = _table(title, name)
    headings = ["customers", *(["tickets"] if tickets else []), "lost", "left within 6 months",
                "risk ratio"]  # fmt: skip
    cells = [[label, f"{b.customers:,}", *([f"{b.answers:,}"] if tickets else []),
              f"{b.customers_lost:,}", _stacked(share_text(b.left_share)),
              _stacked(ratio_text(b.churn_risk_ratio))] for label, b in rows]  # fmt: skip
    return _filled(table, name, headings, cells)


def _scores_table(title: str, name: str, rows: Sequence[tuple[str, Behaviour]]) -> Table:
    table = _table(title, name)
    headings = ("NPS", "CSAT", "complained", "promise broken")
    cells = [[label, _stacked(nps_text(b.nps)), _stacked(share_text(b.csat)),
              _stacked(share_text(b.complained)), _stacked(share_text(b.let_down))]
             for label, b in rows]  # fmt: skip
    return _filled(table, name, headings, cells)


def _filled(
    table: Table, name: str, headings: Sequence[str], cells: Sequence[Sequence[str]]
) -> Table:
    table.columns[0].min_width = max([len(name), *(len(row[0]) for row in cells)])
    figures = [row[1:] for row in cells]
    for i, heading in enumerate(headings):
        lines = [line for row in figures for line in row[i].split("\n")] + heading.split()
        width = max(len(line) for line in lines)
        table.add_column(heading, justify="right", min_width=width, max_width=width)
    for row in cells:
        table.add_row(*row)
    return table
