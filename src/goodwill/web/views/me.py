"""The customer's own pages as data: the same context renders the page and the JSON."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session

from goodwill.channels.render import describe_usage
from goodwill.domain.formatting import format_day, format_money
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.ledger.snapshot import PerSnapshot
from goodwill.settings import Settings
from goodwill.store.models import Action, Agent, CaseOwner, Moment, PlanChangeRequest, SimBlock
from goodwill.web import ledger_reads
from goodwill.web.errors import NotFound
from goodwill.web.flows.plan_switch import line_name, period_words
from goodwill.web.flows.signin import first_name
from goodwill.web.views.line_cost import LineCost, allowance_words, line_cost, plan_terms
from goodwill.web.views.words import month_words


class UsageMonth(BaseModel):
    period: str
    month: str  # 'November 2026'
    use: dict[str, float]
    words: str


class AdviceView(BaseModel):
    recommended_plan_id: str
    recommended_plan_name: str
    current_monthly_cost_minor: int
    recommended_monthly_cost_minor: int
    recommended_allowances: list[str]
    monthly_saving_minor: int
    annual_saving_minor: int
    months_considered: int
    in_contract: bool
    words: str


class LineView(BaseModel):
    subscription_id: str
    line: str
    plan_id: str
    plan_name: str
    monthly_fee_minor: int
    monthly_fee: str
    usage: list[UsageMonth]
    cost: LineCost | None  # what it really cost lately, and why
    advice: AdviceView | None
    blocked_since: datetime | None
    switch_pending: str | None


class OwnerView(BaseModel):
    name: str
    email: str | None
    phone: str | None
    case: str


class CreditView(BaseModel):
    amount_minor: int
    amount: str  # '£10.00'
    day: str  # '3 December 2026'
    why: str  # 'for a promise we broke'


class MyPlanView(BaseModel):
    customer_id: str
    name: str
    first_name: str
    lines: list[LineView]
    owners: list[OwnerView]
    credits: list[CreditView]


log = logging.getLogger("goodwill.web")

#: The names of the plans on sale, read once per ledger snapshot.
_PLAN_NAMES: PerSnapshot = PerSnapshot(keep=4)


def my_plan(
    session: Session, ledger: Ledger, settings: Settings, customer_id: str, today: date
) -> MyPlanView:
    """Plans, use and advice of the customer's active lines, and who owns their cases."""
    row = ledger_reads.customer(ledger, customer_id)
    if row is None:
        raise NotFound()
    subs = [s for s in ledger_reads.subscriptions(ledger, customer_id) if s["active"]]
    usage = _usage_by_line(ledger, [s["subscription_id"] for s in subs])
    advice = {
        a["subscription_id"]: a for a in ledger_reads.advice(ledger, today, settings, customer_id)
    }
    blocks = _blocks(session, customer_id)
    names = _PLAN_NAMES.get(
        ledger.path,
        "on sale",
        lambda: {p["plan_id"]: p["name"] for p in ledger_reads.plans_on_sale(ledger)},
    )
    pending = _pending_switches(session, customer_id, names)
    lines = [
        _line(ledger, s, usage.get(s["subscription_id"], []), advice.get(s["subscription_id"]))
        for s in subs
    ]
    for line in lines:
        line.blocked_since = blocks.get(line.subscription_id)
        line.switch_pending = pending.get(line.subscription_id)
    name = str(row["name"])
    return MyPlanView(
        customer_id=customer_id,
        name=name,
        first_name=first_name(name),
        lines=lines,
        owners=owners(session, customer_id),
        credits=credits(session, customer_id),
    )


def _line(
    ledger: Ledger, s: dict[str, Any], usage: list[UsageMonth], advice: dict[str, Any] | None
) -> LineView:
    typical = None if advice is None else int(advice["current_monthly_cost_minor"])
    use_by_month = {u.period: u.use for u in usage}
    return LineView(
        subscription_id=s["subscription_id"],
        line=line_name(s),
        plan_id=s["plan_id"],
        plan_name=s["plan_name"] or s["plan_id"],
        monthly_fee_minor=int(s["monthly_fee_minor"] or 0),
        monthly_fee=format_money(int(s["monthly_fee_minor"] or 0), s["currency"] or "GBP"),
        usage=usage,
        cost=line_cost(ledger, s["plan_id"], use_by_month, typical),
        advice=_advice(ledger, advice),
        blocked_since=None,
        switch_pending=None,
    )


#: The store's reads of one customer, built once (bound to ``customer_id`` when run):
#: a statement built per request cost more than running it, and the ORM's way of running
#: one (for rows of columns, not objects) twice the plain connection's.
_CUSTOMER: BindParameter[str] = bindparam("customer_id")
_OWNERS = (
    select(CaseOwner.subject, Agent.name, Agent.email, Agent.phone)
    .join(Agent, CaseOwner.agent_id == Agent.id)
    .where(CaseOwner.customer_id == _CUSTOMER, CaseOwner.released_at.is_(None))
    .order_by(CaseOwner.assigned_at.desc())
)
_CREDITS = (
    select(Action.amount_minor, Action.currency, Action.created_at, Moment.kind)
    .outerjoin(Moment, Action.moment_id == Moment.id)
    .where(Action.customer_id == _CUSTOMER, Action.kind == "credit", Action.amount_minor > 0)
    .order_by(Action.created_at.desc(), Action.id.desc())
    .limit(bindparam("limit"))
)
_BLOCKS = select(SimBlock.subscription_id, SimBlock.blocked_at).where(
    SimBlock.customer_id == _CUSTOMER
)
_PENDING = (
    select(
        PlanChangeRequest.subscription_id,
        PlanChangeRequest.to_plan_id,
        PlanChangeRequest.effective_period,
    )
    .where(PlanChangeRequest.customer_id == _CUSTOMER)
    .order_by(PlanChangeRequest.id)
)


def owners(session: Session, customer_id: str) -> list[OwnerView]:
    """The named owner of each open case of the customer, with their direct contact."""
    return [
        OwnerView(name=name, email=email, phone=phone, case=case_words(subject))
        for subject, name, email, phone in session.connection().execute(
            _OWNERS, {"customer_id": customer_id}
        )
    ]


#: What a credit was for, in the customer's words, by the kind of moment that gave it.
CREDIT_WHY = {
    "broken_promise": "for a promise we broke",
    "promise_at_risk": "for a promise running late",
    "slow_first_response": "for a slow first answer from us",
    "repeated_failures": "for several things going wrong",
}


def credits(session: Session, customer_id: str, limit: int = 12) -> list[CreditView]:
    """The credits we gave the customer, newest first: the care run's (a broken promise)
    and the care team's gestures; what our emails call "on your account"."""
    return [
        CreditView(
            amount_minor=amount,
            amount=format_money(amount, currency or "GBP"),
            day=format_day(at),
            why=CREDIT_WHY.get(kind, "for the trouble") if kind else "from our care team",
        )
        for amount, currency, at, kind in session.connection().execute(
            _CREDITS, {"customer_id": customer_id, "limit": limit}
        )
    ]


def case_words(subject: str) -> str:
    """'ticket:T-9' → 'your enquiry T-9'; a moment's key → what it was about."""
    kind, _, rest = subject.partition(":")
    if kind == "ticket":
        return f"your enquiry {rest}"
    return {
        "broken_promise": "a promise we broke",
        "slow_first_response": "a slow reply from us",
        "promise_at_risk": "a promise we're running late on",
    }.get(kind, "your case")


def _usage_by_line(ledger: Ledger, subscription_ids: list[str]) -> dict[str, list[UsageMonth]]:
    months: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for r in ledger_reads.usage(ledger, subscription_ids):
        months[r["subscription_id"], r["period"]][r["kind"]] = float(r["quantity"])
    out: dict[str, list[UsageMonth]] = defaultdict(list)
    for (sub, period), use in months.items():
        words = describe_usage(use) or "nothing"
        out[sub].append(UsageMonth(period=period, month=month_words(period), use=use, words=words))
    return out


def _advice(ledger: Ledger, row: dict[str, Any] | None) -> AdviceView | None:
    if row is None:
        return None
    terms = plan_terms(ledger, str(row["recommended_plan_id"]))
    currency = str(row["currency"])
    monthly, yearly = int(row["monthly_saving_minor"]), int(row["annual_saving_minor"])
    words = (
        f"Going by your last {row['months_considered']} months, {row['recommended_plan_name']} "
        f"fits the way you use your phone and costs about {format_money(monthly, currency)} "
        f"a month less: {format_money(yearly, currency)} a year back in your pocket."
    )
    if row["in_contract"] and row["contract_end"]:
        words += f" Your contract runs to {format_day(str(row['contract_end']))}; the saving starts then."
    return AdviceView(
        recommended_plan_id=str(row["recommended_plan_id"]),
        recommended_plan_name=str(row["recommended_plan_name"]),
        current_monthly_cost_minor=int(row["current_monthly_cost_minor"]),
        recommended_monthly_cost_minor=int(row["recommended_monthly_cost_minor"]),
        recommended_allowances=allowance_words(terms[0]) if terms else [],
        monthly_saving_minor=monthly,
        annual_saving_minor=yearly,
        months_considered=int(row["months_considered"]),
        in_contract=bool(row["in_contract"]),
        words=words,
    )


def _blocks(session: Session, customer_id: str) -> dict[str, datetime]:
    return {
        sub: at for sub, at in session.connection().execute(_BLOCKS, {"customer_id": customer_id})
    }


def _pending_switches(session: Session, customer_id: str, names: dict[str, str]) -> dict[str, str]:
    return {
        sub: f"{names.get(plan, plan)} from {period_words(period)}"
        for sub, plan, period in session.connection().execute(
            _PENDING, {"customer_id": customer_id}
        )
    }


def prepare(settings: Settings, today: date) -> threading.Thread:
    """Read the snapshot's rows by customer and rate every line for ``today`` in the
    background (``goodwill serve`` calls it at start), so the first customers to ask do not
    wait for it: seconds at a million lines."""

    def run() -> None:
        from goodwill.analytics.customer_advice import customer_advice  # loads the kernel

        try:
            ledger = open_ledger(settings.ledger_dir.resolve())
        except Exception as exc:  # no ledger yet: the first visit says so
            log.info("my plan: not prepared ahead (%s)", exc)
            return
        try:
            customer_advice(ledger, today, settings, "")
        finally:
            ledger.con.disconnect()

    # Not a daemon, as the themes build: a DuckDB connection pulled from under a thread at
    # exit aborts the interpreter.
    thread = threading.Thread(target=run, name="goodwill-my-plan", daemon=False)
    thread.start()
    return thread
