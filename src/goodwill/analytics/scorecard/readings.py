"""One paragraph of plain language per perspective, written from its figures."""

from __future__ import annotations

from goodwill.analytics.scorecard.figures import Figure, Lift, Perspective
from goodwill.domain.formatting import format_money, months_in_words
from goodwill.domain.moment_words import gift_words

#: What each experiment metric measures, as a reader says it.
METRIC_WORDS = {
    "retained_90d": "customers still with us after 90 days",
    "retained_180d": "customers still with us after 180 days",
    "net_revenue": "net revenue per customer (relative)",
    "net_revenue_minor": "net revenue per customer",
    "referrals": "referrals",
    "nps_score": "NPS",
}


def label(figure: Figure) -> str:
    """A figure's label as a reader says it, months written out: 'ARPU in November 2026'."""
    return months_in_words(figure.label)


def show(figure: Figure, currency: str) -> str:
    """A figure's value as a reader would say it, or why there is none."""
    value = figure.estimate.value
    if value is None:
        return "-"
    if figure.unit == "share":
        return f"{value:.1%}"
    if figure.unit == "points":
        return f"{value:+.0f}"
    if figure.unit == "minor":
        return format_money(round(value), currency)
    if figure.unit == "auc":
        return f"{value:.2f}"
    if figure.unit == "hours" and value < 10:
        return f"{value:.2f}"
    if figure.unit in ("hours", "months", "rate", "minutes"):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def interval(figure: Figure, currency: str) -> str:
    """'[low, high]' in the figure's unit, or '' for an exact count or no interval."""
    est = figure.estimate
    if est.value is None:
        return f"({est.reason})"
    if est.ci_low is None or est.ci_high is None:
        return ""
    low = Figure(figure.key, figure.label, type(est)(est.ci_low, est.n), figure.unit)
    high = Figure(figure.key, figure.label, type(est)(est.ci_high, est.n), figure.unit)
    return f"[{show(low, currency)}, {show(high, currency)}]"


def customer_reading(p: Perspective, currency: str) -> str:
    s = lambda key: show(p.figure(key), currency)  # noqa: E731
    return (
        f"{s('retention_12m')} of customers are still with us a year after joining, and those "
        f"here now have stayed {s('tenure_months')} months on average. The NPS is "
        f"{s('nps')} and {s('csat')} of care answers were satisfied. There were "
        f"{s('complaints_per_1000')} complaints per 1,000 customers a month. "
        f"{s('fair_price')} of lines are already on the plan that fits them best."
    )


def financial_reading(p: Perspective, currency: str) -> str:
    s = lambda key: show(p.figure(key), currency)  # noqa: E731
    given = (
        f"We gave {s('goodwill_spent')} in goodwill and handed back "
        f"{s('advice_handed_back')} a year through plan advice."
        if p.figure("goodwill_spent").estimate.ok
        else "There is no care-run store yet, so goodwill given is not counted."
    )
    return (
        f"Customers paid {s('revenue')} over the year, {s('arpu')} each in the last month. "
        f"A new customer is worth about {s('clv')} over five years at that rate. {given}"
    )


def process_reading(p: Perspective, currency: str) -> str:
    s = lambda key: show(p.figure(key), currency)  # noqa: E731
    return (
        f"We kept {s('promises_kept')} of our promises on time, and {s('sla_breaches')} of "
        "first responses came later than the channel's service level. Response and "
        "resolution times per channel are listed below with their medians and 90th percentiles."
    )


def _lift_sentence(lift: Lift, currency: str) -> str:
    r = lift.result
    about = f"{gift_words(lift.kind).capitalize()} on {METRIC_WORDS.get(lift.metric, lift.metric)}"
    if r.estimate is None:
        return f"{about}: no result ({r.reason})."
    verdict = (
        "a real difference"
        if r.p_value is not None and r.p_value < 0.05
        else "not distinguishable from no effect"
    )
    if lift.metric == "net_revenue_minor" and r.ci_low is not None and r.ci_high is not None:
        money = lambda minor: format_money(round(minor), currency)  # noqa: E731
        sign = "+" if r.estimate >= 0 else ""
        spread = f"95% CI {money(r.ci_low)} to {money(r.ci_high)}"
        return f"{about}: {sign}{money(r.estimate)} ({spread}), {verdict}."
    return f"{about}: {r.estimate:+.3g} (95% CI {r.ci_low:+.3g} to {r.ci_high:+.3g}), {verdict}."


def learning_reading(p: Perspective, currency: str) -> str:
    s = lambda key: show(p.figure(key), currency)  # noqa: E731
    money = [lift for lift in p.lifts if lift.metric == "net_revenue_minor"]
    if money:
        pays = " ".join(_lift_sentence(lift, currency) for lift in money)
    elif p.lifts:
        kinds = sorted({gift_words(lift.kind) for lift in p.lifts})
        pays = (
            f"Gifts with a holdout ({', '.join(kinds)}) are too recent to tell: revenue needs "
            "six billed months after the gift, retention 90 days."
        )
    else:
        pays = "No gift has a holdout group yet, so we cannot yet say whether giving pays."
    return (
        f"Does giving pay? {pays} As a predictor of who leaves within six months, NPS scores "
        f"an AUC of {s('auc_nps')} against {s('auc_behaviour')} for complaints and broken "
        "promises (0.5 is a coin toss)."
    )


READERS = {
    "customer": customer_reading,
    "financial": financial_reading,
    "process": process_reading,
    "learning": learning_reading,
}
