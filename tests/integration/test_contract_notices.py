"""Loyalty penalty, end-of-contract and annual best-tariff moments on DuckDB."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from goodwill.analytics.catalogue import Catalogue, load_catalogue
from goodwill.analytics.contract_notices import (
    NOTICE_PERIOD_DAYS,
    annual_best_tariff,
    end_of_contract,
    loyalty_penalty,
)
from goodwill.analytics.detectors.base import MOMENT_SCHEMA, DetectorContext
from goodwill.analytics.detectors.contract_notices import AnnualBestTariff, EndOfContract
from goodwill.channels.render import render_message
from goodwill.domain.advice import mean_minor, plan_record
from goodwill.domain.contract_terms import annual_notice_due, end_of_contract_notice_due
from goodwill.domain.periods import history_months, period_of, window_periods
from goodwill.domain.rating import Allowance, Plan, rate_month
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.sample import write_sample
from goodwill.services.detect import detect_all
from goodwill.settings import Settings
from tests.integration.small_ledger import ASOF, Line, build_ledger, monthly
from tests.integration.test_rerate import operators

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


# The notices against a reference built from the domain alone, on the sample operator and
# on random catalogues: the same lines due, the same tariffs in the same order, the same
# evidence and values.

SAMPLE_ASOF = date(2026, 11, 23)
NOTICES = {"end_of_contract": end_of_contract, "annual_best_tariff": annual_best_tariff}


def _reference(ledger: Ledger, asof: date, settings: Settings, kind: str) -> dict[str, dict]:
    """subscription_id -> {value, months, current_cost, evidence} of the notices due on ``asof``."""
    catalogue = load_catalogue(ledger)
    plans = {p.plan_id: p for p in catalogue.plans}
    window = window_periods(asof, settings.lookback_months)
    use: dict[str, dict[str, dict[str, int]]] = {}
    for row in ledger.table("usage").to_pyarrow().to_pylist():
        months = use.setdefault(row["subscription_id"], {})
        months.setdefault(row["period"], {})[row["kind"]] = row["quantity"]
    cutoff = datetime.combine(asof + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    found = {}
    for sub in ledger.table("subscriptions").to_pyarrow().to_pylist():
        plan = plans.get(sub["plan_id"])
        ended = sub["ended_at"]
        if plan is None or sub["started_at"] >= cutoff or (ended is not None and ended < cutoff):
            continue
        started_on, contract_end = sub["started_at"].astimezone(UTC).date(), sub["contract_end"]
        if kind == "end_of_contract" and not end_of_contract_notice_due(contract_end, asof):
            continue
        if kind == "annual_best_tariff" and not annual_notice_due(contract_end, started_on, asof):
            continue
        recorded = use.get(sub["subscription_id"], {})
        months = [recorded[p] for p in history_months(window, started_on, set(recorded))]
        found[sub["subscription_id"]] = _expected_moment(catalogue, plan, months, settings)
        found[sub["subscription_id"]]["evidence"]["contract_end"] = (
            None if contract_end is None else contract_end.isoformat()
        )
    return found


def _expected_moment(catalogue: Catalogue, plan: Plan, months: list, settings: Settings) -> dict:
    rates = catalogue.rates_for(plan.currency)
    price = plan.monthly_fee_minor + plan.device_fee_minor
    tariffs: list[dict] = []
    current_cost = price
    if months:
        now = [rate_month(plan, month, rates).cost_minor for month in months]
        current_cost = mean_minor(sum(now), len(months)) + plan.device_fee_minor
        ranked = []
        for other in catalogue.plans:
            if not other.on_sale or other.currency != plan.currency:
                continue
            record = plan_record(other, months, now, rates)
            if len(months) - record.months_fitting > settings.max_unfit_months:
                continue
            cost = mean_minor(record.total_minor, len(months)) + other.device_fee_minor
            key = (cost, -record.months_fitting, -record.headroom_permille, other.plan_id)
            ranked.append((key, other, cost))
        ranked.sort(key=lambda r: r[0])
        best_sim = next((r for r in ranked if r[1].sim_only), None)
        listed = ranked[:3] + ([best_sim] if best_sim and best_sim not in ranked[:3] else [])
        tariffs = [
            {"plan_id": p.plan_id, "name": p.name, "monthly_cost_minor": c, "sim_only": p.sim_only}
            for _, p, c in listed
        ]
    best = min((t["monthly_cost_minor"] for t in tariffs), default=current_cost)
    evidence = {
        "current_plan_id": plan.plan_id,
        "current_plan_name": plan.name,
        "monthly_fee_minor": plan.monthly_fee_minor,
        "device_fee_minor": plan.device_fee_minor,
        "current_price_minor": price,
        "months_considered": len(months) if tariffs else 0,
        "best_tariffs": tariffs or None,
    }
    return {
        "value": 12 * max(current_cost - best, 0),  # against what this use cost
        "current_cost": current_cost,
        "evidence": evidence,
    }


def _found(ledger: Ledger, asof: date, settings: Settings, kind: str) -> dict[str, dict]:
    table = NOTICES[kind](ledger, asof, settings)
    assert table.schema() == MOMENT_SCHEMA
    return {row["subscription_id"]: row for row in table.to_pyarrow().to_pylist()}


def assert_notices_match_the_reference(ledger: Ledger, asof: date, settings: Settings) -> int:
    """Every field of every notice as the reference says; returns how many were compared."""
    compared = 0
    for kind in NOTICES:
        expected, found = (
            _reference(ledger, asof, settings, kind),
            _found(ledger, asof, settings, kind),
        )
        assert set(found) == set(expected), kind
        for sub, row in found.items():
            evidence, want = json.loads(row["evidence"]), expected[sub]
            assert row["kind"] == kind
            assert row["value_to_customer_minor"] == want["value"], (kind, sub)
            assert row["cost_to_business_minor"] == 0
            assert {k: evidence[k] for k in want["evidence"]} == want["evidence"], (kind, sub)
            assert evidence["current_monthly_cost_minor"] == want["current_cost"], (kind, sub)
            if kind == "end_of_contract":
                price = want["evidence"]["current_price_minor"]
                assert evidence["price_after_end_minor"] == evidence["price_after_minor"] == price
                assert evidence["notice_period_days"] == NOTICE_PERIOD_DAYS
                assert row["detected_for"] == evidence["contract_end"]
            else:
                assert row["detected_for"] == period_of(asof)
            compared += 1
    return compared


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ledger, Settings]:
    root = tmp_path_factory.mktemp("notices_sample")
    write_sample(root / "source", customers=3000, months=14, seed=5, asof=SAMPLE_ASOF)
    settings = Settings(data_dir=root / "data")
    ingest(root / "source", settings)
    return open_ledger(settings.ledger_dir), settings


@pytest.mark.parametrize("days_before", [0, 20, 45])
def test_the_notices_on_the_sample_list_the_tariffs_the_domain_ranks(
    sample: tuple[Ledger, Settings], days_before: int
) -> None:
    ledger, settings = sample
    compared = assert_notices_match_the_reference(
        ledger, SAMPLE_ASOF - timedelta(days=days_before), settings
    )
    assert compared > 100


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operators(), st.sampled_from([0, 1, 2]))
def test_the_notices_rank_tariffs_as_the_domain_on_random_catalogues(
    operator: tuple, max_unfit: int
) -> None:
    """Every line due both notices: its end 20 days off, or out of contract since 2025-11."""
    catalogue, lines, defaults = operator
    due = [
        replace(line, contract_end=ASOF + timedelta(days=20))
        if i % 2
        else replace(line, started_on=date(2024, 11, 1), contract_end=date(2025, 11, 5))
        for i, line in enumerate(lines)
    ]
    ledger = build_ledger(catalogue, due, defaults)
    assert_notices_match_the_reference(ledger, ASOF, Settings(max_unfit_months=max_unfit))


CALLS_500 = Plan(
    "V-500",
    "500 minutes",
    800,
    "GBP",
    (A("voice_min", 500, Decimal("25")), A("data_mb", None, None)),
)
CALLS_ALL = Plan("V-ALL", "All the calls", 2000, "GBP", (A("voice_min", None, None),))
TALKER = monthly({"voice_min": 700}, {"voice_min": 700}, {"voice_min": 740})


def _rendered(kind: str, line: Line) -> tuple[dict, str, str]:
    """The one notice of ``kind`` that ``line`` gets, as the customer reads it."""
    detector = {"end_of_contract": EndOfContract, "annual_best_tariff": AnnualBestTariff}[kind]
    context = DetectorContext(build_ledger([CALLS_500, CALLS_ALL], [line]), ASOF, SETTINGS)
    (found,) = detect_all([detector()], context)
    (notice,) = found.moments
    message = render_message(notice, "Ann", None, {"switch": "https://example.test/switch"})
    return (
        notice.evidence,
        message.text,
        message.html.replace("<strong>", "").replace("</strong>", ""),
    )


@pytest.mark.parametrize(
    "kind, line",
    [
        ("annual_best_tariff", Line("ROLLING", "V-500", TALKER, started_on=date(2024, 11, 3))),
        (
            "end_of_contract",
            Line("ENDING", "V-500", TALKER, contract_end=ASOF + timedelta(days=20)),
        ),
    ],
)
def test_the_notices_say_what_the_use_cost_as_well_as_the_price(kind: str, line: Line) -> None:
    """The bug seen: 'it has cost you about £8 a month' to a customer billed £58 a month,
    from calls over the allowance; the cost was the fee."""
    evidence, text, html = _rendered(kind, line)
    # 200, 200 and 240 minutes over the 500 at 25p: £50, £50 and £60 on top of the £8 fee.
    assert evidence["current_price_minor"] == 800
    assert evidence["current_monthly_cost_minor"] == 800 + (5000 + 5000 + 6000) // 3 == 6133
    said = "Your plan costs £8 a month; with your use it has cost about £61.33 a month lately."
    for body in (text, html):
        assert said in body
        assert "more than the price because of use beyond your allowance" in body
    if kind == "annual_best_tariff":
        assert "save you about £41.33 a month" in text  # against All the calls at £20


def test_with_no_month_of_use_a_notice_gives_the_price_only() -> None:
    evidence, text, _ = _rendered(
        "annual_best_tariff", Line("QUIET", "V-500", {}, started_on=date(2024, 11, 3))
    )
    assert evidence["months_considered"] == 0 and evidence["best_tariffs"] is None
    assert evidence["current_monthly_cost_minor"] == evidence["current_price_minor"] == 800
    assert "Your plan costs £8 a month." in text and "with your use" not in text
