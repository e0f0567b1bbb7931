"""The answers with words in a window, with what each writer did: left, complained, was let down.

One ibis expression per table, joined on the customer, executed once; the result is one
row per answer, small enough for pandas (a year of a large operator's comments).
"""

from __future__ import annotations

import ibis
import pandas as pd

from goodwill.analytics.scorecard.window import Window, ts
from goodwill.ledger.reader import Ledger

COLUMNS = ("customer_id", "at", "kind", "score", "text", "left_at", "complaints", "broken_promises")


def read_answers(ledger: Ledger, window: Window) -> pd.DataFrame:
    """Every feedback answer with non-blank text written inside ``window``, with the
    writer's ``left_at`` and their complaints and broken promises inside the window."""
    feedback, customers = ledger.table("feedback"), ledger.table("customers")
    start, end = ts(window.start), ts(window.end)
    answers = feedback.filter(
        feedback.text.notnull()
        & (feedback.text.strip() != "")
        & (feedback.at >= start)
        & (feedback.at < end)
    ).select("customer_id", "at", "kind", "score", "text")
    left = customers.select("customer_id", "left_at")
    joined = answers.left_join(left, "customer_id").select(*answers.columns, "left_at")
    joined = _with_count(joined, _complaints(ledger, start, end), "complaints")
    joined = _with_count(joined, _broken(ledger, start, end), "broken_promises")
    frame = joined.order_by(["at", "customer_id"]).to_pandas()
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["left_at"] = pd.to_datetime(frame["left_at"], utc=True)
    return frame.reset_index(drop=True)


def _with_count(answers: ibis.Table, counts: ibis.Table, name: str) -> ibis.Table:
    joined = answers.left_join(counts, "customer_id")
    return joined.select(*answers.columns, joined[name].coalesce(0).name(name))


def _complaints(ledger: Ledger, start: ibis.Value, end: ibis.Value) -> ibis.Table:
    t = ledger.table("tickets")
    chosen = t.filter(t.is_complaint & (t.opened_at >= start) & (t.opened_at < end))
    return chosen.group_by("customer_id").aggregate(complaints=chosen.count())


def _broken(ledger: Ledger, start: ibis.Value, end: ibis.Value) -> ibis.Table:
    """Promises due inside the window and kept late or not at all."""
    p = ledger.table("promises")
    due = p.filter((p.due_at >= start) & (p.due_at < end))
    broken = due.filter(due.kept_at.isnull() | (due.kept_at > due.due_at))
    return broken.group_by("customer_id").aggregate(broken_promises=broken.count())
