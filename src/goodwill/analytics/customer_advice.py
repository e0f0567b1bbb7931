"""Plan advice for one customer's lines, rated in-process: what the my-plan page shows.

No ibis expression is built. When the snapshot's rows are held by customer
(:mod:`goodwill.ledger.by_customer`), every held line is rated once per snapshot, day and
rules, in batches on the calling thread, and a page looks its customer's advised lines up
(microseconds): at 20,000 customers the whole rating takes about as long as rating a few
dozen customers one query at a time. While one request (or ``goodwill serve``'s start)
rates them, the others do not wait: as with a ledger whose rows are not held, their
customer's rows of the rating-ready usage are read with one parameterized DuckDB query and
rated on their own. Either way it is the kernel and exactly the rule the nightly advice
uses.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date
from typing import Any, cast

from goodwill.analytics.advice_batch import rate_batch
from goodwill.analytics.advice_engines import advice_rules
from goodwill.analytics.engine import is_spark
from goodwill.analytics.rating_job import RatingJob, rating_job, window_rows, window_select
from goodwill.ledger.by_customer import CustomerRows, by_customer
from goodwill.ledger.rating_usage import ROW_GROUP, rating_usage
from goodwill.ledger.reader import Ledger
from goodwill.ledger.snapshot import PerSnapshot
from goodwill.settings import Settings

Row = dict[str, Any]
JobKey = tuple[date, int, Any]

#: The catalogue laid out for rating, once per snapshot and day.
_JOBS = PerSnapshot(keep=8)
#: Every held line's advised rows by customer, once per snapshot, day and rules.
_ADVISED = PerSnapshot(keep=4)
_RATING_HELD = threading.Lock()  # one rating of the held lines at a time
_NOT_YET = object()


def customer_advice(ledger: Ledger, asof: date, settings: Settings, customer_id: str) -> list[Row]:
    """The advised rows (as :func:`goodwill.analytics.advice.plan_advice` has them) of the
    customer's active subscriptions, by subscription id; empty when nothing cheaper fits."""
    if is_spark(ledger.con):  # a cluster rates the whole run; take the customer's rows
        from goodwill.analytics.advice import plan_advice

        advice = plan_advice(ledger, asof, settings)
        return list(advice.filter(advice.customer_id == customer_id).to_pyarrow().to_pylist())
    key: JobKey = (asof, settings.lookback_months, advice_rules(settings))
    advised = _advised_held(ledger, key)
    if advised is not None:  # copies: the rows held are every request's
        return [dict(row) for row in advised.get(customer_id, [])]
    job = _job(ledger, key)
    query = f"SELECT * FROM ({window_select(job, rating_usage(ledger).relation)}) WHERE customer_id = $1"
    table = ledger.con.con.execute(query, [customer_id]).to_arrow_table()
    if table.num_rows == 0:
        return []
    rows = rate_batch(job, table.combine_chunks().to_batches()[0])
    advised_rows = rows.filter(rows.column("advised"))
    return sorted(advised_rows.to_pylist(), key=lambda r: str(r["subscription_id"]))


def _advised_held(ledger: Ledger, key: JobKey) -> dict[str, list[Row]] | None:
    """Every held line's advised rows by customer: kept, or rated now by this request.
    None while another request rates them (this one rates its customer alone rather than
    wait seconds), or when the rows are not held."""
    advised = _ADVISED.peek(ledger.path, key, _NOT_YET)
    if advised is not _NOT_YET:
        return cast(dict[str, list[Row]] | None, advised)
    held = by_customer(ledger)
    if held is None or not _RATING_HELD.acquire(blocking=False):
        return None
    try:
        return _ADVISED.get(ledger.path, key, lambda: _rate_held(ledger, key, held))
    finally:
        _RATING_HELD.release()


def _job(ledger: Ledger, key: JobKey) -> RatingJob:
    asof, lookback, rules = key
    return _JOBS.get(
        ledger.path,
        key,
        lambda: rating_job(ledger, rating_usage(ledger), asof, lookback, rules),
    )


def _rate_held(ledger: Ledger, key: JobKey, held: CustomerRows) -> dict[str, list[Row]] | None:
    """Every held line's advised rows by customer; None when the window reaches back
    further than the months held (the caller reads the ledger instead)."""
    job = _job(ledger, key)
    if not held.holds(job.window):
        return None
    advised: dict[str, list[Row]] = defaultdict(list)
    for batch in window_rows(job, held.lines.table).to_batches(max_chunksize=ROW_GROUP):
        rows = rate_batch(job, batch)
        for row in rows.filter(rows.column("advised")).to_pylist():
            advised[str(row["customer_id"])].append(row)
    return {c: sorted(rows, key=lambda r: str(r["subscription_id"])) for c, rows in advised.items()}
