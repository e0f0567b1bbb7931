"""Area under the ROC curve from score counts, with Hanley & McNeil's (1982) standard error.

"Does a customer's score predict churn?" The database counts, per score value, how many
customers churned and how many stayed; AUC is the Mann-Whitney probability that a random
churner scores higher (ties count half) — for NPS, pass the negated score, since a low
score should mean churn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from goodwill.domain.stats.estimate import Estimate


def auc_from_counts(positives: Mapping[float, int], negatives: Mapping[float, int]) -> Estimate:
    """AUC of a score for positives (e.g. churners) against negatives, with a 95% CI.

    ``positives[s]`` is how many positives scored ``s``; the same for ``negatives``.
    The interval is Hanley-McNeil's normal approximation, clipped to [0, 1].

    >>> auc_from_counts({2: 1, 3: 1}, {0: 1, 1: 1}).value
    1.0
    >>> auc_from_counts({}, {1: 3}).reason
    'no positives'
    """
    n_pos, n_neg = sum(positives.values()), sum(negatives.values())
    if n_pos == 0 or n_neg == 0:
        return Estimate.missing(n_pos + n_neg, "no positives" if n_pos == 0 else "no negatives")
    area = _mann_whitney(positives, negatives) / (n_pos * n_neg)
    q1, q2 = area / (2 - area), 2 * area * area / (1 + area)
    var = (
        area * (1 - area) + (n_pos - 1) * (q1 - area * area) + (n_neg - 1) * (q2 - area * area)
    ) / (n_pos * n_neg)
    est = Estimate.normal(area, math.sqrt(max(0.0, var)), n_pos + n_neg)
    return Estimate(area, est.n, max(0.0, est.ci_low or 0.0), min(1.0, est.ci_high or 1.0))


def _mann_whitney(positives: Mapping[float, int], negatives: Mapping[float, int]) -> float:
    wins, below = 0.0, 0
    neg_sorted = sorted(negatives.items())
    i = 0
    for score, count in sorted(positives.items()):
        while i < len(neg_sorted) and neg_sorted[i][0] < score:
            below += neg_sorted[i][1]
            i += 1
        ties = negatives.get(score, 0)
        wins += count * (below + 0.5 * ties)
    return wins
