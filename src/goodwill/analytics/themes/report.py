"""The themes report: what customers wrote about, ranked by the customers it went with losing.

>>> report = theme_report(ledger, date(2026, 11, 23))  # doctest: +SKIP
>>> report.themes[0].label, report.themes[0].behaviour.customers_lost  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from goodwill.analytics.scorecard.window import Window
from goodwill.analytics.themes.behaviour import Behaviour, behaviour, verdict
from goodwill.analytics.themes.model import ThemeModel
from goodwill.analytics.themes.pins import PinnedTheme
from goodwill.analytics.themes.reading import read_answers
from goodwill.analytics.themes.tickets import SCORES_ARE, CategoryRow, category_rows
from goodwill.ledger.reader import Ledger

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Verbatim:
    """One answer in the customer's own words, and who wrote it when."""

    customer_id: str
    at: str
    kind: str
    score: int | None
    text: str


@dataclass(frozen=True)
class ThemeRow:
    """A theme, its words, its writers' behaviour, and the plain-words verdict."""

    index: int
    label: str
    pinned: bool
    top_terms: tuple[tuple[str, float], ...]
    verbatims: tuple[Verbatim, ...]
    behaviour: Behaviour
    verdict: str


@dataclass(frozen=True)
class ThemeReport:
    """Every theme of the window; ``reason`` says why there are none, ``notes`` what to know."""

    asof: date
    months: int
    periods: tuple[str, ...]
    answers: int
    themes: tuple[ThemeRow, ...]
    k_rule: str
    reason: str | None = None
    notes: tuple[str, ...] = field(default=())
    assignment: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    # From tickets (by category): a second list, apart from the text themes
    ticket_categories: tuple[CategoryRow, ...] = field(default=())
    ticket_reason: str | None = None  # why there are no ticket categories
    ticket_scores_are: str = SCORES_ARE  # what a category's NPS and CSAT are

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (estimates as value, n, ci_low, ci_high, reason)."""
        out = asdict(replace(self, assignment=None))  # not a deep copy of every answer
        out.pop("assignment")
        out["asof"] = self.asof.isoformat()
        return out


K_RULE = (
    "NMF for every k from 2 to 12; parts with cosine ≥ 0.2 merged as one theme cut in two; "
    "the number of themes is the one most k agree on"
)


def theme_report(
    ledger: Ledger,
    asof: date,
    months: int = 12,
    pins: Sequence[PinnedTheme] = (),
    progress: Progress | None = None,
) -> ThemeReport:
    """Find the themes of the window's answers and tie each to its writers' behaviour."""
    tell = progress or (lambda _step: None)
    window = Window(asof, months)
    tell("reading answers")
    frame = read_answers(ledger, window)
    tell("finding themes")
    model = ThemeModel(pins=pins).fit(frame["text"].tolist())
    tell("tying ticket categories to behaviour")
    categories, ticket_reason = category_rows(ledger, window)
    base = dict(asof=asof, months=months, periods=window.periods, answers=len(frame), k_rule=K_RULE,
                notes=tuple(model.notes_), ticket_categories=categories,
                ticket_reason=ticket_reason)  # fmt: skip
    if not model.ok:
        return ThemeReport(themes=(), reason=model.reason_, **base)  # type: ignore[arg-type]
    tell("tying themes to behaviour")
    rows = [_row(frame, model, t.index, window) for t in model.themes_]
    rows.sort(key=lambda r: (-r.behaviour.customers_lost, -r.behaviour.answers, r.label))
    assignment = frame[["customer_id", "at", "text"]].assign(
        theme=model.assignment_, day=frame["at"].dt.strftime("%Y-%m-%d")
    )
    return ThemeReport(themes=tuple(rows), assignment=assignment, **base)  # type: ignore[arg-type]


def _row(frame: pd.DataFrame, model: ThemeModel, k: int, window: Window) -> ThemeRow:
    found = model.themes_[k]
    b = behaviour(frame, model.assignment_, k, window.periods, window.end)
    verbatims = tuple(_verbatim(frame.iloc[i]) for i in found.verbatims)
    return ThemeRow(
        k, found.label, found.pinned, found.top_terms, verbatims, b, verdict(found.label, b)
    )


def _verbatim(row: pd.Series) -> Verbatim:
    score = None if pd.isna(row["score"]) else int(row["score"])
    at = row["at"].strftime("%Y-%m-%dT%H:%M:%SZ")
    return Verbatim(str(row["customer_id"]), at, str(row["kind"]), score, str(row["text"]))
