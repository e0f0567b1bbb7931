"""`goodwill themes --format html`: one self-contained HTML file, Plotly inlined (no CDN)."""

from __future__ import annotations

import html
import json
from typing import Any

from goodwill.analytics.themes.figures import lost_figure, trend_figure
from goodwill.analytics.themes.report import ThemeReport, ThemeRow
from goodwill.analytics.themes.text import nps_text, ratio_text, share_text

STYLE = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%;margin:1em 0}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}blockquote{margin:.3em 0 .3em 1em;color:#444}.why{color:#888}"""


def plot_div(name: str, spec: dict[str, Any]) -> str:
    """A div and the script that draws ``spec`` in it (Plotly must be loaded first)."""
    return (
        f"<div id='{name}'></div><script>Plotly.newPlot('{name}', {json.dumps(spec['data'])}, "
        f"{json.dumps(spec['layout'])}, {{displayModeBar: false}});</script>"
    )


def _table(report: ThemeReport) -> str:
    head = ("<tr><th>theme</th><th>customers</th><th>lost</th><th>left within 6 months</th>"
            "<th>risk ratio (95% CI)</th><th>NPS</th><th>CSAT</th><th>complained</th>"
            "<th>promise broken</th></tr>")  # fmt: skip
    rows = []
    for r in report.themes:
        b = r.behaviour
        rows.append(
            f"<tr><td>{html.escape(r.label)}</td><td class='num'>{b.customers:,}</td>"
            f"<td class='num'>{b.customers_lost:,}</td><td class='num'>{share_text(b.left_share)}</td>"
            f"<td class='num'>{ratio_text(b.churn_risk_ratio)}</td><td class='num'>{nps_text(b.nps)}</td>"
            f"<td class='num'>{share_text(b.csat)}</td>"
            f"<td class='num'>{share_text(b.complained)}</td><td class='num'>{share_text(b.let_down)}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _categories(report: ThemeReport) -> str:
    """The second list: ticket categories tied to behaviour by the same statistics."""
    title = "<h2>From tickets (by category)</h2>"
    if report.ticket_reason:
        return f"{title}<p class='why'>{html.escape(report.ticket_reason)}</p>"
    head = ("<tr><th>category</th><th>customers</th><th>tickets</th><th>lost</th>"
            "<th>left within 6 months</th><th>risk ratio (95% CI)</th><th>NPS</th><th>CSAT</th>"
            "<th>complained</th><th>promise broken</th></tr>")  # fmt: skip
    rows = [
        f"<tr><td>{html.escape(c.category)}</td><td class='num'>{c.behaviour.customers:,}</td>"
        f"<td class='num'>{c.behaviour.answers:,}</td><td class='num'>{c.behaviour.customers_lost:,}</td>"
        f"<td class='num'>{share_text(c.behaviour.left_share)}</td>"
        f"<td class='num'>{ratio_text(c.behaviour.churn_risk_ratio)}</td>"
        f"<td class='num'>{nps_text(c.behaviour.nps)}</td><td class='num'>{share_text(c.behaviour.csat)}</td>"
        f"<td class='num'>{share_text(c.behaviour.complained)}</td>"
        f"<td class='num'>{share_text(c.behaviour.let_down)}</td></tr>"
        for c in report.ticket_categories
    ]
    verdicts = "".join(f"<p>{html.escape(c.verdict)}</p>" for c in report.ticket_categories)
    scores = f"<p class='why'>{html.escape(report.ticket_scores_are)}.</p>"
    return f"{title}{scores}<table>{head}{''.join(rows)}</table>{verdicts}"


def _theme_section(r: ThemeRow) -> str:
    quotes = "".join(
        f"<blockquote>“{html.escape(v.text)}” — {html.escape(v.customer_id)}, {v.at[:10]}</blockquote>"
        for v in r.verbatims
    )
    terms = ", ".join(html.escape(t) for t, _ in r.top_terms)
    return f"<h3>{html.escape(r.label)}</h3><p>{html.escape(r.verdict)}</p><p class='why'>top words: {terms}</p>{quotes}"


def themes_html(report: ThemeReport) -> str:
    """The report as one HTML string (a few MB: Plotly's JS is inside it)."""
    from plotly.offline import get_plotlyjs

    title = f"Where customers fail, as of {report.asof.isoformat()}"
    if report.reason:
        body = f"<p class='why'>{html.escape(report.reason)}</p>"
    else:
        body = (plot_div("themes-lost", lost_figure(report)) + plot_div("themes-trend", trend_figure(report))
                + _table(report) + "".join(_theme_section(r) for r in report.themes))  # fmt: skip
    notes = "".join(f"<p class='why'>{html.escape(n)}</p>" for n in report.notes)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body><h1>{title}</h1>"
        f"<p>{report.answers:,} answers with words over {report.months} months. {html.escape(report.k_rule)}.</p>"
        f"{notes}{body}{_categories(report)}</body></html>"
    )
