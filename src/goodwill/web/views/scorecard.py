"""The Balanced Scorecard for the desk's dashboard, kept for a day once built."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from goodwill.analytics.scorecard.readings import interval, show
from goodwill.ledger.reader import Ledger
from goodwill.web.deps import WebState

log = logging.getLogger("goodwill.web")
TITLES = {
    "customer": "Customer",
    "financial": "Financial",
    "process": "Internal process",
    "learning": "Learning: does giving pay?",
}


@dataclass(frozen=True)
class CardView:
    asof: str
    perspectives: list[dict[str, Any]] = field(default_factory=list)
    plot: dict[str, Any] | None = None
    problem: str | None = None


_CACHE: dict[tuple[str, str], CardView] = {}


def scorecard_view(ledger: Ledger, state: WebState) -> CardView:
    """The scorecard as of today, built once a day per data folder by the same call, with
    the same re-rating, as ``goodwill scorecard`` and the HTML report: one set of figures."""
    key = (str(state.settings.data_dir), state.today().isoformat())
    if key not in _CACHE:
        _CACHE[key] = _build(ledger, state)
    return _CACHE[key]


def _build(ledger: Ledger, state: WebState) -> CardView:
    from goodwill.analytics.scorecard import build_scorecard

    asof = state.today()
    try:
        card = build_scorecard(ledger, asof, state.settings, state.engine)
    except Exception as exc:  # the dashboard says so rather than failing the desk
        log.warning("scorecard failed: %s", type(exc).__name__)
        return CardView(
            asof.isoformat(), problem="The scorecard can't be built from this data yet."
        )
    perspectives = [
        {
            "title": TITLES.get(p.name, p.name),
            "reading": p.reading,
            "figures": [
                (f.label, show(f, card.currency), interval(f, card.currency), f.estimate.n)
                for f in p.figures
            ],
        }
        for p in card.perspectives
    ]
    from goodwill.reports.scorecard_html import retention_figure

    with_curves = [p for p in card.perspectives if p.curves]
    plot = (
        retention_figure(with_curves[0], "Still with us, by month of joining")
        if with_curves
        else None
    )
    return CardView(asof.isoformat(), perspectives, plot)
