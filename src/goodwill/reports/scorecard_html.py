"""The scorecard as one self-contained HTML file: Plotly's JS inlined from the installed package."""

from __future__ import annotations

import html
import json
from typing import Any

from goodwill.analytics.scorecard.figures import Perspective, Scorecard
from goodwill.analytics.scorecard.readings import interval, show
from goodwill.analytics.themes.figures import scorecard_themes_figure

TITLES = {
    "customer": "Customer",
    "financial": "Financial",
    "process": "Internal process",
    "learning": "Learning: does giving pay?",
}

STYLE = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
table{border-collapse:collapse;width:100%;margin:1em 0}td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.why{color:#888}p.reading{background:#f6f6f2;padding:1em}"""


def _figure_rows(p: Perspective, currency: str) -> str:
    rows = []
    for f in p.figures:
        value = show(f, currency)
        cls = "why" if f.estimate.value is None else "num"
        rows.append(
            f"<tr><td>{html.escape(f.label)}</td><td class='{cls}'>{html.escape(value)}</td>"
            f"<td class='num'>{html.escape(interval(f, currency))}</td><td class='num'>{f.estimate.n:,}</td></tr>"
        )
    head = "<tr><th>figure</th><th>value</th><th>95% CI</th><th>n</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _retention_plot(p: Perspective) -> dict[str, Any]:
    traces = []
    for curve in p.curves:
        d = curve.as_dict()
        traces.append(
            {
                "x": d["months"],
                "y": d["survival"],
                "name": f"{d['label']} (n={d['n']})",
                "mode": "lines",
                "line": {"shape": "hv"},
            }
        )
    layout = {
        "title": "Retention by joining cohort (Kaplan-Meier)",
        "xaxis": {"title": "months since joining"},
        "yaxis": {"title": "still a customer", "range": [0, 1.02]},
    }
    return {"data": traces, "layout": layout}


def _lift_plot(p: Perspective) -> dict[str, Any]:
    shown = [lift for lift in p.lifts if lift.result.estimate is not None]
    labels = [f"{lift.kind}: {lift.metric}" for lift in shown]
    est = [lift.result.estimate for lift in shown]
    plus = [(lift.result.ci_high or 0) - (lift.result.estimate or 0) for lift in shown]
    minus = [(lift.result.estimate or 0) - (lift.result.ci_low or 0) for lift in shown]
    trace = {
        "x": est,
        "y": labels,
        "type": "scatter",
        "mode": "markers",
        "orientation": "h",
        "error_x": {"type": "data", "array": plus, "arrayminus": minus},
    }
    layout = {
        "title": "Treatment against holdout, with 95% intervals",
        "margin": {"l": 260},
        "shapes": [{"type": "line", "x0": 0, "x1": 0, "yref": "paper", "y0": 0, "y1": 1}],
    }
    return {"data": [trace], "layout": layout}


def _lift_table(p: Perspective) -> str:
    rows = []
    for lift in p.lifts:
        r = lift.result
        if r.estimate is None:
            cells = f"<td class='why' colspan='4'>{html.escape(r.reason or '')}</td>"
        else:
            cells = (
                f"<td class='num'>{r.estimate:+.4g}</td><td class='num'>[{r.ci_low:+.4g}, {r.ci_high:+.4g}]</td>"
                f"<td class='num'>{r.p_value:.3g}</td><td class='num'>{_pct(lift.variance_reduction)}</td>"
            )
        rows.append(
            f"<tr><td>{html.escape(lift.kind)}</td><td>{html.escape(lift.metric)} ({r.kind})</td>{cells}"
            f"<td class='num'>{r.n_treatment:,} / {r.n_control:,}</td></tr>"
        )
    head = "<tr><th>gift</th><th>metric</th><th>lift</th><th>95% CI</th><th>p</th><th>CUPED</th><th>n treated / held out</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>" if rows else ""


def _pct(value: float | None) -> str:
    return "" if value is None else f"-{value:.0%} var"


def _plot_div(name: str, spec: dict[str, Any]) -> str:
    return (
        f"<div id='{name}'></div><script>Plotly.newPlot('{name}', {json.dumps(spec['data'])}, "
        f"{json.dumps(spec['layout'])}, {{displayModeBar: false}});</script>"
    )


def scorecard_html(card: Scorecard) -> str:
    """The whole report as one HTML string (a few MB: Plotly's JS is inside it)."""
    from plotly.offline import get_plotlyjs

    sections = []
    for p in card.perspectives:
        parts = [
            f"<h2>{TITLES.get(p.name, p.name)}</h2>",
            f"<p class='reading'>{html.escape(p.reading)}</p>",
        ]
        if p.curves:
            parts.append(_plot_div(f"plot-{p.name}-curves", _retention_plot(p)))
        if themes := scorecard_themes_figure(p.figures):
            parts.append(_plot_div(f"plot-{p.name}-themes", themes))
        if p.lifts:
            parts.append(_plot_div(f"plot-{p.name}-lifts", _lift_plot(p)) + _lift_table(p))
        parts.append(_figure_rows(p, card.currency))
        sections.append("<section>" + "".join(parts) + "</section>")
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>goodwill scorecard {card.asof}</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
        f"<h1>goodwill scorecard, as of {card.asof.isoformat()}</h1>{''.join(sections)}</body></html>"
    )
