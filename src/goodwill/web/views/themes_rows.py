"""The rows of the themes page and API: a theme card, a verbatim, a funnel."""

from __future__ import annotations

from pydantic import BaseModel

from goodwill.analytics.self_service_funnel import Funnel
from goodwill.analytics.themes import ThemeRow
from goodwill.analytics.themes.text import nps_text, ratio_text, share_text
from goodwill.analytics.themes.tickets import CategoryRow
from goodwill.domain.stats import Estimate


class Interval(BaseModel):
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    reason: str | None
    text: str


class VerbatimView(BaseModel):
    customer_id: str
    at: str
    text: str


class ThemeCard(BaseModel):
    index: int
    label: str
    pinned: bool
    top_terms: list[tuple[str, float]]
    answers: int
    customers: int
    customers_lost: int
    left_share: Interval
    others_left_share: Interval
    churn_risk_ratio: Interval
    nps: Interval
    csat: Interval
    complained: Interval
    let_down: Interval
    trend: list[tuple[str, int]]
    verdict: str
    verbatims: list[VerbatimView]


class CategoryCard(BaseModel):
    """A ticket category tied to behaviour by the same statistics as a text theme."""

    category: str
    tickets: int
    customers: int
    customers_lost: int
    left_share: Interval
    others_left_share: Interval
    churn_risk_ratio: Interval
    nps: Interval  # the survey scores these customers gave in the window, not the tickets'
    csat: Interval
    complained: Interval
    let_down: Interval
    trend: list[tuple[str, int]]
    verdict: str


class FunnelStepView(BaseModel):
    step: str
    reached: int
    share: Interval
    stopped_here: int


class FunnelView(BaseModel):
    kind: str
    started: int
    done: Interval
    minutes_to_done: Interval
    most_stop_at: str | None
    steps: list[FunnelStepView]


def interval(e: Estimate, kind: str = "share") -> Interval:
    """An estimate and how the page writes it."""
    if kind == "ratio":
        text = ratio_text(e)
    elif kind == "share":
        text = share_text(e)
    elif kind == "nps":
        text = nps_text(e)
    else:
        text = e.reason or "-" if e.value is None else f"{e.value:.1f}"
    return Interval(
        value=e.value, ci_low=e.ci_low, ci_high=e.ci_high, n=e.n, reason=e.reason, text=text
    )


def theme_card(r: ThemeRow) -> ThemeCard:
    b = r.behaviour
    return ThemeCard(
        index=r.index,
        label=r.label,
        pinned=r.pinned,
        top_terms=list(r.top_terms),
        answers=b.answers,
        customers=b.customers,
        customers_lost=b.customers_lost,
        left_share=interval(b.left_share),
        others_left_share=interval(b.others_left_share),
        churn_risk_ratio=interval(b.churn_risk_ratio, "ratio"),
        nps=interval(b.nps, "nps"),
        csat=interval(b.csat),
        complained=interval(b.complained),
        let_down=interval(b.let_down),
        trend=list(b.trend),
        verdict=r.verdict,
        verbatims=[
            VerbatimView(customer_id=v.customer_id, at=v.at[:10], text=v.text) for v in r.verbatims
        ],
    )


def category_card(c: CategoryRow) -> CategoryCard:
    b = c.behaviour
    return CategoryCard(
        category=c.category,
        tickets=b.answers,
        customers=b.customers,
        customers_lost=b.customers_lost,
        left_share=interval(b.left_share),
        others_left_share=interval(b.others_left_share),
        churn_risk_ratio=interval(b.churn_risk_ratio, "ratio"),
        nps=interval(b.nps, "nps"),
        csat=interval(b.csat),
        complained=interval(b.complained),
        let_down=interval(b.let_down),
        trend=list(b.trend),
        verdict=c.verdict,
    )


def funnel_view(f: Funnel) -> FunnelView:
    return FunnelView(
        kind=f.kind,
        started=f.started,
        done=interval(f.done),
        minutes_to_done=interval(f.minutes_to_done, "minutes"),
        most_stop_at=f.most_stop_at,
        steps=[
            FunnelStepView(
                step=s.step, reached=s.reached, share=interval(s.share), stopped_here=s.stopped_here
            )
            for s in f.steps
        ],
    )
