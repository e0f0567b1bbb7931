"""Built-in detector ``better_plan``: a cheaper plan fits the way this customer really uses it.

Its evidence says, besides the two plans' costs, why the current plan cost what it did:
the months the advice considered are rated again under the current plan (the reference
rating's rule, for all lines at once: :mod:`goodwill.analytics.cost_reasons`) to find the
kinds that went over their allowance, and both plans' allowances are written out, in the
same words as the my-plan page (:mod:`goodwill.domain.plan_words`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

import ibis
import orjson
import pyarrow as pa

from goodwill.analytics.advice import better_plan
from goodwill.analytics.catalogue import Catalogue, load_catalogue
from goodwill.analytics.cost_reasons import LineCosts, rate_lines
from goodwill.analytics.detectors.base import MOMENT_SCHEMA, DetectorContext, conform
from goodwill.domain.periods import window_periods
from goodwill.domain.plan_words import allowance_words, reason_words
from goodwill.ledger.reader import Ledger
from goodwill.settings import Settings


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
        rows = self.moment_rows(context)
        text = [row | {"evidence": json.dumps(row["evidence"])} for row in rows]
        return ibis.memtable(pa.Table.from_pylist(text, schema=MOMENT_SCHEMA.to_pyarrow()))

    def moment_rows(self, context: DetectorContext) -> list[dict[str, Any]]:
        """The moments of :meth:`detect` as rows, each evidence a dict: the care run reads
        them as they are, not written out as JSON and parsed again."""
        moments = better_plan(context.ledger, context.asof, context.settings)
        return with_cost_reasons(context.ledger, context.asof, context.settings, moments)


def with_cost_reasons(
    ledger: Ledger, asof: date, settings: Settings, moments: ibis.Table
) -> list[dict[str, Any]]:
    """The rows of ``moments``, each evidence (a dict) with ``over_kinds`` (the kinds that
    cost extra, dearest first), ``cost_reason`` ('because of calls over your 500 minutes',
    or null), ``rated_monthly_cost_minor`` (the reference rating's mean: the advice's own
    figure), and ``current_allowances`` / ``recommended_allowances`` in words."""
    rows = conform(moments).to_pyarrow().to_pylist()
    if not rows:
        return rows
    evidences = [orjson.loads(row["evidence"]) for row in rows]
    window = window_periods(asof, settings.lookback_months)
    lines = [
        (r["subscription_id"], e["current_plan_id"]) for r, e in zip(rows, evidences, strict=True)
    ]
    catalogue = load_catalogue(ledger)
    costs = rate_lines(ledger, window, catalogue, lines)
    words = _PlanWords(catalogue)
    for line, (row, evidence) in enumerate(zip(rows, evidences, strict=True)):
        row["evidence"] = evidence | words.reasons(costs, line, evidence)
    return rows


class _PlanWords:
    """The words of a run's few plans, each put together once."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self._allowances: dict[str, list[str]] = {}
        self._reasons: dict[tuple[str, tuple[str, ...]], str | None] = {}

    def reasons(self, costs: LineCosts, line: int, evidence: Mapping[str, Any]) -> dict[str, Any]:
        over = costs.over_kinds(line)
        return {
            "over_kinds": over,
            "cost_reason": self._reason(evidence["current_plan_id"], tuple(over[:2])),
            "rated_monthly_cost_minor": costs.monthly_cost_minor(line),
            "current_allowances": self._allowance_words(evidence["current_plan_id"]),
            "recommended_allowances": self._allowance_words(evidence["recommended_plan_id"]),
        }

    def _reason(self, plan_id: str, over: tuple[str, ...]) -> str | None:
        if (plan_id, over) not in self._reasons:
            plan = self._catalogue.plan(plan_id)
            rates = self._catalogue.rates_for(plan.currency)
            self._reasons[plan_id, over] = reason_words(over, plan, rates)
        return self._reasons[plan_id, over]

    def _allowance_words(self, plan_id: str) -> list[str]:
        if plan_id not in self._allowances:
            self._allowances[plan_id] = allowance_words(self._catalogue.plan(plan_id))
        return list(self._allowances[plan_id])
