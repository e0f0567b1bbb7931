"""Where customers fail, as data: the themes page, one theme's answers, and a customer's
themes on their 360. One builder for the page and the JSON API, so they show the same numbers.

The report is built once a day per data folder (a year of answers takes seconds to read
and model) and kept, as the scorecard is.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from pydantic import BaseModel

from goodwill.analytics.self_service_funnel import Funnel, funnels, job_rows
from goodwill.analytics.themes import ThemeReport, ThemeRow, read_pins, theme_report
from goodwill.analytics.themes.figures import trend_figure
from goodwill.ledger.reader import Ledger
from goodwill.web.deps import WebState
from goodwill.web.errors import NotFound
from goodwill.web.views.themes_rows import (
    CategoryCard,
    FunnelView,
    ThemeCard,
    VerbatimView,
    category_card,
    funnel_view,
    theme_card,
)

log = logging.getLogger("goodwill.web")
MONTHS = 12
MAX_ANSWERS = 200


class ThemesView(BaseModel):
    asof: str
    months: int
    answers: int
    reason: str | None
    notes: list[str]
    k_rule: str
    themes: list[ThemeCard]
    ticket_categories: list[CategoryCard]  # From tickets (by category)
    ticket_reason: str | None
    funnels: list[FunnelView]
    trend: dict[str, Any] | None


class ThemeDetail(BaseModel):
    asof: str
    theme: ThemeCard
    answers: list[VerbatimView]  # newest first, at most MAX_ANSWERS


class CustomerTheme(BaseModel):
    label: str
    index: int
    at: str
    text: str


_CACHE: dict[tuple[str, str, str], ThemeReport] = {}


def _report(ledger: Ledger, state: WebState) -> ThemeReport:
    pins_file = state.settings.themes_pins_file
    key = (str(state.settings.data_dir), state.today().isoformat(), str(pins_file))
    if key not in _CACHE:
        pins = read_pins(pins_file) if pins_file else ()
        _CACHE[key] = theme_report(ledger, state.today(), MONTHS, pins)
    return _CACHE[key]


def _funnels(state: WebState, asof: date) -> list[Funnel]:
    """Read afresh on each view: journeys happen all day, and the query is small."""
    from goodwill.analytics.scorecard.window import Window

    return funnels(job_rows(state.engine, Window(asof, MONTHS)))


def themes_view(ledger: Ledger, state: WebState) -> ThemesView:
    """Every theme, ranked by customers lost, with the self-service funnels beside them."""
    report = _report(ledger, state)
    found = _funnels(state, report.asof)
    return ThemesView(
        asof=report.asof.isoformat(),
        months=report.months,
        answers=report.answers,
        reason=report.reason,
        notes=list(report.notes),
        k_rule=report.k_rule,
        themes=[theme_card(r) for r in report.themes],
        ticket_categories=[category_card(c) for c in report.ticket_categories],
        ticket_reason=report.ticket_reason,
        funnels=[funnel_view(f) for f in found],
        trend=trend_figure(report) if report.themes else None,
    )


def theme_detail(ledger: Ledger, state: WebState, index: int) -> ThemeDetail:
    """One theme and its answers in the customers' own words; NotFound for no such theme."""
    report = _report(ledger, state)
    row = _row(report, index)
    frame = report.assignment
    answers: list[VerbatimView] = []
    if frame is not None:
        mine = frame[frame["theme"] == index].sort_values("at", ascending=False).head(MAX_ANSWERS)
        answers = [
            VerbatimView(customer_id=str(r["customer_id"]), at=str(r["day"]), text=str(r["text"]))
            for r in mine.to_dict("records")
        ]
    return ThemeDetail(asof=report.asof.isoformat(), theme=theme_card(row), answers=answers)


def customer_themes(ledger: Ledger, state: WebState, customer_id: str) -> list[CustomerTheme]:
    """The themes this customer's own words fall in, newest first (none if the report
    cannot be built: the 360 page does not depend on it)."""
    try:
        report = _report(ledger, state)
    except Exception as exc:  # the 360 page shows the rest rather than failing
        log.warning("themes failed: %s", type(exc).__name__)
        return []
    frame = report.assignment
    if frame is None:
        return []
    labels = {r.index: r.label for r in report.themes}
    mine = frame[(frame["customer_id"] == customer_id) & (frame["theme"] >= 0)]
    return [
        CustomerTheme(
            label=labels[int(r["theme"])],
            index=int(r["theme"]),
            at=str(r["day"]),
            text=str(r["text"]),
        )
        for r in mine.sort_values("at", ascending=False).to_dict("records")
    ]


def _row(report: ThemeReport, index: int) -> ThemeRow:
    for row in report.themes:
        if row.index == index:
            return row
    raise NotFound()
