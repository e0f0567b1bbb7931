"""The Balanced Scorecard for the desk's dashboard: headline tiles with their 12-month
trends, then the detail tables.

Building it re-rates every line (seconds on the demo data), so it is never built on a
request: :func:`prepare` builds it in a thread of its own, once per ledger snapshot and
day (``goodwill serve`` starts it when it starts), and a page asked for meanwhile says it
is being prepared, showing the last one built if there is one.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from goodwill.analytics.scorecard.figures import Figure, Scorecard
from goodwill.analytics.scorecard.readings import interval, label, show
from goodwill.analytics.scorecard.trends import HEADLINE_KEYS, Trend, headline_trends
from goodwill.analytics.scorecard.window import Window
from goodwill.domain.formatting import format_money
from goodwill.ledger.reader import open_ledger
from goodwill.web.deps import WebState
from goodwill.web.views.chart import Spark, sparkline
from goodwill.web.views.words import month_words

log = logging.getLogger("goodwill.web")
TITLES = {
    "customer": "Customer",
    "financial": "Financial",
    "process": "Internal process",
    "learning": "Learning: does giving pay?",
}
#: A tile's heading, by the scorecard's key.
TILE_LABELS = {
    "retention_12m": "Retention",
    "nps": "NPS",
    "complaints_per_1000": "Complaints per 1,000",
    "promises_kept": "Promises kept",
    "goodwill_spent": "Goodwill given",
    "advice_handed_back": "Savings offered",
}


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: str  # as the detail table shows it
    interval: str  # '[low, high]', or why there is none, or ''
    says: str  # what the figure is, in a line
    spark: Spark | None


@dataclass(frozen=True)
class CardView:
    asof: str
    perspectives: list[dict[str, Any]] = field(default_factory=list)
    plot: dict[str, Any] | None = None
    problem: str | None = None
    tiles: list[Tile] = field(default_factory=list)
    preparing: bool = False  # today's is being built; what is shown (if any) is older


_LOCK = threading.Lock()
_READY: dict[tuple[str, str, str], CardView] = {}
_BUILDING: dict[tuple[str, str, str], threading.Thread] = {}
_LATEST: dict[str, CardView] = {}  # per data folder: the last one built, while the next is made


def _key(state: WebState) -> tuple[str, str, str]:
    """The data folder (its store), the ledger snapshot (ingest swaps the link to a new
    one) and the day."""
    settings = state.settings
    return str(settings.data_dir), str(settings.ledger_dir.resolve()), state.today().isoformat()


def prepare(state: WebState) -> threading.Thread | None:
    """Start building today's scorecard for this snapshot in the background, unless it is
    built or being built; returns the thread building it (None: it is ready)."""
    key = _key(state)
    with _LOCK:
        if key in _READY:
            return None
        thread = _BUILDING.get(key)
        if thread is None:
            thread = threading.Thread(
                target=_build_into, args=(state, key), name="goodwill-scorecard", daemon=True
            )
            _BUILDING[key] = thread
            thread.start()
        return thread


def scorecard_view(state: WebState, wait: bool = False) -> CardView:
    """Today's scorecard, by the same call (and re-rating) as ``goodwill scorecard`` and the
    HTML report. Not yet built: with ``wait``, once it is; else the last one built (or an
    empty view) marked ``preparing``, while it is built in the background."""
    thread = prepare(state)
    if thread is not None and wait:
        thread.join()
    with _LOCK:
        ready = _READY.get(_key(state))
        if ready is not None:
            return ready
        latest = _LATEST.get(str(state.settings.data_dir))
    if latest is not None:
        return dataclasses.replace(latest, preparing=True)
    return CardView(state.today().isoformat(), preparing=True)


def _build_into(state: WebState, key: tuple[str, str, str]) -> None:
    try:
        view = build_view(state, date.fromisoformat(key[2]))
    except Exception:  # never leave the desk waiting for a build that died
        log.exception("the desk's scorecard could not be built")
        view = CardView(key[2], problem="The scorecard can't be built from this data yet.")
    with _LOCK:
        _READY[key] = view
        _LATEST[str(state.settings.data_dir)] = view
        _BUILDING.pop(key, None)


def build_view(state: WebState, asof: date) -> CardView:
    """The scorecard and its headline trends as of ``asof``, on a ledger connection of its
    own (the build runs outside any request)."""
    from goodwill.analytics.scorecard import build_scorecard
    from goodwill.reports.scorecard_html import retention_figure
    from goodwill.store import make_engine, store_url_for

    ledger = open_ledger(state.settings.ledger_dir)
    # An engine of its own too, closed when done: the build may outlive the app that asked.
    store = make_engine(store_url_for(state.settings))
    try:
        try:
            card = build_scorecard(ledger, asof, state.settings, store)
        except Exception as exc:  # the dashboard says so rather than failing the desk
            log.warning("scorecard failed: %s", type(exc).__name__)
            return CardView(
                asof.isoformat(), problem="The scorecard can't be built from this data yet."
            )
        trends = headline_trends(ledger, Window(asof), store)
    finally:
        ledger.con.disconnect()
        store.dispose()
    perspectives = [
        {
            "title": TITLES.get(p.name, p.name),
            "reading": p.reading,
            "figures": [
                (label(f), show(f, card.currency), interval(f, card.currency), f.estimate.n)
                for f in p.figures
            ],
        }
        for p in card.perspectives
    ]
    with_curves = [p for p in card.perspectives if p.curves]
    plot = (
        retention_figure(with_curves[0], "Still with us, by month of joining")
        if with_curves
        else None
    )
    return CardView(asof.isoformat(), perspectives, plot, tiles=tiles(card, trends))


def _figure(card: Scorecard, key: str) -> Figure | None:
    for p in card.perspectives:
        for f in p.figures:
            if f.key == key:
                return f
    return None


def tiles(card: Scorecard, trends: dict[str, Trend]) -> list[Tile]:
    """One tile per headline figure: the scorecard's value and interval, and its trend."""
    out = []
    for key in HEADLINE_KEYS:
        figure = _figure(card, key)
        if figure is None:
            continue
        trend = trends.get(key)
        out.append(
            Tile(
                key=key,
                label=TILE_LABELS[key],
                value=show(figure, card.currency),
                interval=interval(figure, card.currency),
                says=_says(figure, trend, card.currency),
                spark=None if trend is None else _spark(figure, trend, card.currency),
            )
        )
    return out


def _says(figure: Figure, trend: Trend | None, currency: str) -> str:
    if figure.key == "goodwill_spent" and trend is not None:
        budget = sum(p.denominator for p in trend.points)
        if budget:
            return f"of {format_money(budget, currency)} budgeted, this year to date"
    return {
        "retention_12m": "still with us a year after joining",
        "nps": "promoters less detractors, latest answer each",
        "complaints_per_1000": "customers a month",
        "promises_kept": "on time",
        "goodwill_spent": "given in credits",
        # It counts the advice sent: whether the customer switched is not known here.
        "advice_handed_back": "a year, in the plan advice we sent",
    }.get(figure.key, figure.label)


def _spark(figure: Figure, trend: Trend, currency: str) -> Spark:
    values: list[float | None] = []
    words = []
    for point in trend.points:
        month = Figure(figure.key, figure.label, point.estimate, figure.unit)
        value = point.estimate.value
        values.append(None if value is None else float(value))
        words.append(show(month, currency) if value is not None else "no figure")
    first, last = trend.points[0].period, trend.points[-1].period
    return sparkline(
        f"{TILE_LABELS[figure.key]} each month, {month_words(first, True)} to "
        f"{month_words(last, True)}",
        [month_words(p.period) for p in trend.points],
        values,
        words,
    )
