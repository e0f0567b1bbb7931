"""Every documented parameter of the sample operator, with its default.

These are written to ``truth.json`` as they are, so that later features can be checked
against what the generator put in. Shares are fractions (0.15 = 15%); hazard ratios
multiply the base monthly churn hazard while their condition holds; times are minutes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


def _table(**values: float) -> dict[str, float]:
    return dict(values)


@dataclass(frozen=True)
class SampleParams:
    """The knobs of the synthetic MVNO (documented in docs/sample.md)."""

    # Population: launch five years ago, growing ~2% a month; a few family accounts.
    launch_months_ago: int = 60
    monthly_join_growth: float = 0.02
    lines_per_customer_shares: tuple[float, ...] = (0.895, 0.065, 0.03, 0.01)  # 1, 2, 3, 4 lines
    extra_line_user_share: float = 0.9  # extra lines used by someone else (a user_name)
    referred_design_share: float = 0.16
    email_missing_share: float = 0.04
    locale_missing_share: float = 0.1
    consent_shares: dict[str, float] = field(
        default_factory=lambda: _table(advice=0.72, care=0.9, marketing=0.38, survey=0.5)
    )

    # Monthly needs per line at its start: lognormal, with a heavy-data minority.
    data_median_mb: float = 3_500.0
    data_sigma: float = 1.0
    heavy_data_share: float = 0.1
    heavy_data_median_mb: float = 28_000.0
    heavy_data_sigma: float = 0.7
    voice_median_min: float = 110.0
    voice_sigma: float = 0.9
    sms_median: float = 25.0
    sms_sigma: float = 1.2
    onnet_share: float = 0.12  # of calls and texts that go to other members
    family_onnet_share: float = 0.35
    intl_user_share: float = 0.07
    intl_median_min: float = 25.0
    intl_month_probability: float = 0.6
    roaming_user_share: float = 0.05
    roaming_median_mb: float = 400.0
    data_growth_per_month: float = 0.006
    voice_trend_per_month: float = -0.003
    sms_trend_per_month: float = -0.005
    seasonal_amplitude: float = 0.07  # data peaks in August, calls in December
    month_noise_sigma: dict[str, float] = field(
        default_factory=lambda: _table(
            data_mb=0.2, voice=0.3, sms=0.35, intl_min=0.6, roaming_mb=0.9
        )
    )

    # How lines chose their plan, and how their plan came to misfit.
    headroom_median: float = 1.15  # most buy a plan ~15% above what they expect to use
    headroom_sigma: float = 0.1
    cautious_share: float = 0.04  # bought far more than they need, to be safe
    cautious_headroom: tuple[float, float] = (2.5, 4.0)
    too_small_share: float = 0.05  # chose by data alone and call more than the plan includes
    too_small_voice_excess: tuple[float, float] = (1.1, 1.5)  # calls as a multiple of minutes
    handset_share: float = 0.06
    handset_data_factor: float = 1.6  # people who buy a phone on a plan use more data
    handset_pro_share: float = 0.15  # take the pro handset whatever their data need
    legacy_withdrawn_months_ago: int = 30
    legacy_stay_share: float = 0.3  # of lines started before then, still on a legacy plan
    drift_down_share: float = 0.1  # use drifts down until the plan is too big
    drift_rate_per_month: tuple[float, float] = (0.08, 0.2)
    drift_floor: tuple[float, float] = (0.2, 0.5)

    # Churn: a monthly hazard, multiplied while each condition holds.
    base_monthly_churn: float = 0.012
    churn_hazard_ratio_overpaying: float = 1.6
    churn_hazard_ratio_broken_promise: float = 2.0
    churn_hazard_ratio_slow_response: float = 1.5
    churn_hazard_ratio_in_contract: float = 0.35
    churn_hazard_ratio_referred: float = 0.8
    hazard_effect_months: int = 3  # a broken promise or slow answer weighs this long

    # Tickets.
    tickets_per_customer_month: float = 0.05
    billing_tickets_per_overpaying_month: float = 0.04
    unanswered_share: float = 0.015
    channel_shares: dict[str, float] = field(
        default_factory=lambda: _table(
            chat=0.35, phone=0.25, email=0.2, web=0.1, social=0.07, store=0.03
        )
    )
    first_response_median_minutes: dict[str, float] = field(
        default_factory=lambda: _table(chat=4, phone=8, email=480, web=360, social=120, store=15)
    )
    first_response_sigma: float = 1.0
    slow_response_minutes: dict[str, float] = field(
        default_factory=lambda: _table(
            chat=15, phone=20, email=1_440, web=1_440, social=240, store=60
        )
    )
    resolution_median_minutes: dict[str, float] = field(
        default_factory=lambda: _table(
            chat=45, phone=30, email=1_440, web=1_440, social=720, store=40
        )
    )
    resolution_sigma: float = 1.3
    complaint_resolution_factor: float = 3.0
    category_shares: dict[str, float] = field(
        default_factory=lambda: _table(
            billing=0.22, network=0.16, data=0.12, plan_change=0.14, porting=0.07,
            lost_sim=0.06, device=0.06, roaming=0.05, account=0.12,
        )
    )  # fmt: skip
    complaint_probability: dict[str, float] = field(
        default_factory=lambda: _table(
            billing=0.2, network=0.15, data=0.08, plan_change=0.03, porting=0.12,
            lost_sim=0.03, device=0.15, roaming=0.12, account=0.04,
        )
    )  # fmt: skip
    complaint_ratio_if_slow: float = 2.0
    ticket_events_share: float = 0.6  # of resolved tickets: a history in ticket_events
    awaiting_customer_share: float = 0.35  # of those: we waited on the customer a while
    reopened_share: float = 0.08  # of those: resolved, then reopened

    # Promises: (kept on time, kept late); the rest are never kept.
    promise_outcomes: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {
            "sim_delivery": (0.9, 0.07),
            "device_delivery": (0.88, 0.09),
            "callback": (0.75, 0.1),
            "repair": (0.75, 0.18),
            "engineer_appointment": (0.8, 0.12),
        }
    )
    promise_due_hours: dict[str, float] = field(
        default_factory=lambda: _table(
            sim_delivery=48, device_delivery=72, callback=24, repair=168, engineer_appointment=120
        )
    )
    physical_sim_share: float = 0.8  # new lines sent a SIM by post (the rest eSIM or in store)
    callback_share: float = 0.12  # of phone and chat tickets
    repair_share: float = 0.5  # of device tickets
    engineer_share: float = 0.04  # of network tickets (a signal booster fitted at home)
    late_cancel_share: float = 0.3  # of broken engineer visits: called off < 24 hours ahead
    replacement_sim_share: float = 0.9  # of lost_sim tickets

    # Surveys (only customers who consent to surveys are asked).
    nps_invites_per_month: float = 1 / 6
    nps_response_share: float = 0.25
    csat_response_share: float = 0.2
    feedback_text_share: float = 0.5

    def to_json(self) -> dict[str, Any]:
        """The parameters as plain JSON values."""
        return dataclasses.asdict(self)
