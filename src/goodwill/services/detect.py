"""Run the registered detectors over the ledger and turn their rows into domain moments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from goodwill.analytics.detectors.base import Detector, DetectorContext, conform
from goodwill.domain.moments import Moment


@dataclass(frozen=True)
class Detected:
    """What one detector found, and the parameters it ran with."""

    detector: Detector
    moments: tuple[Moment, ...]
    parameters: dict[str, object]


def detect_all(detectors: list[Detector], context: DetectorContext) -> list[Detected]:
    """Run each detector and read its moments (its rows, typed and frozen)."""
    return [
        Detected(d, tuple(_moments(d, context)), dict(d.parameters(context))) for d in detectors
    ]


def _moments(detector: Detector, context: DetectorContext) -> Iterator[Moment]:
    table = conform(detector.detect(context))
    rows = context.ledger.con.to_pyarrow(table).to_pylist()
    for row in rows:
        yield Moment(
            customer_id=row["customer_id"],
            subscription_id=row["subscription_id"],
            kind=row["kind"],
            detected_for=row["detected_for"],
            value_to_customer_minor=int(row["value_to_customer_minor"]),
            cost_to_business_minor=int(row["cost_to_business_minor"]),
            currency=row["currency"],
            evidence=json.loads(row["evidence"] or "{}"),
            message_type=detector.message_type,  # type: ignore[arg-type]
            mandatory=detector.mandatory,
            gift=detector.gift,  # type: ignore[arg-type]
        )
