"""Loyalty penalty, end-of-contract and annual best-tariff moments on DuckDB."""

from __future__ import annotations

import json
from datetime import date, timedelta

from goodwill.analytics.contract_notices import annual_best_tariff, end_of_contract, loyalty_penalty
from goodwill.analytics.detectors.base import MOMENT_SCHEMA
from goodwill.domain.rating import Allowance, Plan
from goodwill.settings import Settings
from tests.integration.small_ledger import ASOF, Line, build_ledger, monthly

A = Allowance
HANDSET = Plan(
    "H-30",
    "Phone + 30GB",
    1250,
    "GBP",
    (A("data_mb", 30_000, None),),
    contract_months=24,
    device_fee_minor=1500,
)
SIM_10 = Plan("S-10", "10GB SIM only", 1000, "GBP", (A("data_mb", 10_000, None),))
SIM_20 = Plan("S-20", "20GB SIM only", 1200, "GBP", (A("data_mb", 20_000, None),))
PLANS = [HANDSET, SIM_10, SIM_20]
USE = monthly({"data_mb": 5000}, {"data_mb": 6000}, {"data_mb": 7000})
SETTINGS = Settings()


def moments(detector, *lines: Line) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    table = detector(build_ledger(PLANS, lines), ASOF, SETTINGS)
    assert table.schema() == MOMENT_SCHEMA
    return {row["subscription_id"]: row for row in table.to_pyarrow().to_pylist()}


def test_a_device_fee_after_the_contract_ended_is_a_loyalty_penalty() -> None:
    found = moments(
        loyalty_penalty,
        Line("PAST", "H-30", USE, contract_end=ASOF - timedelta(days=1)),
        Line("LAST_DAY", "H-30", USE, contract_end=ASOF),
        Line("SIM", "S-10", USE, contract_end=ASOF - timedelta(days=100)),
    )
    assert set(found) == {"PAST"}
    moment = found["PAST"]
    evidence = json.loads(moment["evidence"])
    assert evidence["overpaid_monthly_minor"] == 1500
    assert evidence["replacement_plan_id"] == "S-10"
    assert moment["value_to_customer_minor"] == 12 * 1500


def test_end_of_contract_notice_window_edges_9_10_40_41_days() -> None:
    lines = [
        Line(f"D{d}", "H-30", USE, contract_end=ASOF + timedelta(days=d)) for d in (9, 10, 40, 41)
    ]
    found = moments(end_of_contract, *lines)
    assert set(found) == {"D10", "D40"}
    evidence = json.loads(found["D10"]["evidence"])
    assert evidence["contract_end"] == (ASOF + timedelta(days=10)).isoformat()
    assert evidence["current_price_minor"] == evidence["price_after_end_minor"] == 2750
    assert evidence["notice_period_days"] == 30
    tariffs = evidence["best_tariffs"]
    assert [t["plan_id"] for t in tariffs] == ["S-10", "S-20", "H-30"]
    assert any(t["sim_only"] for t in tariffs)
    assert found["D10"]["detected_for"] == evidence["contract_end"]
    assert found["D10"]["value_to_customer_minor"] == 12 * (2750 - 1000)


def test_the_best_sim_only_plan_is_listed_even_when_three_device_plans_are_cheaper() -> None:
    phones = [
        Plan(
            f"H{i}", f"Phone {i}", 100 * i, "GBP", (A("data_mb", None, None),), device_fee_minor=100
        )
        for i in range(1, 5)
    ]
    line = Line("S1", "H1", USE, contract_end=ASOF + timedelta(days=20))
    table = end_of_contract(build_ledger([*phones, SIM_10], [line]), ASOF, SETTINGS)
    tariffs = json.loads(table.to_pyarrow().to_pylist()[0]["evidence"])["best_tariffs"]
    assert [t["plan_id"] for t in tariffs] == ["H1", "H2", "H3", "S-10"]


def test_annual_best_tariff_notice_goes_out_of_contract_in_the_anniversary_month() -> None:
    found = moments(
        annual_best_tariff,
        Line("ROLLING", "S-10", USE, started_on=date(2024, 11, 3)),
        Line("ENDED_A_YEAR_AGO", "H-30", USE, contract_end=date(2025, 11, 14)),
        Line("ENDED_THIS_MONTH", "H-30", USE, contract_end=date(2026, 11, 2)),
        Line("OTHER_MONTH", "S-10", USE, started_on=date(2024, 10, 3)),
        Line(
            "IN_CONTRACT", "H-30", USE, started_on=date(2024, 11, 3), contract_end=date(2026, 12, 2)
        ),
    )
    assert set(found) == {"ROLLING", "ENDED_A_YEAR_AGO"}
    evidence = json.loads(found["ROLLING"]["evidence"])
    assert evidence["best_tariffs"][0]["plan_id"] == "S-10"
    assert found["ROLLING"]["value_to_customer_minor"] == 0
