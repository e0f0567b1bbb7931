"""Plan advice on DuckDB, case by case: the worked example and the rules around it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest

from goodwill.analytics.advice import better_plan, plan_advice
from goodwill.analytics.detectors.base import MOMENT_SCHEMA
from goodwill.domain.rating import Allowance, Plan
from goodwill.errors import LedgerError
from goodwill.settings import Settings
from tests.integration.small_ledger import ASOF, Line, build_ledger, monthly

A = Allowance
TEN = Plan("P-1000", "Goodybag 10", 1000, "GBP", (A("data_mb", 10_000, None),))
SEVEN_FIFTY = Plan("P-750", "Goodybag 7.50", 750, "GBP", (A("data_mb", 3000, None),))
SETTINGS = Settings()


def data(*megabytes: int) -> dict:
    return monthly(*({"data_mb": mb} for mb in megabytes))


def advice_for(plans: list[Plan], *lines: Line, settings: Settings = SETTINGS) -> dict[str, dict]:
    table = plan_advice(build_ledger(plans, lines), ASOF, settings, advised_only=False)
    return {row["subscription_id"]: row for row in table.to_pyarrow().to_pylist()}


def test_worked_example_saves_2_50_a_month_and_30_a_year() -> None:
    rows = advice_for(
        [TEN, SEVEN_FIFTY], Line("S1", "P-1000", data(2000, 2500, 2900, 1000, 2000, 3000))
    )
    row = rows["S1"]
    assert row["advised"] and row["recommended_plan_id"] == "P-750"
    assert (row["current_monthly_cost_minor"], row["recommended_monthly_cost_minor"]) == (1000, 750)
    assert (row["monthly_saving_minor"], row["annual_saving_minor"]) == (250, 3000)
    assert (row["months_considered"], row["months_fitting"], row["months_cheaper"]) == (6, 6, 6)
    assert row["avg_data_mb"] == 2233.3


def test_worked_example_over_the_cap_in_two_months_is_not_advised_in_one_it_is() -> None:
    rows = advice_for(
        [TEN, SEVEN_FIFTY],
        Line("TWO", "P-1000", data(2000, 3500, 2900, 3100, 2000, 1000)),
        Line("ONE", "P-1000", data(2000, 3500, 2900, 1000, 2000, 1000)),
    )
    assert not rows["TWO"]["advised"]
    assert rows["ONE"]["advised"] and rows["ONE"]["months_fitting"] == 5


def test_capped_overage_unlimited_and_on_net_free_kinds() -> None:
    small = Plan(
        "SMALL",
        "Small",
        500,
        "GBP",
        (A("voice_min", 100, Decimal("10")), A("voice_onnet_min", None, None)),
    )
    unlimited = Plan(
        "UNL",
        "Unlimited",
        900,
        "GBP",
        (A("voice_min", None, None), A("voice_onnet_min", None, None)),
    )
    capped = Plan(
        "CAP", "Capped", 400, "GBP", (A("voice_min", 150, None), A("voice_onnet_min", None, None))
    )
    use = monthly(*({"voice_min": 200, "voice_onnet_min": 5000} for _ in range(3)))
    rows = advice_for([small, unlimited, capped], Line("S1", "SMALL", use))
    # Small pays 500 + 100 minutes at 10p; capped does not fit; unlimited is cheaper.
    assert rows["S1"]["current_monthly_cost_minor"] == 1500
    assert rows["S1"]["recommended_plan_id"] == "UNL"
    assert rows["S1"]["advised"]


def test_a_kind_a_plan_does_not_list_is_charged_at_the_default_rate_or_does_not_fit() -> None:
    no_intl = Plan("CHEAP", "Cheap", 300, "GBP", (A("data_mb", None, None),))
    with_intl = Plan(
        "WORLD", "World", 900, "GBP", (A("data_mb", None, None), A("intl_min", 100, None))
    )
    use = monthly(*({"intl_min": 20} for _ in range(3)))
    plans = [no_intl, with_intl]
    no_default = advice_for(plans, Line("S1", "WORLD", use))
    assert no_default["S1"]["recommended_plan_id"] == "WORLD"
    ledger = build_ledger(plans, [Line("S1", "WORLD", use)], {("intl_min", "GBP"): Decimal("5")})
    row = plan_advice(ledger, ASOF, SETTINGS).to_pyarrow().to_pylist()[0]
    assert (row["recommended_plan_id"], row["recommended_monthly_cost_minor"]) == ("CHEAP", 400)


def test_new_ended_and_partial_month_subscriptions() -> None:
    rows = advice_for(
        [TEN, SEVEN_FIFTY],
        Line("NEW", "P-1000", data(100, 100), started_on=date(2026, 9, 1)),
        Line("PARTIAL", "P-1000", data(100, 100, 100), started_on=date(2026, 8, 2)),
        Line("ENDED", "P-1000", data(100, 100, 100), ended_on=ASOF),
        Line("ENDS_TOMORROW", "P-1000", data(100, 100, 100), ended_on=ASOF + timedelta(days=1)),
    )
    assert set(rows) == {"ENDS_TOMORROW"}  # 2 months; 2 whole months; ended on asof


def test_legacy_plans_are_never_recommended_but_are_rated_as_the_current_plan() -> None:
    legacy = Plan("OLD", "Old cheap", 100, "GBP", (A("data_mb", None, None),), on_sale=False)
    rows = advice_for(
        [TEN, SEVEN_FIFTY, legacy],
        Line("S1", "P-1000", data(500, 500, 500)),
        Line("S2", "OLD", data(500, 500, 500)),
    )
    assert rows["S1"]["recommended_plan_id"] == "P-750"
    assert rows["S2"]["current_monthly_cost_minor"] == 100 and not rows["S2"]["advised"]


def test_in_contract_subscriptions_get_the_advice_flagged_with_the_end_date() -> None:
    end = date(2027, 3, 31)
    rows = advice_for(
        [TEN, SEVEN_FIFTY], Line("S1", "P-1000", data(500, 500, 500), contract_end=end)
    )
    assert rows["S1"]["advised"] and rows["S1"]["in_contract"] and rows["S1"]["contract_end"] == end
    out = advice_for(
        [TEN, SEVEN_FIFTY],
        Line("S1", "P-1000", data(500, 500, 500), contract_end=ASOF - timedelta(days=1)),
    )
    assert not out["S1"]["in_contract"]


def test_better_plan_moments_carry_value_and_evidence() -> None:
    ledger = build_ledger([TEN, SEVEN_FIFTY], [Line("S1", "P-1000", data(500, 500, 500))])
    table = better_plan(ledger, ASOF, SETTINGS)
    assert table.schema() == MOMENT_SCHEMA
    [moment] = table.to_pyarrow().to_pylist()
    assert moment["kind"] == "better_plan" and moment["detected_for"] == "2026-11"
    assert moment["value_to_customer_minor"] == moment["cost_to_business_minor"] == 3000
    assert '"recommended_plan_id":"P-750"' in moment["evidence"]


def test_two_usage_rows_for_one_month_and_kind_stop_the_advice_with_a_clear_error() -> None:
    ledger = build_ledger([TEN, SEVEN_FIFTY], [Line("S1", "P-1000", data(500, 500, 500))])
    extra = pa.table(
        {"subscription_id": ["S1"], "period": ["2026-10"], "kind": ["data_mb"], "quantity": [1]}
    )
    ledger.con.insert("usage", extra)
    with pytest.raises(LedgerError, match="two rows for one subscription, period and kind"):
        plan_advice(ledger, ASOF, SETTINGS).to_pyarrow()


def test_a_quantity_too_large_to_rate_is_refused_with_what_to_do() -> None:
    ledger = build_ledger([TEN], [Line("S1", "P-1000", data(2**41, 1, 1))])
    with pytest.raises(LedgerError, match="record it in a larger unit"):
        plan_advice(ledger, ASOF, SETTINGS)
