"""Plotly figure specs (plain dicts) for the themes: the monthly trend and customers lost.

The same specs feed the desk page, `goodwill themes --format html` and the scorecard's
HTML report, so every surface draws the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from goodwill.analytics.scorecard.figures import Figure
from goodwill.analytics.themes.report import ThemeReport


def trend_figure(report: ThemeReport, top: int = 6) -> dict[str, Any]:
    """Customers who wrote about each of the ``top`` themes (by customers lost), per month."""
    traces = [
        {
            "x": [p for p, _ in row.behaviour.trend],
            "y": [n for _, n in row.behaviour.trend],
            "name": row.label,
            "mode": "lines+markers",
            "type": "scatter",
        }
        for row in report.themes[:top]
    ]
    layout = {
        "title": {"text": "Customers who wrote about it, by month"},
        "xaxis": {"title": {"text": "month"}, "type": "category"},
        "yaxis": {"title": {"text": "customers"}, "rangemode": "tozero"},
        "legend": {"orientation": "h"},
        "margin": {"t": 40},
    }
    return {"data": traces, "layout": layout}


def lost_figure(report: ThemeReport, top: int = 6) -> dict[str, Any]:
    """Customers lost within six months of writing about each of the ``top`` themes."""
    rows = list(report.themes[:top])[::-1]
    trace = {
        "x": [r.behaviour.customers_lost for r in rows],
        "y": [r.label for r in rows],
        "type": "bar",
        "orientation": "h",
        "text": [f"{r.behaviour.customers_lost:,} of {r.behaviour.customers:,}" for r in rows],
        "hoverinfo": "text+y",
    }
    layout = {
        "title": {"text": "Customers lost within six months of writing it"},
        "xaxis": {"title": {"text": "customers who left"}, "rangemode": "tozero"},
        "margin": {"l": 220, "t": 40},
    }
    return {"data": [trace], "layout": layout}


def scorecard_themes_figure(figures: Sequence[Figure]) -> dict[str, Any] | None:
    """The scorecard's chart of its top themes (figures ``theme_lost_*``), with intervals."""
    shown = [f for f in figures if f.key.startswith("theme_lost_") and f.estimate.value is not None]
    if not shown:
        return None
    shown = shown[::-1]
    value = [f.estimate.value or 0.0 for f in shown]
    trace = {
        "x": value,
        "y": [
            f.label.split(" (")[0].removeprefix("Left within six months of writing about ")
            for f in shown
        ],
        "type": "bar",
        "orientation": "h",
        "error_x": {
            "type": "data",
            "array": [(f.estimate.ci_high or v) - v for f, v in zip(shown, value, strict=True)],
            "arrayminus": [v - (f.estimate.ci_low or v) for f, v in zip(shown, value, strict=True)],
        },
    }
    layout = {
        "title": "Top themes by customers lost: share who left within six months of writing",
        "xaxis": {"title": "left within six months", "tickformat": ".0%", "rangemode": "tozero"},
        "margin": {"l": 260},
    }
    return {"data": [trace], "layout": layout}
