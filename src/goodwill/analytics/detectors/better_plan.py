"""Built-in detector ``better_plan``: a cheaper plan fits the way this customer really uses it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import ibis

from goodwill.analytics.advice import better_plan
from goodwill.analytics.detectors.base import DetectorContext


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
        return better_plan(context.ledger, context.asof, context.settings)
