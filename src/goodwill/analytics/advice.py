"""Plan advice for every active subscription (rules: :mod:`goodwill.domain.advice`).

The rating itself is the compiled kernel (:mod:`goodwill.analytics.rating_kernel`), fed
by whichever engine holds the ledger (:mod:`goodwill.analytics.advice_engines`); this
module gives its rows the shapes the callers read: the advice, and ``better_plan`` moments.

>>> advice = plan_advice(open_ledger(Path("goodwill-data/ledger")), date(2026, 11, 23), Settings())  # doctest: +SKIP
>>> advice.filter(advice.advised).annual_saving_minor.sum().execute()  # doctest: +SKIP
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from goodwill.analytics.advice_engines import Progress, advice_rules, rated_advice
from goodwill.analytics.sqlfunctions import int_divide
from goodwill.domain.periods import period_of
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

__all__ = ["MOMENT_EVIDENCE", "advice_rules", "better_plan", "mean_minor", "plan_advice",
           "rated_advice"]  # fmt: skip


def mean_minor(total: ir.IntegerValue, months: ir.IntegerValue) -> ir.IntegerValue:
    """``total / months`` rounded half up, exactly (as domain.advice.mean_minor)."""
    result: ir.IntegerValue = int_divide(2 * total + months, 2 * months)
    return result


def plan_advice(
    ledger: Ledger,
    asof: date,
    settings: Settings,
    *,
    advised_only: bool = True,
    progress: Progress | None = None,
) -> ibis.Table:
    """Advice rows for the active subscriptions with enough history (advised ones only,
    unless ``advised_only`` is False: then one row per rated subscription).

    The recommended plan is chosen among the SIM-only plans on sale in the subscription's
    currency; see :mod:`goodwill.domain.advice` for the rule.
    """
    rated = rated_advice(ledger, asof, settings, progress)
    return rated.filter(rated.advised) if advised_only else rated


#: Advice columns that go into a ``better_plan`` moment's evidence as they are (the message
#: template reads them; ``average_use`` is added as {kind: mean use a month}).
MOMENT_EVIDENCE = (
    "current_plan_id",
    "current_plan_name",
    "recommended_plan_id",
    "recommended_plan_name",
    "current_monthly_cost_minor",
    "recommended_monthly_cost_minor",
    "monthly_saving_minor",
    "annual_saving_minor",
    "months_considered",
    "months_fitting",
    "months_cheaper",
    "in_contract",
    "contract_end",
)


def better_plan(ledger: Ledger, asof: date, settings: Settings) -> ibis.Table:
    """The ``better_plan`` moments: one per advised subscription (value: the annual saving).

    In-contract subscriptions are included, flagged ``in_contract`` in the evidence, so
    the message can say the saving starts when the contract ends.
    """
    advice = plan_advice(ledger, asof, settings)
    average_use = ibis.struct(
        {c.removeprefix("avg_"): advice[c] for c in advice.columns if c.startswith("avg_")}
    )
    evidence = ibis.struct({**{c: advice[c] for c in MOMENT_EVIDENCE}, "average_use": average_use})
    return advice.select(
        "customer_id",
        "subscription_id",
        kind=ibis.literal("better_plan"),
        detected_for=ibis.literal(period_of(asof)),
        value_to_customer_minor=advice.annual_saving_minor,
        cost_to_business_minor=advice.annual_saving_minor,
        currency=advice.currency,
        evidence=evidence.cast("json").cast("string"),
    )
