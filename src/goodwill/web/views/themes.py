"""Where customers fail, as data: the themes page, one theme's answers, and a customer's
themes on their 360. One builder for the page and the JSON API, so they show the same numbers.

The report is fitted once per ledger snapshot and day, and kept in the snapshot
(:mod:`goodwill.analytics.themes.cache`), where ``goodwill themes`` and the scorecard find
it too. It is built off the request path (:mod:`.themes_build`): by ``goodwill serve``
when it starts and each day after, or by the first visit that finds none, which waits at
most WAIT_S for it; after that the page says it is being worked out, and reloads itself.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from pydantic import BaseModel

from goodwill.analytics.self_service_funnel import Funnel, funnels, job_rows
from goodwill.analytics.themes import ThemeReport, ThemeRow
from goodwill.analytics.themes.cache import (
    cached_report,
    kept_report,
    report_key,
)
from goodwill.analytics.themes.figures import trend_figure
from goodwill.analytics.themes.pins import read_pins_file
from goodwill.ledger.reader import Ledger
from goodwill.web.deps import WebState
from goodwill.web.errors import NotFound
from goodwill.web.views.themes_build import MONTHS, Build, StillBuilding, forget, start_build
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
MAX_ANSWERS = 200
WAIT_S = 1.0  # a report that builds this fast is shown at once, not announced
RELOAD_S = 5  # the page reloads itself this often while the report is being built


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
    ticket_scores_are: str  # what a category's NPS and CSAT are
    funnels: list[FunnelView]
    trend: dict[str, Any] | None
    building: bool = False  # the report is being worked out: the lists are empty until then
    building_since: str | None = None  # when it began (UTC, ISO 8601)


class ThemeDetail(BaseModel):
    asof: str
    theme: ThemeCard
    answers: list[VerbatimView]  # newest first, at most MAX_ANSWERS


class CustomerTheme(BaseModel):
    label: str
    index: int
    at: str
    text: str


def _report(ledger: Ledger, state: WebState, wait_s: float | None = None) -> ThemeReport | Build:
    """The day's report, or the build under way when it is not ready within ``wait_s``
    (default WAIT_S)."""
    pins_file = state.settings.themes_pins_file
    _, digest = read_pins_file(pins_file)
    key = report_key(ledger, state.today(), MONTHS, digest)
    if key is None:  # a ledger without a snapshot folder: fitted here and now
        return cached_report(ledger, state.today(), MONTHS, pins_file)
    found = kept_report(key)
    if found is not None:
        return found
    build = start_build(key, state.settings)
    if not build.done.wait(WAIT_S if wait_s is None else wait_s):
        return build
    if build.error is not None:
        forget(key)  # the next visit tries again
        raise build.error
    return build.report or build


def _funnels(state: WebState, asof: date) -> list[Funnel]:
    """Read afresh on each view: journeys happen all day, and the query is small."""
    from goodwill.analytics.scorecard.window import Window

    return funnels(job_rows(state.engine, Window(asof, MONTHS)))


def themes_view(ledger: Ledger, state: WebState) -> ThemesView:
    """Every theme, ranked by customers lost, with the self-service funnels beside them
    (while the report is being built: the funnels, and ``building``)."""
    report = _report(ledger, state)
    if isinstance(report, Build):
        return _building_view(state, report)
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
        ticket_scores_are=report.ticket_scores_are,
        funnels=[funnel_view(f) for f in found],
        trend=trend_figure(report) if report.themes else None,
    )


def _building_view(state: WebState, build: Build) -> ThemesView:
    asof = state.today()
    return ThemesView(
        asof=asof.isoformat(),
        months=MONTHS,
        answers=0,
        reason=None,
        notes=[],
        k_rule="",
        themes=[],
        ticket_categories=[],
        ticket_reason=None,
        ticket_scores_are="",
        funnels=[funnel_view(f) for f in _funnels(state, asof)],
        trend=None,
        building=True,
        building_since=build.since.isoformat(timespec="seconds"),
    )


def theme_detail(ledger: Ledger, state: WebState, index: int) -> ThemeDetail:
    """One theme and its answers in the customers' own words; NotFound for no such theme."""
    report = _report(ledger, state)
    if isinstance(report, Build):
        raise StillBuilding()
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


def customer_themes(
    ledger: Ledger, state: WebState, customer_id: str
) -> list[CustomerTheme] | None:
    """The themes this customer's own words fall in, newest first; None while the day's
    report is being worked out (the 360 does not wait for it), none if it cannot be built
    (the 360 page does not depend on it)."""
    try:
        report = _report(ledger, state, wait_s=0.0)
    except Exception as exc:  # the 360 page shows the rest rather than failing
        log.warning("themes failed: %s", type(exc).__name__)
        return []
    if isinstance(report, Build):
        return None
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
