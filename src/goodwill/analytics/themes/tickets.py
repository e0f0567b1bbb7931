"""Ticket categories as themes of their own, tied to behaviour by the same statistics as
the text themes (:mod:`.behaviour`): the unit is the ticket, its customer *left* when they
left within six months of opening it, and the risk ratio compares followed tickets of the
category with followed tickets of every other category.

Tickets carry no score, so a category's NPS and CSAT are *the scores its customers gave*:
every survey answer (with words or not) that the customers who opened a ticket of the
category gave inside the same window, by the same definitions as a text theme's (NPS from
0-10 answers, CSAT the share of 1-5 answers at 4 or 5), each with its 95% interval.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from goodwill.analytics.scorecard.window import Window, ts
from goodwill.analytics.themes.behaviour import Behaviour, behaviour, csat, nps, verdict
from goodwill.analytics.themes.reading import _broken, _complaints, _with_count
from goodwill.ledger.reader import Ledger

OPENED = "opened a ticket about"
#: What a category's NPS and CSAT are, for every surface that shows them.
SCORES_ARE = (
    "NPS and CSAT of a ticket category are the survey scores its customers gave in the same "
    "window (any answer, with words or not), not scores of the tickets"
)


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


def read_scores(ledger: Ledger, window: Window) -> pd.DataFrame:
    """Every survey answer with a score given inside ``window``: customer, kind, score."""
    feedback = ledger.table("feedback")
    start, end = ts(window.start), ts(window.end)
    chosen = feedback.filter(
        feedback.score.notnull() & (feedback.at >= start) & (feedback.at < end)
    ).select("customer_id", "kind", "score")
    return chosen.to_pandas()


def category_rows(ledger: Ledger, window: Window) -> tuple[tuple[CategoryRow, ...], str | None]:
    """Each category's row, sorted by customers lost; or none and the reason why."""
    frame = read_tickets(ledger, window)
    if frame.empty:
        return (), f"No tickets with a category in the last {window.months} months."
    scores = read_scores(ledger, window)
    codes, names = pd.factorize(frame["text"], sort=True)
    rows = []
    for k, name in enumerate(names):
        b = behaviour(frame, codes.astype(np.int64), k, window.periods, window.end)
        theirs = scores[scores["customer_id"].isin(frame.loc[codes == k, "customer_id"])]
        b = replace(b, nps=nps(theirs), csat=csat(theirs))
        rows.append(CategoryRow(str(name), b, verdict(str(name), b, OPENED)))
    rows.sort(key=lambda r: (-r.behaviour.customers_lost, -r.behaviour.answers, r.category))
    return tuple(rows), None
