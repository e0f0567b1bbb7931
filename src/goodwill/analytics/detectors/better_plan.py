"""Built-in detector ``better_plan``: a cheaper plan fits the way this customer really uses it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import ibis

from goodwill.analytics.advice import plan_advice
from goodwill.analytics.detectors.base import DetectorContext
from goodwill.domain.periods import period_of

#: Advice columns that go into the message's evidence as they are.
EVIDENCE = (
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


class BetterPlan:
    """One moment per subscription that would save on another plan; its value is the yearly saving."""

    name: ClassVar[str] = "better_plan"
    message_type: ClassVar[str] = "advice"
    mandatory: ClassVar[bool] = False
    gift: ClassVar[str] = "message"

    def parameters(self, context: DetectorContext) -> Mapping[str, object]:
        s = context.settings
        return {
            "lookback_months": s.lookback_months,
            "min_history_months": s.min_history_months,
            "max_unfit_months": s.max_unfit_months,
            "min_saving_minor": s.min_saving_minor,
            "min_saving_percent": s.min_saving_percent,
        }

    def detect(self, context: DetectorContext) -> ibis.Table:
        advice = plan_advice(context.ledger, context.asof, context.settings)
        average_use = ibis.struct(
            {c.removeprefix("avg_"): advice[c] for c in advice.columns if c.startswith("avg_")}
        )
        evidence = ibis.struct({**{c: advice[c] for c in EVIDENCE}, "average_use": average_use})
        return advice.select(
            "customer_id",
            "subscription_id",
            kind=ibis.literal(self.name),
            detected_for=ibis.literal(period_of(context.asof)),
            value_to_customer_minor=advice.annual_saving_minor,
            cost_to_business_minor=advice.annual_saving_minor,
            currency=advice.currency,
            evidence=evidence.cast("json").cast("string"),
        )
