"""Ticket categories as themes of their own, tied to behaviour by the same statistics as
the text themes (:mod:`.behaviour`): the unit is the ticket, its customer *left* when they
left within six months of opening it, and the risk ratio compares followed tickets of the
category with followed tickets of every other category.

Tickets carry no score, so a category's NPS and CSAT read "no answers".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from goodwill.analytics.scorecard.window import Window, ts
from goodwill.analytics.themes.behaviour import Behaviour, behaviour, verdict
from goodwill.analytics.themes.reading import _broken, _complaints, _with_count
from goodwill.ledger.reader import Ledger

OPENED = "opened a ticket about"


@dataclass(frozen=True)
class CategoryRow:
    """One ticket category, its customers' behaviour, and the plain-words verdict."""

    category: str
    behaviour: Behaviour
    verdict: str


def read_tickets(ledger: Ledger, window: Window) -> pd.DataFrame:
    """Every ticket with a category opened inside ``window``, in the answers' shape
    (``at`` is when it was opened, ``text`` its category, no score)."""
    tickets, customers = ledger.table("tickets"), ledger.table("customers")
    start, end = ts(window.start), ts(window.end)
    chosen = tickets.filter(
        tickets.category.notnull()
        & (tickets.category.strip() != "")
        & (tickets.opened_at >= start)
        & (tickets.opened_at < end)
    ).select("customer_id", at=tickets.opened_at, text=tickets.category.strip())
    left = customers.select("customer_id", "left_at")
    joined = chosen.left_join(left, "customer_id").select(*chosen.columns, "left_at")
    joined = _with_count(joined, _complaints(ledger, start, end), "complaints")
    joined = _with_count(joined, _broken(ledger, start, end), "broken_promises")
    frame = joined.order_by(["at", "customer_id"]).to_pandas()
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["left_at"] = pd.to_datetime(frame["left_at"], utc=True)
    return frame.assign(kind="ticket", score=np.nan).reset_index(drop=True)


def category_rows(ledger: Ledger, window: Window) -> tuple[tuple[CategoryRow, ...], str | None]:
    """Each category's row, sorted by customers lost; or none and the reason why."""
    frame = read_tickets(ledger, window)
    if frame.empty:
        return (), f"No tickets with a category in the last {window.months} months."
    codes, names = pd.factorize(frame["text"], sort=True)
    rows = []
    for k, name in enumerate(names):
        b = behaviour(frame, codes.astype(np.int64), k, window.periods, window.end)
        rows.append(CategoryRow(str(name), b, verdict(str(name), b, OPENED)))
    rows.sort(key=lambda r: (-r.behaviour.customers_lost, -r.behaviour.answers, r.category))
    return tuple(rows), None
