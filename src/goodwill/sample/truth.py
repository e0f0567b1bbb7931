"""``truth.json``: what the generator put in, so later features can be judged against it."""

from __future__ import annotations

from typing import Any

import numpy as np

from goodwill.ledger.contract import PROMISE_KINDS
from goodwill.sample.campaign_truth import campaign_truth
from goodwill.sample.catalogue import CURRENCY, DEFAULT_RATES, PLANS
from goodwill.sample.choice import FIT, HANDSET, PROFILES
from goodwill.sample.clock import NEVER, contract_end
from goodwill.sample.feedback_truth import themes_truth
from goodwill.sample.generator import Sample
from goodwill.sample.needs import NO_MONTH
from goodwill.sample.overpaying import (
    LOOKBACK_MONTHS,
    MAX_UNFIT_MONTHS,
    MIN_MONTHS,
    MIN_SAVING_MINOR,
    MIN_SAVING_PERCENT,
)


def _share(part: np.ndarray, whole: np.ndarray | None = None) -> float:
    """``part`` (a mask) as a share of ``whole`` (a mask, default everything), 6 decimals."""
    total = len(part) if whole is None else int(whole.sum())
    hit = int(part.sum()) if whole is None else int((part & whole).sum())
    return round(hit / total, 6) if total else 0.0


def truth(s: Sample) -> dict[str, Any]:
    """Every parameter, plus the shares measured on the generated data."""
    periods = s.clock.periods
    return {
        "asof": s.clock.asof.isoformat(),
        "seed": s.seed,
        "months": s.clock.months,
        "customers": len(s.customers),
        "first_period": periods[0] if periods else None,
        "last_period": periods[-1] if periods else None,
        "currency": CURRENCY,
        "default_rates": dict(DEFAULT_RATES),
        "overpaying_share": _share(s.overpaying, s.eligible),
        "overpaying_rule": {
            "lookback_months": LOOKBACK_MONTHS,
            "min_months": MIN_MONTHS,
            "max_unfit_months": MAX_UNFIT_MONTHS,
            "min_saving_minor": MIN_SAVING_MINOR,
            "min_saving_percent": MIN_SAVING_PERCENT,
        },
        "payer_not_user_share": _share(s.lines.user_first_name >= 0),
        "referred_share": _share(s.customers.referrer >= 0),
        "measured": _measured(s),
        "feedback_themes": themes_truth(s),
        **s.params.to_json(),
        **(campaign_truth(s.campaign) if s.campaign else {}),
    }


def _measured(s: Sample) -> dict[str, Any]:
    active_line = s.ended_s == NEVER
    handset = s.choice.profile == HANDSET
    past_term = _past_contract_end(s) & handset & active_line
    kept = s.promises.kept_s != NEVER
    due = s.promises.due_s < s.clock.asof_s
    late = kept & (s.promises.kept_s > s.promises.due_s)
    profiles = {
        name: _share(s.overpaying, s.eligible & (s.choice.profile == i))
        for i, name in enumerate(PROFILES)
    }
    drifted = s.needs.drift_start < NO_MONTH
    profiles["drifted_down"] = _share(s.overpaying, s.eligible & drifted)
    designed = (s.choice.profile != FIT) | drifted
    return {
        "subscriptions": len(s.lines),
        "active_customers": int((s.customers.left_s == NEVER).sum()),
        "active_subscriptions": int(active_line.sum()),
        "churned_customer_share": _share(s.customers.left_s != NEVER),
        "eligible_subscriptions": int(s.eligible.sum()),
        "overpaying_subscriptions": int(s.overpaying.sum()),
        "overpaying_share_by_profile": profiles,
        "designed_misfit_share": _share(designed, s.eligible),
        "loyalty_penalty_subscriptions": int(past_term.sum()),
        "promises_due": int(due.sum()),
        "promise_broken_share": _share(~kept | late, due),
        "promises_by_kind": {
            k: int((s.promises.kind == i).sum()) for i, k in enumerate(PROMISE_KINDS)
        },
        "tickets": len(s.tickets),
        "complaint_share": _share(s.tickets.complaint),
        "slow_response_share": _share(s.tickets.slow_at_s != NEVER),
        "feedback_answers": len(s.feedback),
        "plans": {p.plan_id: int((s.choice.plan == i).sum()) for i, p in enumerate(PLANS)},
    }


def _past_contract_end(s: Sample) -> np.ndarray:
    """Lines whose minimum term ended before asof."""
    months = np.array([p.contract_months for p in PLANS])[s.choice.plan]
    result: np.ndarray = contract_end(s.lines.started_s, months) < s.clock.asof_s
    return result
