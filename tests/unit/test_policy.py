"""decide(): consent, holdouts, contact limits, arbitration and budgets — rules and invariants."""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goodwill.domain import policy as policy_rules
from goodwill.domain.budgets import BudgetLeft
from goodwill.domain.contact import Contact, ContactPolicy
from goodwill.domain.experiments import ExperimentSpec, assign_arm
from goodwill.domain.moments import FrozenDict, Gift, Moment
from goodwill.domain.policy import CustomerFacts, Decision, decide

TODAY = date(2026, 11, 20)
PERIOD = "2026-11"
NO_HOLDOUT = ContactPolicy(default_holdout_percent=0)


def advice(
    customer: str = "C1",
    sub: str | None = "S1",
    value: int = 500,
    kind: str = "better_plan",
    detected_for: str = PERIOD,
    cost: int | None = None,
) -> Moment:
    return Moment(customer, sub, kind, detected_for, value, value if cost is None else cost, "GBP")


def credit(customer: str = "C1", amount: int = 500, day: str = "2026-11-10") -> Moment:
    return Moment(
        customer,
        None,
        "broken_promise",
        day,
        amount,
        amount,
        "GBP",
        message_type="care",
        gift="credit",
    )


def notice(customer: str = "C1", gift: Gift = "message", amount: int = 0) -> Moment:
    return Moment(
        customer,
        "S1",
        "annual_best_tariff",
        PERIOD,
        amount,
        amount,
        "GBP",
        message_type="service",
        mandatory=True,
        gift=gift,
    )


def customers(*ids: str, consents: Iterable[str] = ("advice", "care")) -> dict[str, CustomerFacts]:
    return {c: CustomerFacts(c, frozenset(consents)) for c in ids}


def sent(
    customer: str,
    days_ago: int,
    kind: str = "bill_shock",
    subscription_id: str | None = None,
    saving_minor: int = 0,
) -> Contact:
    return Contact(customer, kind, TODAY - timedelta(days=days_ago), subscription_id, saving_minor)


def run(
    moments: Iterable[Moment],
    facts: Mapping[str, CustomerFacts] | None = None,
    history: Sequence[Contact] = (),
    budgets: Mapping[str, BudgetLeft] | None = None,
    experiments: Mapping[str, ExperimentSpec] | None = None,
    policy: ContactPolicy = NO_HOLDOUT,
) -> list[Decision]:
    moments = list(moments)
    facts = customers(*{m.customer_id for m in moments}) if facts is None else facts
    return decide(moments, facts, history, budgets or {}, experiments or {}, TODAY, policy)


def outcomes(decisions: Iterable[Decision]) -> list[tuple[str, str]]:
    return [(d.moment.dedupe_key, d.outcome) for d in decisions]


# --- consent and eligibility ---------------------------------------------------------


def test_no_consent_means_no_message_and_the_reason_names_the_consent() -> None:
    [decision] = run([advice()], customers("C1", consents=["care"]))
    assert decision.outcome == "suppressed"
    assert "no consent to advice" in decision.reason and "care" in decision.reason


def test_care_needs_care_consent_and_mandatory_notices_need_none() -> None:
    budgets = {"broken_promise": BudgetLeft("broken_promise", PERIOD, 900)}
    [decision] = run([credit()], customers("C1", consents=["advice"]), budgets=budgets)
    assert decision.outcome == "suppressed" and "no consent to care" in decision.reason
    [decision] = run([notice()], customers("C1", consents=[]))
    assert decision.outcome == "act" and "mandatory" in decision.reason


def test_unknown_and_former_customers() -> None:
    assert run([advice("C9")], customers("C1"))[0].outcome == "suppressed"
    gone = {"C1": CustomerFacts("C1", frozenset({"advice"}), left_on=date(2026, 10, 1))}
    [decision] = run([advice()], gone)
    assert decision.outcome == "suppressed" and "left on 2026-10-01" in decision.reason
    assert run([notice()], gone)[0].outcome == "act"


# --- holdouts ------------------------------------------------------------------------


def test_holdout_customers_are_withheld_but_mandatory_notices_still_go() -> None:
    everyone = {"better_plan": ExperimentSpec("better_plan", "s", 100)}
    [decision] = run([advice()], experiments=everyone)
    assert (decision.outcome, decision.arm) == ("withheld", "holdout")
    assert "holdout" in decision.reason
    all_notices = {"annual_best_tariff": ExperimentSpec("annual_best_tariff", "s", 100)}
    [decision] = run([notice()], experiments=all_notices)
    assert (decision.outcome, decision.arm) == ("act", "holdout")


def test_every_kind_is_an_experiment_with_a_default_holdout_salted_by_its_kind() -> None:
    moments = [advice(f"C{i}", f"S{i}") for i in range(300)]
    decisions = run(moments, policy=ContactPolicy())
    for d in decisions:
        assert d.arm == assign_arm("better_plan", d.moment.customer_id, 10)
        assert d.outcome == ("withheld" if d.arm == "holdout" else "act")
    assert 10 <= sum(d.arm == "holdout" for d in decisions) <= 60


def test_the_arm_is_recorded_even_when_consent_is_missing() -> None:
    everyone = {"better_plan": ExperimentSpec("better_plan", "s", 100)}
    [decision] = run([advice()], customers("C1", consents=[]), experiments=everyone)
    assert (decision.outcome, decision.arm) == ("suppressed", "holdout")


# --- contact policy ------------------------------------------------------------------


def test_the_contact_limit_counts_the_last_30_days_of_history() -> None:
    [decision] = run([advice()], history=[sent("C1", 0), sent("C1", 29)])
    assert decision.outcome == "deferred"
    assert "contact limit reached: 2 messages in the last 30 days (limit 2)" in decision.reason
    assert run([advice()], history=[sent("C1", 1), sent("C1", 30)])[0].outcome == "act"
    assert run([advice()], history=[sent("C2", 1), sent("C2", 2)])[0].outcome == "act"


def test_the_contact_limit_counts_this_runs_messages_best_first() -> None:
    moments = [
        advice(value=100, kind="a"),
        advice(value=300, kind="b"),
        advice(value=200, kind="c"),
    ]
    assert outcomes(run(moments)) == [
        ("b:S1:2026-11", "act"),
        ("c:S1:2026-11", "act"),
        ("a:S1:2026-11", "deferred"),
    ]


def test_mandatory_notices_are_always_sent_and_count_towards_the_limit() -> None:
    decisions = run([advice(value=900), notice(), advice(value=800, kind="x")])
    assert outcomes(decisions) == [
        ("annual_best_tariff:S1:2026-11", "act"),
        ("better_plan:S1:2026-11", "act"),
        ("x:S1:2026-11", "deferred"),
    ]
    [decision] = run([notice()], history=[sent("C1", 1), sent("C1", 2)])
    assert decision.outcome == "act" and "message 3 of 2" in decision.reason


def test_the_same_advice_waits_90_days_unless_the_saving_grew() -> None:
    before = [sent("C1", 89, "better_plan", subscription_id="S1", saving_minor=500)]
    [decision] = run([advice(value=500)], history=before)
    assert decision.outcome == "deferred"
    assert "not grown (£5 then, £5 now)" in decision.reason
    assert run([advice(value=501)], history=before)[0].outcome == "act"
    assert run([advice(sub="S2")], history=before)[0].outcome == "act"
    long_ago = [sent("C1", 90, "better_plan", subscription_id="S1", saving_minor=500)]
    assert run([advice()], history=long_ago)[0].outcome == "act"


def test_repeats_apply_to_advice_only() -> None:
    before = [sent("C1", 5, "broken_promise", saving_minor=500)]
    budgets = {"broken_promise": BudgetLeft("broken_promise", PERIOD, 1000)}
    assert run([credit()], history=before, budgets=budgets)[0].outcome == "act"


def test_the_same_advice_twice_in_one_run_is_sent_once() -> None:
    decisions = run([advice(detected_for="2026-10"), advice(detected_for="2026-11")])
    assert Counter(d.outcome for d in decisions) == {"act": 1, "deferred": 1}


def test_a_duplicate_moment_is_suppressed() -> None:
    decisions = run([advice(), advice()])
    assert [d.outcome for d in decisions] == ["act", "suppressed"]
    assert "duplicate" in decisions[1].reason


# --- arbitration ---------------------------------------------------------------------


def test_ties_in_value_are_broken_by_kind_name_and_cost_does_not_matter() -> None:
    moments = [advice(kind="zeta", cost=1), advice(kind="alpha", cost=999), advice(kind="mid")]
    assert [d.moment.kind for d in run(moments)] == ["alpha", "mid", "zeta"]
    assert [d.outcome for d in run(moments)] == ["act", "act", "deferred"]


# --- budgets -------------------------------------------------------------------------


def test_credits_draw_on_the_budget_until_it_is_spent() -> None:
    budgets = {"broken_promise": BudgetLeft("broken_promise", PERIOD, 1000)}
    moments = [credit("C1", 600), credit("C2", 500), credit("C3", 400)]
    decisions = run(moments, budgets=budgets)
    assert [(d.moment.customer_id, d.outcome, d.credit_minor) for d in decisions] == [
        ("C1", "act", 600),
        ("C2", "deferred", 0),
        ("C3", "act", 400),
    ]
    assert "budget for broken_promise in 2026-11 is spent (£4 left" in decisions[1].reason
    assert "£0 left" in decisions[2].reason


@pytest.mark.parametrize(
    ("budgets", "reason"),
    [
        ({}, "no budget for broken_promise in 2026-11"),
        ({"broken_promise": BudgetLeft("broken_promise", "2026-10", 9999)}, "no budget for"),
        ({"broken_promise": BudgetLeft("broken_promise", PERIOD, 9999, "EUR")}, "in EUR"),
    ],
)
def test_a_credit_without_a_usable_budget_is_deferred(
    budgets: dict[str, BudgetLeft], reason: str
) -> None:
    [decision] = run([credit()], budgets=budgets)
    assert decision.outcome == "deferred" and reason in decision.reason


def test_held_out_credits_are_not_given_and_spend_nothing() -> None:
    budgets = {"broken_promise": BudgetLeft("broken_promise", PERIOD, 500)}
    everyone = {"broken_promise": ExperimentSpec("broken_promise", "s", 100)}
    [decision] = run([credit()], budgets=budgets, experiments=everyone)
    assert (decision.outcome, decision.credit_minor) == ("withheld", 0)


def test_mandatory_credits_are_paid_in_full_outside_the_budgets() -> None:
    [decision] = run([notice(gift="credit", amount=2500)])
    assert (decision.outcome, decision.credit_minor) == ("act", 2500)


def test_budgets_refuse_to_go_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        BudgetLeft("broken_promise", PERIOD, -1)
    with pytest.raises(ValueError, match="does not fit"):
        BudgetLeft("broken_promise", PERIOD, 100).spend(101, "GBP")


# --- moments -------------------------------------------------------------------------


def test_a_moment_is_frozen_evidence_and_all() -> None:
    m = Moment("C1", "S1", "k", PERIOD, 1, 1, "GBP", evidence={"tariffs": [{"name": "A"}]})
    assert isinstance(m.evidence, FrozenDict)
    assert m.evidence["tariffs"][0]["name"] == "A"  # type: ignore[index]
    with pytest.raises(TypeError):
        m.evidence["x"] = 1  # type: ignore[index]
    assert m == Moment("C1", "S1", "k", PERIOD, 1, 1, "GBP", evidence={"tariffs": [{"name": "A"}]})
    assert hash(m) == hash(Moment("C1", "S1", "k", PERIOD, 1, 1, "GBP"))
    assert Moment("C1", None, "k", "2026-11-03", 0, 0, "GBP").dedupe_key == "k:C1:2026-11-03"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"mandatory": True}, "mandatory notice"),
        ({"message_type": "service"}, "mandatory notice"),
        ({"message_type": "marketing"}, "message_type 'marketing'"),
        ({"gift": "voucher"}, "gift 'voucher'"),
        ({"value_to_customer_minor": -1}, "cannot be negative"),
        ({"currency": "gbp"}, "ISO 4217"),
    ],
)
def test_a_moment_that_makes_no_sense_is_refused(fields: dict, problem: str) -> None:
    base: dict = {
        "customer_id": "C1",
        "subscription_id": "S1",
        "kind": "k",
        "detected_for": PERIOD,
        "value_to_customer_minor": 1,
        "cost_to_business_minor": 1,
        "currency": "GBP",
    }
    with pytest.raises(ValueError, match=problem):
        Moment(**{**base, **fields})


def test_policy_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        ContactPolicy(max_messages_per_30_days=-1)
    with pytest.raises(ValueError, match="between 0 and 100"):
        ContactPolicy(default_holdout_percent=101)


def test_the_domain_imports_nothing_outside_itself() -> None:
    """domain/ is plain Python: the standard library and goodwill.domain, nothing else."""
    domain = Path(__file__).parents[2] / "src" / "goodwill" / "domain"
    for path in sorted(domain.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                pure = name.split(".")[0] in sys.stdlib_module_names
                assert pure or name.startswith("goodwill.domain"), f"{path.name} imports {name}"


# --- invariants ----------------------------------------------------------------------

IDS = [f"C{i}" for i in range(5)]


@st.composite
def moments(draw: st.DrawFn) -> Moment:
    customer = draw(st.sampled_from(IDS))
    amount = draw(st.integers(0, 1500))
    shape = draw(st.sampled_from(["advice", "advice", "credit", "credit", "notice", "care"]))
    if shape == "credit":
        return credit(customer, amount, day=f"2026-11-{draw(st.integers(1, 9)):02d}")
    if shape == "notice":
        return notice(customer)
    kind = "better_plan" if shape == "advice" else "bill_shock"
    sub = draw(st.sampled_from(["S1", "S2", None]))
    m = advice(
        customer, sub, amount, kind=kind, detected_for=draw(st.sampled_from(["2026-10", PERIOD]))
    )
    if shape == "care":
        return Moment(
            m.customer_id, sub, kind, m.detected_for, amount, 0, "GBP", message_type="care"
        )
    return m


contacts = st.builds(
    lambda c, days, kind, sub, saving: sent(
        c, days, kind, subscription_id=sub, saving_minor=saving
    ),
    st.sampled_from(IDS),
    st.integers(0, 120),
    st.sampled_from(["better_plan", "bill_shock", "annual_best_tariff"]),
    st.sampled_from(["S1", "S2", None]),
    st.integers(0, 1500),
)
CONSENTS = [{"advice", "care"}] * 3 + [{"advice"}, {"care"}, set()]
facts = st.builds(
    lambda consents: {c: CustomerFacts(c, frozenset(consents[c])) for c in IDS},
    st.fixed_dictionaries({c: st.sampled_from(CONSENTS) for c in IDS}),
)
KINDS = ["better_plan", "broken_promise", "bill_shock", "annual_best_tariff"]
experiment_specs = st.fixed_dictionaries(
    {
        k: st.builds(
            ExperimentSpec, st.just(k), st.text(max_size=3), st.sampled_from([0, 10, 50, 100])
        )
        for k in KINDS
    }
)


@dataclass(frozen=True)
class Case:
    """One random run: its moments and everything decide() reads."""

    moments: list[Moment]
    facts: dict[str, CustomerFacts]
    history: list[Contact]
    budget_left: int
    experiments: dict[str, ExperimentSpec]
    limit: int

    def decide(self) -> list[Decision]:
        budgets = {"broken_promise": BudgetLeft("broken_promise", PERIOD, self.budget_left)}
        policy = ContactPolicy(max_messages_per_30_days=self.limit)
        return decide(
            self.moments, self.facts, self.history, budgets, self.experiments, TODAY, policy
        )

    def messages_before(self, customer: str) -> int:
        return sum(
            1 for c in self.history if c.customer_id == customer and (TODAY - c.sent_on).days < 30
        )


cases = st.builds(
    Case,
    moments=st.lists(moments(), max_size=25),
    facts=facts,
    history=st.lists(contacts, max_size=12),
    budget_left=st.integers(0, 3000),
    experiments=experiment_specs,
    limit=st.integers(0, 3),
)
FEW = settings(max_examples=100, deadline=None)


@FEW
@given(cases)
def test_every_moment_gets_one_decision_and_the_budget_holds(case: Case) -> None:
    decisions = case.decide()
    assert Counter(d.moment for d in decisions) == Counter(case.moments)
    granted = [d.credit_minor for d in decisions if not d.moment.mandatory]
    assert all(g >= 0 for g in granted) and sum(granted) <= case.budget_left
    assert all(d.credit_minor == 0 for d in decisions if d.outcome != "act")


@FEW
@given(cases)
def test_nobody_gets_more_than_k_messages_in_30_days(case: Case) -> None:
    # Mandatory notices go whatever the limit; any other message only fits under it.
    decisions = case.decide()
    for customer in IDS:
        acts = [d for d in decisions if d.outcome == "act" and d.moment.customer_id == customer]
        if any(not d.moment.mandatory for d in acts):
            assert case.messages_before(customer) + len(acts) <= case.limit


@FEW
@given(cases)
def test_holdout_customers_never_get_a_non_mandatory_message(case: Case) -> None:
    for d in case.decide():
        if d.arm == "holdout" and d.outcome == "act":
            assert d.moment.mandatory


@FEW
@given(cases, st.randoms(use_true_random=False))
def test_decide_is_deterministic_whatever_the_input_order(case: Case, rng: Random) -> None:
    moments, history, ids = list(case.moments), list(case.history), list(case.facts)
    for items in (moments, history, ids):
        rng.shuffle(items)
    facts = {c: case.facts[c] for c in ids}
    reordered = replace(case, moments=moments, history=history, facts=facts)
    assert reordered.decide() == case.decide()


TIED = st.builds(
    Moment,
    customer_id=st.sampled_from(["C1", "C2"]),
    subscription_id=st.just("S1"),
    kind=st.sampled_from(["better_plan", "loyalty_penalty"]),
    detected_for=st.just("2026-11"),
    value_to_customer_minor=st.sampled_from([100, 200]),
    cost_to_business_minor=st.just(0),
    currency=st.just("GBP"),
    evidence=st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 3), max_size=2),
)


@given(st.lists(TIED, max_size=12))
def test_moments_tied_on_their_rank_are_ordered_by_their_evidence(moments: list[Moment]) -> None:
    """The evidence is written out only where the rest of the rank ties; the order must be
    that of one sort by the rank and the evidence together."""
    in_one_sort = sorted(
        moments, key=lambda m: (*policy_rules._rank(m), repr(sorted(m.evidence.items())))
    )
    assert [id(m) for m in policy_rules._ranked(moments)] == [id(m) for m in in_one_sort]
