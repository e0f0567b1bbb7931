"""Run the registered detectors over the ledger and turn their rows into domain moments."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from goodwill.analytics.detectors.base import Detector, DetectorContext, RowDetector, conform
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
    for row, evidence in _rows(detector, context):
        yield Moment(
            customer_id=row["customer_id"],
            subscription_id=row["subscription_id"],
            kind=row["kind"],
            detected_for=row["detected_for"],
            value_to_customer_minor=int(row["value_to_customer_minor"]),
            cost_to_business_minor=int(row["cost_to_business_minor"]),
            currency=row["currency"],
            evidence=evidence,
            message_type=detector.message_type,  # type: ignore[arg-type]
            mandatory=detector.mandatory,
            gift=detector.gift,  # type: ignore[arg-type]
        )


def _rows(detector: Detector, context: DetectorContext) -> Iterator[tuple[dict[str, Any], Any]]:
    """Each row of the detector's moments with its evidence read: as the detector made it
    where it offers its rows (:class:`~goodwill.analytics.detectors.base.RowDetector`),
    else parsed from the JSON text of its table's ``evidence`` column."""
    if isinstance(detector, RowDetector):
        for row in detector.moment_rows(context):
            yield row, row["evidence"]
        return
    table = conform(detector.detect(context))
    for row in context.ledger.con.to_pyarrow(table).to_pylist():
        yield row, orjson.loads(row["evidence"] or "{}")
