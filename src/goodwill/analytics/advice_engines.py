"""How each engine feeds the rating kernel: DuckDB record batches, Spark partitions.

Both read the same rating-ready table (:mod:`goodwill.ledger.rating_usage`) through the
same SELECT (:func:`goodwill.analytics.rating_job.window_select`) and rate every batch
with the same :func:`goodwill.analytics.advice_batch.rate_batch`, so a cluster runs
exactly the rule one machine runs. DuckDB streams batches of ``rating_slice_subscriptions``
rows (memory stays flat in N, but for the advice rows kept); Spark runs ``mapInArrow``.

The result is registered on the ledger's connection once per run and reused by every
caller of the same run (advice, the detectors, the scorecard).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import date
from typing import Any

import ibis
import pyarrow as pa

from goodwill.analytics.advice_batch import advice_schema, rate_batch
from goodwill.analytics.engine import is_spark
from goodwill.analytics.rating_job import RatingJob, rating_job, window_select
from goodwill.domain.advice import AdviceRules
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

Progress = Callable[[float], None]

#: The rated tables already computed, by connection (its id: ibis backends compare equal
#: when they open the same database, and in-memory ones all do) and run parameters.
_RATED: dict[int, dict[tuple[Any, ...], ibis.Table]] = {}


def advice_rules(settings: Settings) -> AdviceRules:
    return AdviceRules(
        min_history_months=settings.min_history_months,
        max_unfit_months=settings.max_unfit_months,
        min_saving_minor=settings.min_saving_minor,
        min_saving_percent=settings.min_saving_percent,
    )


def rated_lines(
    ledger: Ledger, asof: date, settings: Settings, progress: Progress | None = None
) -> ibis.Table:
    """Advice rows (advised or not) for every active subscription with a history month
    and a candidate plan in its currency, computed now, once per connection and run."""
    rules = advice_rules(settings)
    key = (asof, settings.lookback_months, rules, settings.rating_slice_subscriptions)
    if id(ledger.con) not in _RATED:
        weakref.finalize(ledger.con, _RATED.pop, id(ledger.con), None)
    done = _RATED.setdefault(id(ledger.con), {})
    if key not in done:
        feed = _spark_rated if is_spark(ledger.con) else _duckdb_rated
        done[key] = feed(ledger, asof, settings, rules, progress or (lambda _: None))
    return done[key]


def _job(
    ledger: Ledger, asof: date, settings: Settings, rules: AdviceRules
) -> tuple[RatingJob, str]:
    from goodwill.ledger.rating_usage import rating_usage

    usage = rating_usage(ledger)
    return rating_job(ledger, usage, asof, settings.lookback_months, rules, 1), usage.relation


def _duckdb_rated(
    ledger: Ledger, asof: date, settings: Settings, rules: AdviceRules, progress: Progress
) -> ibis.Table:
    job, relation = _job(ledger, asof, settings, rules)
    raw = ledger.con.con
    select = window_select(job, relation)
    total = raw.execute(f"SELECT count(*) FROM ({select})").fetchone()[0] or 1
    per_batch = settings.rating_slice_subscriptions or 1_000_000_000
    reader = raw.execute(select).to_arrow_reader(per_batch)
    parts, done = [], 0
    for batch in reader:
        parts.append(rate_batch(job, batch))
        done += batch.num_rows
        progress(100 * done / total)
    table = pa.Table.from_batches(parts, schema=advice_schema(job))
    name = f"_goodwill_rated_{len(_RATED[id(ledger.con)])}"
    raw.register(name, table)
    return ledger.con.table(name)


def _spark_rated(
    ledger: Ledger, asof: date, settings: Settings, rules: AdviceRules, progress: Progress
) -> ibis.Table:
    from goodwill.analytics.spark_rating import spark_rated

    return spark_rated(ledger, asof, settings, rules, progress)


def rated_advice(
    ledger: Ledger, asof: date, settings: Settings, progress: Progress | None = None
) -> ibis.Table:
    """The advice rows of every rated subscription with enough history (advised or not)."""
    rated = rated_lines(ledger, asof, settings, progress)
    return rated.filter(rated.months_considered >= settings.min_history_months)
