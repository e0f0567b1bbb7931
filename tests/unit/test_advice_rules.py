"""The plan-advice rule for one subscription, and the contract-term rules around it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from goodwill.domain.advice import (
    HEADROOM_MAX,
    AdviceRules,
    PlanRecord,
    advise,
    advise_subscription,
    choose_plan,
    headroom_permille,
    mean_minor,
)
from goodwill.domain.contract_terms import (
    annual_notice_due,
    end_of_contract_notice_due,
    in_contract,
    pays_loyalty_penalty,
)
from goodwill.domain.rating import Allowance, Plan

A = Allowance
TEN = Plan("P-1000", "Goodybag 10", 1000, "GBP", (A("data_mb", 10_000, None),))
SEVEN_FIFTY = Plan("P-750", "Goodybag 7.50", 750, "GBP", (A("data_mb", 3000, None),))
CATALOGUE = (TEN, SEVEN_FIFTY)


def months_of_data(*megabytes: int) -> list[dict[str, int]]:
    return [{"data_mb": mb} for mb in megabytes]


def test_worked_example_a_member_on_10_pounds_who_fits_7_50_saves_2_50_a_month() -> None:
    """The seed's worked example: six months within 3,000 MB on the £10 plan."""
    advice = advise_subscription(
        TEN, CATALOGUE, months_of_data(2000, 2500, 2900, 1000, 2000, 3000), {}
    )
    assert advice is not None and advice.advised
    assert advice.recommended is not None and advice.recommended.plan_id == "P-750"
    assert (advice.current_monthly_cost_minor, advice.recommended_monthly_cost_minor) == (1000, 750)
    assert (advice.monthly_saving_minor, advice.annual_saving_minor) == (250, 3000)
    assert (advice.recommended.months_fitting, advice.recommended.months_cheaper) == (6, 6)


def test_worked_example_two_months_over_the_cap_fit_only_4_of_6_so_no_advice() -> None:
    advice = advise_subscription(
        TEN, CATALOGUE, months_of_data(2000, 3500, 2900, 3100, 2000, 1000), {}
    )
    assert advice is not None and not advice.advised
    assert advice.recommended is not None and advice.recommended.plan_id == "P-1000"


def test_worked_example_one_month_over_the_cap_still_advised() -> None:
    advice = advise_subscription(
        TEN, CATALOGUE, months_of_data(2000, 3500, 2900, 1000, 2000, 1000), {}
    )
    assert advice is not None and advice.advised
    assert advice.recommended is not None and advice.recommended.months_fitting == 5
    assert advice.monthly_saving_minor == 250


def test_the_unfit_allowance_is_a_setting() -> None:
    strict = AdviceRules(max_unfit_months=0)
    advice = advise_subscription(TEN, CATALOGUE, months_of_data(2000, 3500, 2900), {}, strict)
    assert advice is not None and not advice.advised


def test_a_plan_too_small_is_a_saving_too_when_overage_makes_a_bigger_plan_cheaper() -> None:
    small = Plan("S", "Small", 500, "GBP", (A("data_mb", 1000, Decimal("1")),))
    big = Plan("B", "Big", 1000, "GBP", (A("data_mb", 5000, None),))
    advice = advise_subscription(small, (small, big), months_of_data(2000, 2200, 1900), {})
    assert advice is not None and advice.advised
    assert advice.recommended is not None and advice.recommended.plan_id == "B"
    assert advice.current_monthly_cost_minor == 500 + 1033  # 1,033 MB over on average


def test_fewer_than_three_months_of_history_gets_no_advice() -> None:
    assert advise_subscription(TEN, CATALOGUE, months_of_data(100, 100), {}) is None
    assert advise_subscription(TEN, CATALOGUE, months_of_data(100, 100, 100), {}) is not None


def test_legacy_and_device_plans_are_never_recommended() -> None:
    legacy = Plan("OLD", "Old", 100, "GBP", (A("data_mb", None, None),), on_sale=False)
    handset = Plan("H", "Phone", 100, "GBP", (A("data_mb", None, None),), device_fee_minor=2000)
    advice = advise_subscription(TEN, (TEN, legacy, handset), months_of_data(500, 500, 500), {})
    assert advice is not None and not advice.advised
    assert advice.recommended is not None and advice.recommended.plan_id == "P-1000"


def test_a_plan_in_another_currency_is_not_a_candidate() -> None:
    euro = Plan("E", "Euro", 100, "EUR", (A("data_mb", None, None),))
    advice = advise_subscription(TEN, (TEN, euro), months_of_data(500, 500, 500), {})
    assert advice is not None and advice.recommended is not None
    assert advice.recommended.plan_id == "P-1000"


@pytest.mark.parametrize(
    ("current_total", "recommended_total", "advised"),
    [
        (3000, 2703, False),  # 99p a month
        (3000, 2700, True),  # £1 a month and 10%
        (9000, 8700, False),  # £1 a month but only 3.3%
        (6000, 5700, True),  # £1 a month and exactly 5%
    ],
)
def test_both_saving_thresholds_are_tested_exactly_on_totals(
    current_total: int, recommended_total: int, advised: bool
) -> None:
    current = PlanRecord("NOW", current_total, 3, 0, 0)
    cheaper = PlanRecord("NEW", recommended_total, 3, 3, 0)
    advice = advise(current, [current, cheaper], months_considered=3)
    assert advice is not None and advice.advised is advised


def test_ties_go_to_more_months_fitting_then_more_headroom_then_plan_id() -> None:
    a = PlanRecord("A", 3000, 5, 0, HEADROOM_MAX)
    b = PlanRecord("B", 3000, 6, 0, 1000)
    c = PlanRecord("C", 3000, 6, 0, 2000)
    d = PlanRecord("D", 3000, 6, 0, 2000)
    assert choose_plan([a, b], 6, 1) == b
    assert choose_plan([a, b, d, c], 6, 1) == c
    assert choose_plan([PlanRecord("Z", 2999, 5, 0, 0), c], 6, 1) == PlanRecord("Z", 2999, 5, 0, 0)


def test_headroom_is_the_tightest_allowance_over_the_busiest_month() -> None:
    plan = Plan("P", "P", 0, "GBP", (A("data_mb", 3000, None), A("sms", None, None)))
    assert headroom_permille(plan, {"data_mb": 2000, "sms": 50}, {}) == 1500
    assert headroom_permille(plan, {"sms": 50, "data_mb": 0}, {}) == HEADROOM_MAX
    assert headroom_permille(plan, {"intl_min": 5}, {"intl_min": Decimal("50")}) == 0


def test_equal_costs_recommend_the_plan_with_more_room() -> None:
    tight = Plan("A-TIGHT", "Tight", 750, "GBP", (A("data_mb", 3000, None),))
    roomy = Plan("B-ROOMY", "Roomy", 750, "GBP", (A("data_mb", 6000, None),))
    advice = advise_subscription(TEN, (TEN, tight, roomy), months_of_data(2000, 2000, 2900), {})
    assert advice is not None and advice.recommended is not None
    assert advice.recommended.plan_id == "B-ROOMY"


def test_monthly_means_round_half_up_and_the_message_adds_up() -> None:
    assert (mean_minor(2500, 2), mean_minor(2501, 2), mean_minor(1000, 3)) == (1250, 1251, 333)
    current = PlanRecord("NOW", 3001, 3, 0, 0)  # 1000.33 -> 1000
    cheaper = PlanRecord("NEW", 2000, 3, 3, 0)  # 666.67 -> 667
    advice = advise(current, [cheaper], months_considered=3)
    assert advice is not None
    assert advice.monthly_saving_minor == 1000 - 667
    assert advice.annual_saving_minor == 12 * advice.monthly_saving_minor


ASOF = date(2026, 11, 23)


def test_in_contract_runs_through_the_last_day_of_the_term() -> None:
    assert in_contract(ASOF, ASOF)
    assert not in_contract(ASOF - timedelta(days=1), ASOF)
    assert not in_contract(None, ASOF)


@pytest.mark.parametrize(("days", "due"), [(9, False), (10, True), (40, True), (41, False)])
def test_end_of_contract_notice_window_edges(days: int, due: bool) -> None:
    assert end_of_contract_notice_due(ASOF + timedelta(days=days), ASOF) is due


def test_annual_best_tariff_notice_is_due_in_the_anniversary_month_out_of_contract() -> None:
    ended = date(2025, 11, 9)  # out of contract from 10 November 2025
    assert annual_notice_due(ended, date(2023, 11, 10), ASOF)
    assert not annual_notice_due(ended, date(2023, 11, 10), date(2025, 11, 23))  # not a year yet
    assert not annual_notice_due(ended, date(2023, 11, 10), date(2026, 12, 1))
    assert annual_notice_due(None, date(2024, 11, 30), ASOF)  # rolling: from its start
    assert not annual_notice_due(date(2027, 11, 1), date(2025, 11, 2), ASOF)  # in contract


def test_a_device_fee_after_the_term_is_a_loyalty_penalty() -> None:
    assert pays_loyalty_penalty(ASOF - timedelta(days=1), ASOF, 1500)
    assert not pays_loyalty_penalty(ASOF, ASOF, 1500)
    assert not pays_loyalty_penalty(ASOF - timedelta(days=1), ASOF, 0)
    assert not pays_loyalty_penalty(None, ASOF, 1500)
