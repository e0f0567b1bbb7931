"""Plan advice for every active subscription, as one ibis expression (rules: domain.advice).

>>> advice = plan_advice(open_ledger(Path("goodwill-data/ledger")), date(2026, 11, 23), Settings())  # doctest: +SKIP
>>> advice.filter(advice.advised).annual_saving_minor.sum().execute()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import ibis.expr.types as ir

from goodwill.analytics.engine import is_spark
from goodwill.analytics.monthly_use import active_count
from goodwill.analytics.plan_scores import (
    RatingSetup,
    plan_scores,
    rated_subscriptions,
    rating_setup,
)
from goodwill.analytics.slices import Progress, materialize_in_slices, slice_count
from goodwill.analytics.sqlfunctions import int_divide
from goodwill.domain.advice import AdviceRules
from goodwill.domain.periods import period_of
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings


def advice_rules(settings: Settings) -> AdviceRules:
    return AdviceRules(
        min_history_months=settings.min_history_months,
        max_unfit_months=settings.max_unfit_months,
        min_saving_minor=settings.min_saving_minor,
        min_saving_percent=settings.min_saving_percent,
    )


#: The columns of a rated subscription that the advice keeps.
_KEPT = (
    "customer_id",
    "currency",
    "current_plan_id",
    "current_plan_name",
    "current_total_minor",
    "months_considered",
    "contract_end",
)


def best_plans(scores: ibis.Table, max_unfit_months: int, keep: Sequence[str] = ()) -> ibis.Table:
    """Per subscription, the qualifying plan with the lowest total (ties as the domain breaks
    them): ``best_*`` columns, null when no plan qualifies, and the ``keep`` columns.

    One MIN over a struct whose fields are the order of preference, then the plan's other
    numbers (the plan id is unique per subscription, so what follows it never decides);
    it measured faster than ARG_MIN(struct, struct), and ibis's argmin compiles to a sorted
    FIRST (DESIGN.md). The subscription's own columns ride along as ANY_VALUE: joining
    them back measured slower, as DuckDB then computes part of the usage pivot twice.
    """
    unfit = scores.months_considered - scores.months_fitting > max_unfit_months
    order = {
        "unqualified": unfit,
        "total_minor": scores.total_minor,
        "fewer_fitting": -scores.months_fitting,
        "less_headroom": -scores.headroom_permille,
        "plan_id": scores.plan_id,
        "months_cheaper": scores.months_cheaper,
    }
    best = scores.group_by("subscription_id").aggregate(
        best=ibis.struct(order).min(), **{c: scores[c].arbitrary() for c in keep}
    )
    fields = {
        "plan_id": best.best["plan_id"],
        "total_minor": best.best["total_minor"],
        "months_fitting": -best.best["fewer_fitting"],
        "headroom_permille": -best.best["less_headroom"],
        "months_cheaper": best.best["months_cheaper"],
    }
    qualified = ~best.best["unqualified"]
    return best.select(
        "subscription_id",
        *keep,
        **{f"best_{c}": ibis.ifelse(qualified, v, ibis.null()) for c, v in fields.items()},
    )


def mean_minor(total: ir.IntegerValue, months: ir.IntegerValue) -> ir.IntegerValue:
    """``total / months`` rounded half up, exactly (as domain.advice.mean_minor)."""
    result: ir.IntegerValue = int_divide(2 * total + months, 2 * months)
    return result


def _advised(rows: ibis.Table, rules: AdviceRules) -> ir.BooleanValue:
    saving = rows.current_total_minor - rows.best_total_minor
    worth = (
        (saving > 0)
        & (saving >= rules.min_saving_minor * rows.months_considered)
        & (saving * 100 >= rules.min_saving_percent * rows.current_total_minor)
    )
    return (rows.best_plan_id != rows.current_plan_id) & worth


def _advice_columns(rows: ibis.Table, setup: RatingSetup, rules: AdviceRules) -> ibis.Table:
    months = rows.months_considered
    current = mean_minor(rows.current_total_minor, months)
    recommended = mean_minor(rows.best_total_minor, months)
    saving = (current - recommended).coalesce(0)
    return rows.select(
        "subscription_id",
        "customer_id",
        "currency",
        "current_plan_id",
        "current_plan_name",
        recommended_plan_id=rows.best_plan_id,
        recommended_plan_name=rows.best_plan_name,
        current_monthly_cost_minor=current,
        recommended_monthly_cost_minor=recommended,
        monthly_saving_minor=saving,
        annual_saving_minor=12 * saving,
        months_considered=months,
        months_fitting=rows.best_months_fitting,
        months_cheaper=rows.best_months_cheaper,
        headroom_permille=rows.best_headroom_permille,
        in_contract=rows.contract_end.notnull() & (rows.contract_end >= setup.asof),
        contract_end=rows.contract_end,
        advised=_advised(rows, rules).coalesce(False),
        **{
            f"avg_{k.kind}": (rows[f"total_use_{k.index}"] / months).round(1)
            for k in setup.kinds
            if k.limited
        },
    )


def plan_advice(
    ledger: Ledger,
    asof: date,
    settings: Settings,
    *,
    setup: RatingSetup | None = None,
    advised_only: bool = True,
) -> ibis.Table:
    """Advice rows for the active subscriptions with enough history (advised ones only,
    unless ``advised_only`` is False: then one row per rated subscription); of one slice
    of the subscriptions when ``setup.part`` says so (:mod:`goodwill.analytics.slices`).

    The recommended plan is chosen among the SIM-only plans on sale in the subscription's
    currency; see :mod:`goodwill.domain.advice` for the rule.
    """
    setup = setup or rating_setup(ledger, asof, settings.lookback_months)
    rules = advice_rules(settings)
    rated = rated_subscriptions(ledger, setup)
    rated = rated.filter(rated.months_considered >= rules.min_history_months)
    candidates = setup.terms.filter(setup.terms.on_sale & setup.terms.sim_only)
    keep = [*_KEPT, *(f"total_use_{k.index}" for k in setup.kinds if k.limited)]
    best = best_plans(plan_scores(rated, candidates, setup), rules.max_unfit_months, keep)
    names = setup.terms.select(
        best_plan_id=setup.terms.plan_id, best_plan_name=setup.terms.plan_name
    )
    rows = best.left_join(names, "best_plan_id")
    advice = _advice_columns(rows, setup, rules)
    return advice.filter(advice.advised) if advised_only else advice


def rated_advice(
    ledger: Ledger,
    asof: date,
    settings: Settings,
    *,
    name: str = "_goodwill_advice",
    progress: Progress | None = None,
) -> ibis.Table:
    """:func:`plan_advice` for every rated subscription, advised or not, computed now into
    the temporary table ``name``: on DuckDB in slices of at most the setting
    ``rating_slice_subscriptions`` subscriptions, so the memory it needs stays flat as the
    ledger grows (:mod:`goodwill.analytics.slices`).
    """
    setup = rating_setup(ledger, asof, settings.lookback_months)
    per_slice = settings.rating_slice_subscriptions
    count = 1 if is_spark(ledger.con) else slice_count(active_count(ledger, asof), per_slice)
    return materialize_in_slices(
        ledger.con,
        name,
        lambda part: plan_advice(
            ledger, asof, settings, setup=setup.sliced(part), advised_only=False
        ),
        count,
        progress,
    )


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
    rated = rated_advice(ledger, asof, settings, name="_goodwill_better_plan")
    advice = rated.filter(rated.advised)
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
