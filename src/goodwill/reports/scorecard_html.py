"""The scorecard as one self-contained HTML file: Plotly's JS inlined from the installed package."""

from __future__ import annotations

import html
import json
from typing import Any

from goodwill.analytics.scorecard.figures import Perspective, Scorecard
from goodwill.analytics.scorecard.readings import interval, label, show
from goodwill.analytics.themes.figures import scorecard_themes_figure
from goodwill.domain.moment_words import GIFT_WORDS

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
            f"<tr><td>{html.escape(label(f))}</td><td class='{cls}'>{html.escape(value)}</td>"
            f"<td class='num'>{html.escape(interval(f, currency))}</td><td class='num'>{f.estimate.n:,}</td></tr>"
        )
    head = "<tr><th>figure</th><th>value</th><th>95% CI</th><th>n</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


#: A curve stops where fewer than this many customers are still followed: past that, one
#: customer leaving moves it by several points and reads like mass churn.
MIN_AT_RISK = 10
#: Cohorts drawn besides everyone: this many, spread over the window, so lines stay apart.
COHORTS_SHOWN = 4
COLOURS = ("#1f6f50", "#c05a1f", "#3b5ba9", "#8a4f9e", "#a33a2b")


def shown_curves(p: Perspective) -> list[dict[str, Any]]:
    """Everyone's curve and a few cohorts, each cut where too few are still followed."""
    curves = [
        c.as_dict() | {"at_risk": [c.km.n, *(pt.at_risk for pt in c.km.points)]} for c in p.curves
    ]
    overall, cohorts = curves[:1], [c for c in curves[1:] if c["n"] >= MIN_AT_RISK]
    step = max(1, -(-len(cohorts) // COHORTS_SHOWN))
    picked = cohorts[::-1][::step][:COHORTS_SHOWN][::-1]  # the newest always, then spread back
    return [_cut(c) for c in overall + picked]


def _cut(curve: dict[str, Any]) -> dict[str, Any]:
    least = min(MIN_AT_RISK, max(1, curve["n"] // 2))  # a tiny ledger still gets a curve
    keep = [i for i, n in enumerate(curve["at_risk"]) if n >= least] or [0]
    last = keep[-1] + 1
    return {k: (v[:last] if isinstance(v, list) else v) for k, v in curve.items()}


def retention_figure(p: Perspective, title: str) -> dict[str, Any]:
    """The Plotly figure of :func:`shown_curves` (the report and the desk draw the same)."""
    traces = [
        {
            "x": c["months"],
            "y": c["survival"],
            "name": f"{c['label']} (n={c['n']:,})",
            "mode": "lines",
            "line": {
                "shape": "hv",
                "color": COLOURS[i % len(COLOURS)],
                "width": 3 if i == 0 else 1.5,
            },
        }
        for i, c in enumerate(shown_curves(p))
    ]
    layout = {
        "title": {"text": title},
        "margin": {"t": 40, "r": 10},
        "xaxis": {
            "title": {
                "text": f"months since joining (each line stops where fewer than {MIN_AT_RISK} are still followed)"
            }
        },
        "yaxis": {"title": {"text": "still a customer"}, "range": [0, 1.02], "tickformat": ".0%"},
    }
    return {"data": traces, "layout": layout}


def _retention_plot(p: Perspective) -> dict[str, Any]:
    return retention_figure(p, "Retention by joining cohort (Kaplan-Meier)")


def measured(p: Perspective) -> list[Any]:
    return [lift for lift in p.lifts if lift.result.estimate is not None]


def too_new(p: Perspective) -> str:
    """One line naming the gifts with no measurable lift yet, instead of rows of zeros."""
    kinds = sorted({lift.kind for lift in p.lifts if lift.result.estimate is None})
    kinds = [k for k in kinds if k not in {m.kind for m in measured(p)}] or kinds
    if not kinds:
        return ""
    names = ", ".join(GIFT_WORDS.get(k, k.replace("_", " ")) for k in kinds)
    return (
        f"Too new to measure yet (too few customers or outcomes in one of the two groups): {names}."
    )


def _lift_plot(p: Perspective) -> dict[str, Any]:
    shown = measured(p)
    labels = [f"{GIFT_WORDS.get(lift.kind, lift.kind)}: {lift.metric}" for lift in shown]
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
        "title": {"text": "Treatment against holdout, with 95% intervals"},
        "margin": {"l": 260},
        "height": 120 + 28 * len(shown),
        "shapes": [{"type": "line", "x0": 0, "x1": 0, "yref": "paper", "y0": 0, "y1": 1}],
    }
    return {"data": [trace], "layout": layout}


def _lift_table(p: Perspective) -> str:
    rows = []
    for lift in measured(p):
        r = lift.result
        cells = (
            f"<td class='num'>{r.estimate:+.4g}</td><td class='num'>[{r.ci_low:+.4g}, {r.ci_high:+.4g}]</td>"
            f"<td class='num'>{r.p_value:.3g}</td><td class='num'>{_pct(lift.variance_reduction)}</td>"
        )
        gift = GIFT_WORDS.get(lift.kind, lift.kind)
        rows.append(
            f"<tr><td>{html.escape(gift)}</td><td>{html.escape(lift.metric)} ({r.kind})</td>{cells}"
            f"<td class='num'>{r.n_treatment:,} / {r.n_control:,}</td></tr>"
        )
    head = "<tr><th>gift</th><th>metric</th><th>lift</th><th>95% CI</th><th>p</th><th>CUPED</th><th>n treated / held out</th></tr>"
    table = f"<table>{head}{''.join(rows)}</table>" if rows else ""
    line = too_new(p)
    return table + (f"<p class='why'>{html.escape(line)}</p>" if line else "")


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
        if measured(p):
            parts.append(_plot_div(f"plot-{p.name}-lifts", _lift_plot(p)))
        if themes := scorecard_themes_figure(p.figures):
            parts.append(_plot_div(f"plot-{p.name}-themes", themes))
        if p.lifts:
            parts.append(_lift_table(p))
        parts.append(_figure_rows(p, card.currency))
        sections.append("<section>" + "".join(parts) + "</section>")
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>goodwill scorecard {card.asof}</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
        f"<h1>goodwill scorecard, as of {card.asof.isoformat()}</h1>{''.join(sections)}</body></html>"
    )
