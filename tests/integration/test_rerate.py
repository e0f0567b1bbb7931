"""Re-rating (every plan's costs, and advice) agrees exactly with the scalar reference in domain/."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from goodwill.analytics.advice import plan_advice
from goodwill.analytics.plan_costs import plan_costs
from goodwill.analytics.rerate import rerate
from goodwill.domain.advice import AdviceRules, advise_subscription, plan_record
from goodwill.domain.periods import history_months
from goodwill.domain.rating import Allowance, Plan, rate_month
from goodwill.settings import Settings
from tests.integration.small_ledger import ASOF, WINDOW, Line, build_ledger

KINDS = ("voice_min", "sms", "data_mb", "intl_min", "roaming_mb")
RATES = st.one_of(
    st.sampled_from([Decimal("0"), Decimal("25"), Decimal("0.5"), Decimal("10")]),
    st.integers(0, 1_000_000).map(lambda units: Decimal(units) / 10_000),
)
QUANTITY = st.one_of(st.sampled_from([0, 1, 500, 3000]), st.integers(0, 6000))


@st.composite
def plans(draw: st.DrawFn, index: int) -> Plan:
    kinds = draw(st.lists(st.sampled_from(KINDS), unique=True, max_size=len(KINDS)))
    allowances = tuple(
        Allowance(kind, draw(st.none() | st.integers(0, 3000)), draw(st.none() | RATES))
        for kind in kinds
    )
    return Plan(
        plan_id=f"P{index}",
        name=f"Plan {index}",
        monthly_fee_minor=draw(st.sampled_from([0, 500, 750, 1000]) | st.integers(0, 3000)),
        currency=draw(st.sampled_from(["GBP", "GBP", "GBP", "EUR"])),
        allowances=allowances,
        on_sale=draw(st.booleans()),
        device_fee_minor=draw(st.sampled_from([0, 0, 0, 1500])),
    )


@st.composite
def lines(draw: st.DrawFn, index: int, plan_ids: list[str]) -> Line:
    months = draw(st.lists(st.sampled_from(WINDOW), unique=True, max_size=len(WINDOW)))
    usage = {
        period: draw(st.dictionaries(st.sampled_from(KINDS), QUANTITY, max_size=len(KINDS)))
        for period in months
    }
    started = draw(st.sampled_from([date(2025, 1, 1), date(2026, 6, 1), date(2026, 7, 15)]))
    ended = draw(st.sampled_from([None, None, None, date(2026, 11, 23), date(2026, 11, 24)]))
    return Line(f"S{index}", draw(st.sampled_from(plan_ids)), usage, started, ended)


@st.composite
def operators(draw: st.DrawFn) -> tuple[list[Plan], list[Line], dict[tuple[str, str], Decimal]]:
    catalogue = [draw(plans(i)) for i in range(draw(st.integers(1, 5)))]
    ids = [p.plan_id for p in catalogue]
    subscriptions = [draw(lines(i, ids)) for i in range(draw(st.integers(1, 4)))]
    defaults = draw(st.dictionaries(st.tuples(st.sampled_from(KINDS), st.just("GBP")), RATES))
    return catalogue, subscriptions, defaults


def _recorded(line: Line) -> set[str]:
    return {period for period, kinds in line.usage.items() if kinds}


def active(line: Line) -> bool:
    return line.started_on <= ASOF and (line.ended_on is None or line.ended_on > ASOF)


def rates_for(defaults: dict[tuple[str, str], Decimal], currency: str) -> dict[str, Decimal]:
    return {k: r for (k, c), r in defaults.items() if c == currency}


def expected_costs(catalogue: list[Plan], subs: list[Line], defaults: dict) -> dict:
    by_id = {p.plan_id: p for p in catalogue}
    found = {}
    for line in filter(active, subs):
        current = by_id[line.plan_id]
        offered = [p for p in catalogue if p.currency == current.currency and p.on_sale]
        offered += [] if current.on_sale else [current]
        for period in history_months(WINDOW, line.started_on, _recorded(line)):
            for plan in offered:
                month = rate_month(plan, line.usage[period], rates_for(defaults, plan.currency))
                found[(line.subscription_id, period, plan.plan_id)] = (month.cost_minor, month.fits)
    return found


SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(operators())
def test_every_cost_and_fit_flag_equals_the_scalar_reference(operator: tuple) -> None:
    catalogue, subs, defaults = operator
    rows = rerate(build_ledger(catalogue, subs, defaults), ASOF).to_pyarrow().to_pylist()
    got = {
        (r["subscription_id"], r["period"], r["plan_id"]): (r["cost_minor"], r["fits"])
        for r in rows
    }
    assert got == expected_costs(catalogue, subs, defaults)
    assert all(r["is_current_plan"] == (r["plan_id"] == _plan_of(subs, r)) for r in rows)


@SLOW
@given(operators())
def test_every_plans_totals_equal_the_scalar_reference(operator: tuple) -> None:
    """Per subscription and plan: total, months fitting, months cheaper and headroom."""
    catalogue, subs, defaults = operator
    ledger = build_ledger(catalogue, subs, defaults)
    costs = plan_costs(ledger, ASOF, 6, ledger.table("subscriptions"))
    ids = costs.job.plans.plan_ids
    got = {
        (sub, ids[p]): (
            int(costs.total_minor[i, p]),
            int(costs.months_fitting[i, p]),
            int(costs.months_cheaper[i, p]),
            int(costs.headroom_permille[i, p]),
        )
        for i, sub in enumerate(costs.rows.column("subscription_id").to_pylist())
        for p in range(len(ids))
        if costs.rated[i, p] and costs.months_considered[i]
    }
    assert got == expected_totals(catalogue, subs, defaults)


def expected_totals(catalogue: list[Plan], subs: list[Line], defaults: dict) -> dict:
    by_id = {p.plan_id: p for p in catalogue}
    found = {}
    for line in filter(active, subs):
        current = by_id[line.plan_id]
        rates = rates_for(defaults, current.currency)
        months = [line.usage[p] for p in history_months(WINDOW, line.started_on, _recorded(line))]
        if not months:
            continue
        now = [rate_month(current, month, rates).cost_minor for month in months]
        offered = [p for p in catalogue if p.currency == current.currency and p.on_sale]
        for plan in offered + ([] if current.on_sale else [current]):
            r = plan_record(plan, months, now, rates_for(defaults, plan.currency))
            found[(line.subscription_id, plan.plan_id)] = (
                r.total_minor,
                r.months_fitting,
                r.months_cheaper,
                r.headroom_permille,
            )
    return found


def _plan_of(subs: list[Line], row: dict) -> str:
    return next(s.plan_id for s in subs if s.subscription_id == row["subscription_id"])


RULES = st.builds(
    AdviceRules,
    min_history_months=st.sampled_from([1, 3]),
    max_unfit_months=st.sampled_from([0, 1, 2]),
    min_saving_minor=st.sampled_from([0, 100]),
    min_saving_percent=st.sampled_from([0, 5]),
)


@pytest.mark.slow
@SLOW
@given(operators(), RULES)
def test_every_advice_equals_the_scalar_reference(operator: tuple, rules: AdviceRules) -> None:
    catalogue, subs, defaults = operator
    options = Settings(
        min_history_months=rules.min_history_months,
        max_unfit_months=rules.max_unfit_months,
        min_saving_minor=rules.min_saving_minor,
        min_saving_percent=rules.min_saving_percent,
    )
    ledger = build_ledger(catalogue, subs, defaults)
    rows = plan_advice(ledger, ASOF, options, advised_only=False).to_pyarrow().to_pylist()
    got = {r["subscription_id"]: _summary(r) for r in rows}
    assert got == _expected_advice(catalogue, subs, defaults, rules)


def _summary(row: dict) -> tuple:
    return (
        row["recommended_plan_id"],
        row["current_monthly_cost_minor"],
        row["recommended_monthly_cost_minor"],
        row["months_considered"],
        row["months_fitting"],
        row["months_cheaper"],
        row["advised"],
        row["monthly_saving_minor"],
        row["annual_saving_minor"],
        row["headroom_permille"],
    )


def _expected_advice(
    catalogue: list[Plan], subs: list[Line], defaults: dict, rules: AdviceRules
) -> dict:
    by_id = {p.plan_id: p for p in catalogue}
    found = {}
    for line in filter(active, subs):
        current = by_id[line.plan_id]
        months = history_months(WINDOW, line.started_on, _recorded(line))
        usage = [line.usage[p] for p in months]
        advice = advise_subscription(
            current, catalogue, usage, rates_for(defaults, current.currency), rules
        )
        if advice is None or not any(
            p.on_sale and p.sim_only and p.currency == current.currency for p in catalogue
        ):
            continue
        best = advice.recommended
        found[line.subscription_id] = (
            None if best is None else best.plan_id,
            advice.current_monthly_cost_minor,
            advice.recommended_monthly_cost_minor,
            advice.months_considered,
            None if best is None else best.months_fitting,
            None if best is None else best.months_cheaper,
            advice.advised,
            advice.monthly_saving_minor,
            advice.annual_saving_minor,
            None if best is None else best.headroom_permille,
        )
    return found
