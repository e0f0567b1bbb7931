"""The scalar rating reference: fees, overage rounding, capped, unlimited, default rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from goodwill.domain.money import Money
from goodwill.domain.periods import add_months, history_months, window_periods
from goodwill.domain.rating import (
    DEFAULT,
    NOT_OFFERED,
    PLAN,
    Allowance,
    Plan,
    overage_minor,
    rate_month,
    rate_units,
)

A = Allowance
PLAN_750 = Plan(
    "P-750",
    "Goodybag 7.50",
    750,
    "GBP",
    (
        A("data_mb", 3000, None),  # capped
        A("voice_min", 500, Decimal("25")),  # 25p a minute beyond 500
        A("sms", None, None),  # unlimited
        A("voice_onnet_min", None, None),  # calls to other members are free
        A("roaming_mb", 0, Decimal("0.5")),  # half a penny a MB from the first
    ),
)
DEFAULTS = {"intl_min": Decimal("50")}


def test_a_month_within_every_allowance_costs_the_fee() -> None:
    month = rate_month(PLAN_750, {"data_mb": 3000, "voice_min": 500, "sms": 10_000})
    assert (month.cost_minor, month.overage_minor, month.fits) == (750, 0, True)
    assert month.cost == Money(750, "GBP")


def test_overage_is_charged_beyond_the_allowance() -> None:
    month = rate_month(PLAN_750, {"voice_min": 510})
    assert month.overage_minor == 250
    assert month.cost_minor == 1000
    assert month.fits


def test_each_kind_is_rounded_up_to_a_whole_penny_on_its_own() -> None:
    # 3 MB at 0.5p is 1.5p -> 2p; rounding the sum of kinds instead would differ.
    month = rate_month(PLAN_750, {"roaming_mb": 3})
    assert month.overage_minor == 2
    assert overage_minor(1, rate_units("0.0001")) == 1  # the smallest charge is a penny
    assert overage_minor(0, rate_units("99")) == 0


def test_use_beyond_a_capped_allowance_means_the_plan_does_not_fit() -> None:
    month = rate_month(PLAN_750, {"data_mb": 3001, "voice_min": 501})
    assert not month.fits
    # Nothing is charged for the capped excess; the other kinds are still charged.
    assert month.cost_minor == 750 + 25
    data = next(k for k in month.kinds if k.kind == "data_mb")
    assert (data.excess, data.overage_minor, data.fits) == (1, 0, False)


def test_unlimited_and_on_net_kinds_are_free_however_much_is_used() -> None:
    month = rate_month(PLAN_750, {"sms": 10**9, "voice_onnet_min": 10**9})
    assert (month.cost_minor, month.fits) == (750, True)


def test_a_kind_the_plan_does_not_list_takes_the_default_rate_from_the_first_unit() -> None:
    month = rate_month(PLAN_750, {"intl_min": 3}, DEFAULTS)
    line = month.kinds[0]
    assert (line.terms.source, line.terms.included, line.overage_minor) == (DEFAULT, 0, 150)
    assert month.fits


def test_a_kind_with_no_allowance_and_no_default_rate_does_not_fit_when_used() -> None:
    used = rate_month(PLAN_750, {"satellite_min": 1}, DEFAULTS)
    unused = rate_month(PLAN_750, {"satellite_min": 0}, DEFAULTS)
    assert used.kinds[0].terms.source == NOT_OFFERED
    assert (used.fits, used.cost_minor) == (False, 750)
    assert unused.fits


def test_a_zero_fee_plan_costs_only_its_overage() -> None:
    free = Plan("FREE", "Pay as you go", 0, "GBP", (A("voice_min", 0, Decimal("9.5")),))
    month = rate_month(free, {"voice_min": 3})
    assert month.cost_minor == 29  # 28.5p rounded up
    assert month.kinds[0].terms.source == PLAN


def test_the_breakdown_lists_every_kind_used_in_name_order() -> None:
    month = rate_month(PLAN_750, {"voice_min": 501, "data_mb": 1}, DEFAULTS)
    assert [k.kind for k in month.kinds] == ["data_mb", "voice_min"]
    assert [k.overage_minor for k in month.kinds] == [0, 25]


@pytest.mark.parametrize("rate", ["0.00001", "-1"])
def test_a_rate_finer_than_four_decimals_or_negative_is_refused(rate: str) -> None:
    with pytest.raises(ValueError, match="at most 4 decimals"):
        rate_units(rate)


def test_money_formats_and_refuses_to_mix_currencies() -> None:
    assert str(Money(750, "GBP")) == "£7.50"
    assert str(Money(250, "GBP") * 12) == "£30"
    assert str(Money(1000, "GBP") - Money(1250, "GBP")) == "-£2.50"
    with pytest.raises(ValueError, match="GBP and EUR"):
        Money(1, "GBP") + Money(1, "EUR")
    with pytest.raises(TypeError):
        Money(1.5, "GBP")  # type: ignore[arg-type]


def test_the_window_is_the_complete_months_before_the_month_of_asof() -> None:
    assert window_periods(date(2026, 11, 23), 6) == (
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    )
    assert window_periods(date(2027, 1, 1), 2) == ("2026-11", "2026-12")
    assert add_months("2026-01", -13) == "2024-12"


def test_history_months_need_usage_and_a_whole_month_of_subscription() -> None:
    window = ("2026-05", "2026-06", "2026-07")
    started_mid_may = date(2026, 5, 15)
    assert history_months(window, started_mid_may, {"2026-05", "2026-07"}) == ("2026-07",)
    assert history_months(window, date(2026, 5, 1), {"2026-05"}) == ("2026-05",)
