"""The themes in truth.json: what each true theme is, how often it was written, and its
true churn risk ratio, so the theme analysis can be judged against a known answer.

The risk ratio of theme k compares customers who leave within six months of writing
among answers about k with answers about anything else, over the answers written at
least six months before asof (so that the six months are seen). It is the *expected*
ratio given who left: the answers' theme chances weighted by whether each writer left,
sum(p_k·left)/sum(p_k) over sum((1-p_k)·left)/sum(1-p_k). A theme drawn with a fixed
share has an expected ratio of exactly 1: no effect.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from goodwill.sample.clock import DAY
from goodwill.sample.feedback_phrases import THEMES
from goodwill.sample.feedback_text import CHURN_WINDOW_DAYS, FeedbackTexts
from goodwill.sample.generator import Sample


def themes_truth(s: Sample) -> dict[str, Any]:
    """The ``themes`` section of truth.json."""
    t = s.texts
    seen = (t.theme >= 0) & (s.feedback.at_s + CHURN_WINDOW_DAYS * DAY <= s.clock.asof_s)
    return {
        "churn_window_days": CHURN_WINDOW_DAYS,
        "answers_with_text": int((t.theme >= 0).sum()),
        "answers_followed_six_months": int(seen.sum()),
        "themes": {theme.name: _one(t, k, seen) for k, theme in enumerate(THEMES)},
    }


def _one(t: FeedbackTexts, k: int, seen: np.ndarray) -> dict[str, Any]:
    theme = THEMES[k]
    p, left = t.chance[seen, k], t.leaves[seen].astype(np.float64)
    inside = float((p * left).sum()) / max(float(p.sum()), 1e-12)
    outside = float(((1 - p) * left).sum()) / max(float((1 - p).sum()), 1e-12)
    return {
        "label": theme.label,
        "answers": int((t.theme == k).sum()),
        "has_churn_effect": theme.fixed_share is None,
        "leaver_tilt": theme.leaver_tilt if theme.fixed_share is None else 1.0,
        "fixed_share": theme.fixed_share,
        "churn_risk_ratio": round(inside / outside, 6) if outside > 0 else None,
        "seed_terms": list(theme.core[:2]),
    }
