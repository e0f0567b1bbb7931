"""The Balanced Scorecard: customer, financial, process and learning perspectives.

Sufficient statistics are computed with ibis on the ledger (DuckDB by default) and the
store; the statistics themselves are pure Python (``goodwill.domain.stats``). Every
figure carries its n and, where it is an estimate, a 95% interval.

>>> card = build_scorecard(open_ledger(path), date(2026, 11, 23), settings)  # doctest: +SKIP
>>> card.perspective("customer").figure("nps").estimate  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import Engine

from goodwill.analytics.scorecard.customer import customer_perspective
from goodwill.analytics.scorecard.figures import Curve, Figure, Lift, Perspective, Scorecard
from goodwill.analytics.scorecard.financial import financial_perspective
from goodwill.analytics.scorecard.learning import learning_perspective
from goodwill.analytics.scorecard.process import process_perspective
from goodwill.analytics.scorecard.readings import READERS
from goodwill.analytics.scorecard.window import Window, all_rows
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

__all__ = ["Curve", "Figure", "Lift", "Perspective", "Scorecard", "Window", "build_scorecard"]


def _currency(ledger: Ledger) -> str:
    plans = ledger.table("plans")
    rows = all_rows(plans.select("currency").distinct().limit(1))
    return rows[0]["currency"] if rows else "GBP"


def build_scorecard(
    ledger: Ledger,
    asof: date,
    settings: Settings,
    store: Engine | None = None,
    with_advice: bool = True,
) -> Scorecard:
    """The four perspectives as of ``asof`` over the 12 complete months before it.

    ``store`` (optional) adds goodwill spent, advice handed back and the experiments;
    ``with_advice`` rates every subscription for the fair-price index (the slow part).
    """
    window = Window(asof)
    advice = None
    if with_advice:
        from goodwill.analytics.advice import rated_advice

        advice = rated_advice(ledger, asof, settings)
    currency = _currency(ledger)
    customer = customer_perspective(ledger, window, advice, settings.themes_pins_file)
    perspectives = (
        customer,
        financial_perspective(ledger, window, store, customer.curves[0]),
        process_perspective(ledger, window, settings, store),
        learning_perspective(ledger, window, store),
    )
    read = tuple(dataclasses.replace(p, reading=READERS[p.name](p, currency)) for p in perspectives)
    return Scorecard(asof=asof, currency=currency, perspectives=read)
