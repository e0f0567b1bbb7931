"""Moments around the minimum term: loyalty penalty, end-of-contract and annual notices.

The rules are the domain's (:mod:`goodwill.domain.contract_terms`); the best tariffs a
notice lists are ranked by :func:`~goodwill.analytics.tariffs.best_tariffs` from every
plan's costs, rated by the rating kernel's own rule for just the lines due a notice.
Each function returns moments with the columns of the detectors' MOMENT_SCHEMA.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from goodwill.analytics.advice_engines import rated_lines
from goodwill.analytics.catalogue import load_catalogue
from goodwill.analytics.detectors.base import conform
from goodwill.analytics.tariffs import best_tariffs, subscription_plans
from goodwill.domain.contract_terms import NOTICE_DAYS_MAX, NOTICE_DAYS_MIN
from goodwill.domain.periods import period_of
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings

#: What the notices say a customer must give to leave, until the ledger records it per plan.
NOTICE_PERIOD_DAYS = 30


def _moments(rows: ibis.Table, kind: str, detected_for: ir.StringValue, value: ir.IntegerValue,
             cost: ir.IntegerValue, evidence: dict[str, ir.Value]) -> ibis.Table:  # fmt: skip
    moments = rows.select(
        "customer_id",
        "subscription_id",
        kind=ibis.literal(kind),
        detected_for=detected_for,
        value_to_customer_minor=value,
        cost_to_business_minor=cost,
        currency=rows.currency,
        evidence=ibis.struct(evidence).cast("json").cast("string"),
    )
    return conform(moments)


def loyalty_penalty(ledger: Ledger, asof: date, settings: Settings) -> ibis.Table:
    """A device fee still charged after the minimum term ended: the ``loyalty_penalty`` moment.

    Value and cost: the device fee over 12 months. The evidence names the SIM-only plan
    that would replace it (chosen as plan advice chooses; null with no use in the window).
    """
    subs = subscription_plans(ledger, asof, load_catalogue(ledger))
    due = subs.filter(subs.contract_end < asof, subs.device_fee_minor > 0)
    rated = rated_lines(ledger, asof, settings)  # the advice's own choice, from one month up
    best = rated.select(
        "subscription_id",
        best_plan_id=rated.recommended_plan_id,
        best_plan_name=rated.recommended_plan_name,
    )
    rows = due.left_join(best, "subscription_id")
    evidence = {
        "current_plan_id": rows.current_plan_id,
        "current_plan_name": rows.current_plan_name,
        "contract_end": rows.contract_end,
        "overpaid_monthly_minor": rows.device_fee_minor,
        "device_fee_minor": rows.device_fee_minor,
        "replacement_plan_id": rows.best_plan_id,
        "replacement_plan_name": rows.best_plan_name,
    }
    yearly = 12 * rows.device_fee_minor
    return _moments(
        rows, "loyalty_penalty", ibis.literal(period_of(asof)), yearly, yearly, evidence
    )


def _notice_evidence(rows: ibis.Table) -> dict[str, ir.Value]:
    """What both notices say: the plan, its price (``current_price_minor``: fee and device
    fee) and what it has cost for this use (``current_monthly_cost_minor``: the mean
    service cost of the history months under it, rounded half up, plus the device fee; the
    price when there is no history month to rate), and the best tariffs."""
    price = rows.monthly_fee_minor + rows.device_fee_minor
    return {
        "current_plan_id": rows.current_plan_id,
        "current_plan_name": rows.current_plan_name,
        "monthly_fee_minor": rows.monthly_fee_minor,
        "device_fee_minor": rows.device_fee_minor,
        "current_price_minor": price,
        "current_monthly_cost_minor": rows.rated_monthly_cost_minor.coalesce(price),
        "contract_end": rows.contract_end,
        "months_considered": rows.months_considered.coalesce(0),
        "best_tariffs": rows.best_tariffs,
    }


def _saving_a_year(rows: ibis.Table) -> ir.IntegerValue:
    """Twelve months of what the best tariff saves against what this use has cost on the
    current plan (the figure the notice itself quotes), not against its list price: a
    customer paying for minutes over the allowance saves more than the fees differ."""
    price = rows.monthly_fee_minor + rows.device_fee_minor
    current = rows.rated_monthly_cost_minor.coalesce(price)
    return 12 * ibis.greatest(current - rows.best_price_minor.coalesce(current), 0)


def end_of_contract(
    ledger: Ledger, asof: date, settings: Settings, notice_period_days: int = NOTICE_PERIOD_DAYS
) -> ibis.Table:
    """The Ofcom end-of-contract notice (GC C1.10), due 10-40 days before the term ends.

    Evidence: end date, current plan, its price and what this use has cost on it, the
    price after the end date (the ledger has no separate out-of-contract price: the
    plan's fee and any device fee go on), the notice period and the best tariffs for this
    customer's use. Value: the yearly saving of the best tariff against what this use
    cost; cost: none (a notice the rules require).
    """
    subs = subscription_plans(ledger, asof, load_catalogue(ledger))
    first, last = asof + timedelta(days=NOTICE_DAYS_MIN), asof + timedelta(days=NOTICE_DAYS_MAX)
    due = subs.filter(subs.contract_end >= first, subs.contract_end <= last)
    rows = due.left_join(best_tariffs(ledger, asof, due, settings), "subscription_id")
    evidence = _notice_evidence(rows) | {
        "price_after_end_minor": rows.monthly_fee_minor + rows.device_fee_minor,
        "price_after_minor": rows.monthly_fee_minor + rows.device_fee_minor,
        "notice_period_days": ibis.literal(notice_period_days),
    }
    detected_for = rows.contract_end.cast("string")
    return _moments(
        rows,
        "end_of_contract",
        detected_for,
        _saving_a_year(rows),
        ibis.literal(0, "int64"),
        evidence,
    )


def annual_best_tariff(ledger: Ledger, asof: date, settings: Settings) -> ibis.Table:
    """The Ofcom annual best-tariff notice (GC C1.13) for customers out of contract, due in
    the month of each anniversary of the day they went out of contract (rolling: start)."""
    subs = subscription_plans(ledger, asof, load_catalogue(ledger))
    since = ibis.ifelse(
        subs.contract_end.isnull(), subs.started_on, subs.contract_end + ibis.interval(days=1)
    )
    out = subs.contract_end.isnull() | (subs.contract_end < asof)
    due = subs.filter(out, since.month() == asof.month, since.year() < asof.year)
    rows = due.left_join(best_tariffs(ledger, asof, due, settings), "subscription_id")
    return _moments(
        rows,
        "annual_best_tariff",
        ibis.literal(period_of(asof)),
        _saving_a_year(rows),
        ibis.literal(0, "int64"),
        _notice_evidence(rows),
    )
