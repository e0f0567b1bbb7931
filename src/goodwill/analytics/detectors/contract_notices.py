"""Built-in detectors for the contract moments: ``loyalty_penalty``, and the Ofcom notices
``end_of_contract`` (GC C1.10) and ``annual_best_tariff`` (GC C1.13).

The notices are mandatory service messages: no consent is needed and they are never held
out, though they count towards the contact limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import ibis

from goodwill.analytics.contract_notices import annual_best_tariff, end_of_contract, loyalty_penalty
from goodwill.analytics.detectors.base import DetectorContext


class _RatedDetector:
    """What the contract detectors share: they rate the same lookback window as advice."""

    gift: ClassVar[str] = "message"

    def parameters(self, context: DetectorContext) -> Mapping[str, object]:
        return {"lookback_months": context.settings.lookback_months}


class LoyaltyPenalty(_RatedDetector):
    """A device fee still charged after the term ended; only where a SIM-only plan can replace it."""

    name: ClassVar[str] = "loyalty_penalty"
    message_type: ClassVar[str] = "advice"
    mandatory: ClassVar[bool] = False

    def detect(self, context: DetectorContext) -> ibis.Table:
        moments = loyalty_penalty(context.ledger, context.asof, context.settings)
        # Without a month of use to rate, there is no replacement plan to offer yet.
        return moments.filter(moments.evidence.cast("json")["replacement_plan_id"].notnull())


class EndOfContract(_RatedDetector):
    """The end-of-contract notice, 10 to 40 days before the minimum term ends."""

    name: ClassVar[str] = "end_of_contract"
    message_type: ClassVar[str] = "service"
    mandatory: ClassVar[bool] = True

    def detect(self, context: DetectorContext) -> ibis.Table:
        return end_of_contract(context.ledger, context.asof, context.settings)


class AnnualBestTariff(_RatedDetector):
    """The yearly best-tariff notice for customers out of contract."""

    name: ClassVar[str] = "annual_best_tariff"
    message_type: ClassVar[str] = "service"
    mandatory: ClassVar[bool] = True

    def detect(self, context: DetectorContext) -> ibis.Table:
        return annual_best_tariff(context.ledger, context.asof, context.settings)
