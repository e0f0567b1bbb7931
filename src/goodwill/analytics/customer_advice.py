"""Plan advice for one customer's lines, rated in-process: what the my-plan page shows.

No ibis expression is built: the customer's rows of the rating-ready usage are read with
one parameterized DuckDB query and rated by the kernel on the calling thread (a web
request runs in a thread of its own), under exactly the rule the nightly advice uses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from goodwill.analytics.advice_batch import rate_batch
from goodwill.analytics.advice_engines import advice_rules
from goodwill.analytics.engine import is_spark
from goodwill.analytics.rating_job import rating_job, window_select
from goodwill.ledger.rating_usage import rating_usage
from goodwill.ledger.reader import Ledger
from goodwill.ledger.snapshot import PerSnapshot
from goodwill.settings import Settings

#: The catalogue laid out for rating, once per snapshot and day: each request reads only
#: its customer's rows.
_JOBS = PerSnapshot(keep=8)


def customer_advice(
    ledger: Ledger, asof: date, settings: Settings, customer_id: str
) -> list[dict[str, Any]]:
    """The advised rows (as :func:`goodwill.analytics.advice.plan_advice` has them) of the
    customer's active subscriptions; empty when nothing cheaper fits."""
    if is_spark(ledger.con):  # a cluster rates the whole run; take the customer's rows
        from goodwill.analytics.advice import plan_advice

        advice = plan_advice(ledger, asof, settings)
        return list(advice.filter(advice.customer_id == customer_id).to_pyarrow().to_pylist())
    usage = rating_usage(ledger)
    rules = advice_rules(settings)
    job = _JOBS.get(
        ledger.path,
        (asof, settings.lookback_months, rules),
        lambda: rating_job(ledger, usage, asof, settings.lookback_months, rules),
    )
    query = f"SELECT * FROM ({window_select(job, usage.relation)}) WHERE customer_id = $1"
    table = ledger.con.con.execute(query, [customer_id]).to_arrow_table()
    if table.num_rows == 0:
        return []
    rows = rate_batch(job, table.combine_chunks().to_batches()[0])
    advised = rows.filter(rows.column("advised"))
    return sorted(advised.to_pylist(), key=lambda r: str(r["subscription_id"]))
