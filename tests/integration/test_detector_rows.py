"""A detector that offers its rows (``moment_rows``) gives the care run the moments its
table (``detect``) gives, evidence and all, without the JSON round trip."""

from __future__ import annotations

import json
from datetime import date

import pytest

from goodwill.analytics.detectors.base import DetectorContext, RowDetector, conform
from goodwill.analytics.detectors.better_plan import BetterPlan
from goodwill.analytics.engine import open_ledger_for
from goodwill.domain.moments import thaw
from goodwill.services.detect import detect_all
from goodwill.settings import Settings
from goodwill.store.engine import store_json
from tests.integration.sample_folder import sample_data_dir

ASOF = date(2026, 11, 23)
REASONS = ("over_kinds", "cost_reason", "rated_monthly_cost_minor", "current_allowances")


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> DetectorContext:
    root = tmp_path_factory.mktemp("detector-rows")
    settings = Settings(data_dir=sample_data_dir(root, customers=1200, seed=3, asof=ASOF))
    return DetectorContext(open_ledger_for(settings), ASOF, settings)


def test_better_plan_rows_are_its_table_read(context: DetectorContext) -> None:
    detector = BetterPlan()
    assert isinstance(detector, RowDetector)
    table = context.ledger.con.to_pyarrow(conform(detector.detect(context))).to_pylist()
    [found] = detect_all([detector], context)
    assert len(found.moments) == len(table) > 20
    for moment, row in zip(found.moments, table, strict=True):
        evidence = json.loads(row["evidence"])
        assert (moment.customer_id, moment.subscription_id, moment.detected_for) == (
            row["customer_id"],
            row["subscription_id"],
            row["detected_for"],
        )
        assert moment.value_to_customer_minor == row["value_to_customer_minor"]
        assert thaw(moment.evidence) == evidence
        # Written to the store, the same text (compact), the keys in the same order.
        assert store_json(moment.evidence) == json.dumps(
            evidence, separators=(",", ":"), ensure_ascii=False
        )
        assert set(REASONS) <= set(evidence)


def test_an_evidence_keeps_the_advice_keys_first_and_the_reasons_after(
    context: DetectorContext,
) -> None:
    [found] = detect_all([BetterPlan()], context)
    keys = list(found.moments[0].evidence)
    assert keys[0] == "current_plan_id" and keys[-1] == "recommended_allowances"
    assert all(isinstance(m.evidence["over_kinds"], tuple) for m in found.moments)
