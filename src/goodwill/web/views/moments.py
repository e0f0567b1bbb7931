"""What the care runs found and what was done about each, as the desk lists it: in words
(the customer's name, what happened, money and days written out), with the machine fields
beside them for the JSON API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from goodwill.domain.formatting import format_day, format_money
from goodwill.domain.moment_words import MOMENT_LABELS, MOMENT_WORDS
from goodwill.domain.sla import format_duration
from goodwill.store.models import Action, Moment, MomentStatus
from goodwill.web.errors import BadInput
from goodwill.web.views.timeline import STATUS_WORDS
from goodwill.web.views.words import month_words, reason_words

#: Each kind of moment as the filter lists it.
KIND_CHOICES = MOMENT_LABELS
#: Each decision as the filter lists it.
STATUS_CHOICES = {
    "acted": "We acted",
    "withheld": "Held back (comparison group)",
    "suppressed": "Not allowed (consent, contact rules)",
    "deferred": "Kept for later",
    "merged": "Told together with others",
}
ACTION_WORDS = {"message": "sent a message", "credit": "gave a credit"}
PROMISE_NAMES = {
    "sim_delivery": "SIM delivery",
    "device_delivery": "Phone delivery",
    "repair": "Repair",
    "engineer_appointment": "Engineer visit",
    "callback": "Call back",
    "service_start": "Service start",
    "refund": "Refund",
}


class MomentRow(BaseModel):
    id: int
    run_id: int
    customer_id: str
    kind: str
    status: str
    reason: str | None
    value_to_customer_minor: int
    currency: str
    detected_for: str
    actions: list[str]
    # The same in words, as the page shows it:
    customer_name: str
    what: str  # 'Could save £12.50 a month on 5GB Everyday'
    value: str  # '£150' or '' when the moment is worth nothing in money to them
    when: str  # '12 March 2026' or 'December 2026'
    decision: str  # 'we acted on it'
    why: str | None  # the reason in words: 'holdout arm of the “A cheaper plan fits” experiment'
    done: str  # 'sent a message, gave a credit'


MAX_KIND = 64


def check_filters(kind: str | None, status: str | None) -> None:
    if status and status not in tuple(MomentStatus):
        choices = ", ".join(MomentStatus)
        raise BadInput(f"Please choose a decision from the list ({choices}), or any.", "status")
    if kind and (len(kind) > MAX_KIND or not kind.isprintable()):
        raise BadInput(
            f"A moment's kind is a word of up to {MAX_KIND} characters, like better_plan.",
            "kind",
        )


def _day(value: object) -> str:
    return format_day(str(value)) if value else ""


def _money(evidence: Mapping[str, Any], key: str, currency: str) -> str:
    return format_money(int(evidence.get(key) or 0), currency)


def moment_words(kind: str, evidence: Mapping[str, Any], currency: str) -> str:
    """What a moment is about, in words an agent reads at a glance."""
    e = evidence
    if kind == "better_plan" and e.get("recommended_plan_name"):
        return (
            f"Could save {_money(e, 'monthly_saving_minor', currency)} a month on "
            f"{e['recommended_plan_name']} (pays about "
            f"{_money(e, 'current_monthly_cost_minor', currency)} on {e.get('current_plan_name')})"
        )
    if kind == "loyalty_penalty" and e.get("current_plan_name"):
        paid_off = f", paid off on {_day(e['contract_end'])}" if e.get("contract_end") else ""
        move = (
            f"; could move to {e['replacement_plan_name']}"
            if e.get("replacement_plan_name")
            else ""
        )
        return (
            f"Still paying {_money(e, 'overpaid_monthly_minor', currency)} a month for the phone "
            f"on {e['current_plan_name']}{paid_off}{move}"
        )
    if kind == "end_of_contract" and e.get("current_plan_name"):
        return f"Contract on {e['current_plan_name']} ends on {_day(e.get('contract_end'))}"
    if kind == "annual_best_tariff" and e.get("current_plan_name"):
        return (
            f"Yearly best-plan notice: pays {_money(e, 'current_monthly_cost_minor', currency)} "
            f"a month on {e['current_plan_name']}"
        )
    if kind in ("broken_promise", "promise_at_risk") and e.get("promise_kind"):
        what = PROMISE_NAMES.get(e["promise_kind"], str(e["promise_kind"]).replace("_", " "))
        if kind == "promise_at_risk":
            return f"{what} due on {_day(e.get('due_at'))}, now expected by {_day(e.get('expected_by'))}"
        if e.get("verdict") == "late" and e.get("days_late"):
            days = int(e["days_late"])
            return f"{what} {days} day{'s' if days != 1 else ''} late (due {_day(e.get('due_at'))})"
        return f"{what} missed on {_day(e.get('due_at'))}"
    if kind == "slow_first_response" and e.get("waited_minutes") is not None:
        channel = str(e.get("channel") or "").replace("_", " ")
        waited = format_duration(timedelta(minutes=int(e["waited_minutes"])))
        aim = (
            f" (we aim for {format_duration(timedelta(minutes=int(e['target_minutes'])))})"
            if e.get("target_minutes")
            else ""
        )
        return f"Waited {waited} for a first answer by {channel} on {_day(e.get('opened_at'))}{aim}"
    if kind == "repeated_failures" and e.get("failures"):
        return f"{e['failures']} things went wrong in {e.get('days', 60)} days"
    about = MOMENT_WORDS.get(kind, kind.replace("_", " "))
    return about[:1].upper() + about[1:]


def when_words(detected_for: str) -> str:
    """'2026-12' → 'December 2026'; '2026-11-07' → '7 November 2026'."""
    try:
        return month_words(detected_for) if len(detected_for) == 7 else format_day(detected_for)
    except ValueError:
        return detected_for


def moments(
    session: Session,
    kind: str | None,
    status: str | None,
    limit: int = 200,
    names: Mapping[str, str] | None = None,
) -> list[MomentRow]:
    """What the last runs found, newest first, with what was done about each.

    A filter that cannot match (an unknown decision, an over-long kind) is a BadInput on
    its field, so the page and the API say so instead of showing nothing.
    """
    check_filters(kind, status)
    query = select(Moment).order_by(Moment.id.desc()).limit(limit)
    if kind:
        query = query.where(Moment.kind == kind)
    if status:
        query = query.where(Moment.status == status)
    found = list(session.scalars(query))
    acts: dict[int, list[str]] = {}
    ids = [m.id for m in found]
    for moment_id, what in session.execute(
        select(Action.moment_id, Action.kind).where(Action.moment_id.in_(ids))
    ):
        acts.setdefault(int(moment_id), []).append(what)  # type: ignore[arg-type]
    return [
        MomentRow(
            id=m.id,
            run_id=m.run_id,
            customer_id=m.customer_id,
            kind=m.kind,
            status=m.status,
            reason=m.reason,
            value_to_customer_minor=m.value_to_customer_minor,
            currency=m.currency,
            detected_for=m.detected_for,
            actions=acts.get(m.id, []),
            customer_name=(names or {}).get(m.customer_id, m.customer_id),
            what=moment_words(m.kind, m.evidence or {}, m.currency),
            value=format_money(m.value_to_customer_minor, m.currency)
            if m.value_to_customer_minor
            else "",
            when=when_words(m.detected_for),
            decision=STATUS_WORDS.get(m.status, m.status),
            why=reason_words(m.reason) if m.reason else None,
            done=", ".join(ACTION_WORDS.get(a, a) for a in acts.get(m.id, [])),
        )
        for m in found
    ]
