"""Each theme tied to what its writers did: trend, NPS, CSAT, churn within six months of
writing against those who wrote about something else, complaints and broken promises.

The unit is the answer: an answer is *followed* when six months (183 days) after it are
inside the data (it was written at least that long before asof), and its writer *left*
when they left within those six months. The risk ratio compares followed answers about
the theme with every other followed answer. *Customers lost* counts the theme's writers
who left within six months of writing it, up to asof.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from goodwill.domain.stats import Estimate, net_promoter_score, proportion, risk_ratio

CHURN_WINDOW = timedelta(days=183)
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Behaviour:
    """What the writers of one theme did; every share and ratio with its 95% CI."""

    answers: int
    customers: int
    customers_lost: int
    trend: tuple[tuple[str, int], ...]  # (period, customers who wrote it that month)
    nps: Estimate
    csat: Estimate
    left_share: Estimate  # of followed answers about it: the writer left within 6 months
    others_left_share: Estimate  # the same for followed answers about anything else
    churn_risk_ratio: Estimate
    complained: Estimate  # share of its writers with a complaint in the window
    let_down: Estimate  # share of its writers with a promise broken in the window


def outcomes(
    frame: pd.DataFrame, end: datetime
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(followed, left within six months) per answer."""
    at = frame["at"]
    followed = (at + CHURN_WINDOW <= pd.Timestamp(end)).to_numpy()
    left = (frame["left_at"].notna() & (frame["left_at"] <= at + CHURN_WINDOW)).to_numpy()
    return followed, left


def behaviour(
    frame: pd.DataFrame, theme: Ints, k: int, periods: tuple[str, ...], end: datetime
) -> Behaviour:
    """The behaviour of theme ``k``'s writers (``theme`` is each answer's theme)."""
    mine = theme == k
    followed, left = outcomes(frame, end)
    rows = frame[mine]
    writers = rows.drop_duplicates("customer_id")
    lost = rows[left[mine] & (rows["left_at"] < pd.Timestamp(end))]["customer_id"].nunique()
    inside, outside = mine & followed, ~mine & followed
    return Behaviour(
        answers=int(mine.sum()),
        customers=len(writers),
        customers_lost=int(lost),
        trend=_trend(rows, periods),
        nps=nps(rows),
        csat=csat(rows),
        left_share=proportion(int((left & inside).sum()), int(inside.sum())),
        others_left_share=proportion(int((left & outside).sum()), int(outside.sum())),
        churn_risk_ratio=risk_ratio(
            int((left & inside).sum()),
            int(inside.sum()),
            int((left & outside).sum()),
            int(outside.sum()),
        ),
        complained=proportion(int((writers["complaints"] > 0).sum()), len(writers)),
        let_down=proportion(int((writers["broken_promises"] > 0).sum()), len(writers)),
    )


def _trend(rows: pd.DataFrame, periods: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    month = rows["at"].dt.strftime("%Y-%m")
    counts = rows.assign(period=month).groupby("period")["customer_id"].nunique()
    return tuple((p, int(counts.get(p, 0))) for p in periods)


def nps(rows: pd.DataFrame) -> Estimate:
    """NPS of the 0-10 answers among ``rows`` (columns kind, score), with its 95% CI."""
    scores = rows.loc[rows["kind"] == "nps", "score"]
    promoters, detractors = int((scores >= 9).sum()), int((scores <= 6).sum())
    return net_promoter_score(promoters, len(scores) - promoters - detractors, detractors)


def csat(rows: pd.DataFrame) -> Estimate:
    """CSAT of the 1-5 answers among ``rows``: the share at 4 or 5, with its 95% CI."""
    scores = rows.loc[rows["kind"] == "csat", "score"]
    return proportion(int((scores >= 4).sum()), len(scores))


def verdict(label: str, b: Behaviour, did: str = "wrote about") -> str:
    """What the churn figures say, in plain words, with the interval (``did``: what the
    customers did, e.g. "opened a ticket about")."""
    rr = b.churn_risk_ratio
    if not rr.ok or rr.ci_low is None or rr.ci_high is None or rr.value is None:
        doing = f"writing about “{label}”" if did == "wrote about" else f"having {did} “{label}”"
        return f"Not enough to say whether {doing} goes with leaving: {rr.reason}."
    span = f"risk ratio {rr.value:.2f}, 95% CI {rr.ci_low:.2f} to {rr.ci_high:.2f}"
    mine, other = b.left_share.value or 0.0, b.others_left_share.value or 0.0
    shares = (
        f"{mine:.0%} left within six months against {other:.0%} of those who {did} something else"
    )
    if rr.ci_low > 1:
        return f"Customers who {did} “{label}” left more often: {shares} ({span})."
    if rr.ci_high < 1:
        return f"Customers who {did} “{label}” stayed more often: {shares} ({span})."
    return (
        f"No clear difference: customers who {did} “{label}” left about as often as others "
        f"({shares}; {span}, which includes no difference)."
    )
