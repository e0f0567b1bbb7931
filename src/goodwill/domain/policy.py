"""Deciding which moments to act on: consent, holdouts, contact limits, value, budgets.

:func:`decide` is the whole rule book of the care run's middle step, as one pure
function. Moments are taken in order of their value to the customer; the business cost
matters only through the budgets. Each decision says why in words an analyst can read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Literal

from goodwill.domain.budgets import BudgetLeft, budget_refusal
from goodwill.domain.contact import Contact, ContactPolicy, contact_refusal, messages_in_window
from goodwill.domain.experiments import Arm, ExperimentSpec, experiment_for
from goodwill.domain.formatting import format_money
from goodwill.domain.moments import CONSENT_FOR, Moment

Outcome = Literal["act", "withheld", "suppressed", "deferred"]


@dataclass(frozen=True)
class CustomerFacts:
    """What the policy needs to know about a customer: consents, and whether they left."""

    customer_id: str
    consents: frozenset[str] = frozenset()
    left_on: date | None = None


@dataclass(frozen=True)
class Decision:
    """What the care run does with one moment, and why.

    ``outcome`` is ``act`` (send it), ``withheld`` (holdout arm: the control group),
    ``suppressed`` (not allowed: no consent, a former customer, a duplicate) or
    ``deferred`` (allowed, but not now: contact limit, repeated advice, budget spent).
    ``credit_minor`` is the amount credited, for an acted-on credit; 0 otherwise.
    """

    moment: Moment
    outcome: Outcome
    reason: str
    arm: Arm
    credit_minor: int = 0


@dataclass
class _Run:
    """What the run has decided so far: the messages it added and the budgets it spent."""

    today: date
    policy: ContactPolicy
    contacts: dict[str, list[Contact]]
    budgets: dict[str, BudgetLeft]
    seen: set[str] = field(default_factory=set)

    @property
    def period(self) -> str:
        return f"{self.today:%Y-%m}"


def decide(
    moments: Iterable[Moment],
    customers: Mapping[str, CustomerFacts],
    history: Sequence[Contact],
    budgets: Mapping[str, BudgetLeft],
    experiments: Mapping[str, ExperimentSpec],
    today: date,
    policy: ContactPolicy = ContactPolicy(),  # frozen, so one shared default is safe
) -> list[Decision]:
    """Decide every moment of one run, in the order they were considered.

    Mandatory notices go first (they are always sent and take their place in the contact
    limit), then the rest by value to the customer, highest first. ``budgets`` maps a
    moment kind to what is left of its budget for ``today``'s month; a credit with no
    budget is deferred. ``experiments`` maps a moment kind to its experiment; a kind not
    in it is held out at ``policy.default_holdout_percent``, salted by the kind's name.
    The result does not depend on the order of ``moments``, ``history`` or the mappings.
    """
    contacts: dict[str, list[Contact]] = defaultdict(list)
    for contact in history:
        contacts[contact.customer_id].append(contact)
    run = _Run(today, policy, contacts, dict(budgets))
    decisions = []
    for moment in _ranked(moments):
        spec = experiment_for(moment.kind, experiments, policy.default_holdout_percent)
        decisions.append(_decide_one(moment, spec.arm(moment.customer_id), customers, run))
    return decisions


def _ranked(moments: Iterable[Moment]) -> list[Moment]:
    """``moments`` in the order :func:`_rank` and then the evidence give them. Ties on the
    rank are rare, so the evidence (slow to compare) is written out only to break them:
    the same order as one sort by both, sorts being stable."""
    ranked: list[Moment] = []
    by_rank = sorted(((_rank(m), m) for m in moments), key=itemgetter(0))
    for _, tied in groupby(by_rank, key=itemgetter(0)):
        group = [m for _, m in tied]
        ranked += sorted(group, key=_evidence_rank) if len(group) > 1 else group
    return ranked


def _evidence_rank(m: Moment) -> str:
    return repr(sorted(m.evidence.items()))


def _rank(m: Moment) -> tuple[object, ...]:
    # Everything after the value only makes the order total, so that it is deterministic.
    return (
        not m.mandatory,
        -m.value_to_customer_minor,
        m.kind,
        m.customer_id,
        m.subscription_id or "",
        m.detected_for,
        m.cost_to_business_minor,
        m.currency,
        m.message_type,
        m.gift,
    )


def _decide_one(
    moment: Moment, arm: Arm, customers: Mapping[str, CustomerFacts], run: _Run
) -> Decision:
    def outcome(result: Outcome, reason: str) -> Decision:
        return Decision(moment, result, reason, arm)

    facts = customers.get(moment.customer_id)
    if facts is None:
        return outcome("suppressed", f"customer {moment.customer_id} is not in the customers")
    if moment.dedupe_key in run.seen:
        return outcome("suppressed", f"duplicate of {moment.dedupe_key}, decided earlier")
    run.seen.add(moment.dedupe_key)
    if not moment.mandatory:
        refusal = _ineligible(moment, facts) or _held_out(moment, arm)
        if refusal:
            return outcome(*refusal)
    refusal = _over_contact_policy(moment, run) or _over_budget(moment, run)
    if refusal:
        return outcome(*refusal)
    return _act(moment, arm, run)


Refusal = tuple[Outcome, str] | None


def _ineligible(moment: Moment, facts: CustomerFacts) -> Refusal:
    if facts.left_on is not None:
        return (
            "suppressed",
            f"customer left on {facts.left_on}; former customers get only mandatory notices",
        )
    needed = CONSENT_FOR[moment.message_type]
    if needed is not None and needed not in facts.consents:
        given = ", ".join(sorted(facts.consents)) or "nothing"
        return "suppressed", f"no consent to {needed} messages (consented to: {given})"
    return None


def _held_out(moment: Moment, arm: Arm) -> Refusal:
    if arm != "holdout":
        return None
    return (
        "withheld",
        f"holdout arm of the {moment.kind} experiment: no message, so the lift can be measured",
    )


def _over_contact_policy(moment: Moment, run: _Run) -> Refusal:
    if moment.mandatory:
        return None
    reason = contact_refusal(moment, run.contacts[moment.customer_id], run.today, run.policy)
    return ("deferred", reason) if reason else None


def _over_budget(moment: Moment, run: _Run) -> Refusal:
    # Mandatory credits (compensation we owe) are paid in full and are not goodwill.
    if moment.gift != "credit" or moment.mandatory:
        return None
    reason = budget_refusal(run.budgets.get(moment.kind), moment, run.period)
    return ("deferred", reason) if reason else None


def _act(moment: Moment, arm: Arm, run: _Run) -> Decision:
    run.contacts[moment.customer_id].append(
        Contact(
            moment.customer_id,
            moment.kind,
            run.today,
            moment.subscription_id,
            moment.value_to_customer_minor,
        )
    )
    sent = messages_in_window(run.contacts[moment.customer_id], moment.customer_id, run.today)
    limit = run.policy.max_messages_per_30_days
    reason = f"message {sent} of {limit} in 30 days"
    if moment.mandatory:
        reason = f"mandatory notice, sent whatever the consent or arm; {reason}"
    credit = 0
    if moment.gift == "credit":
        credit = moment.cost_to_business_minor
        reason += f"; credit of {format_money(credit, moment.currency)}"
        if not moment.mandatory:
            budget = run.budgets[moment.kind].spend(credit, moment.currency)
            run.budgets[moment.kind] = budget
            left = format_money(budget.left_minor, moment.currency)
            reason += f" from the {moment.kind} budget ({left} left in {run.period})"
    return Decision(moment, "act", reason, arm, credit)
