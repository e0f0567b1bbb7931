"""The simulated operator as Arrow tables, one per contract table, in the contract's order."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from goodwill.ledger.contract import (
    CONSENT_TYPES,
    FEEDBACK_KINDS,
    PROMISE_KINDS,
    TABLES_BY_NAME,
    TICKET_EVENTS,
)
from goodwill.sample.catalogue import CURRENCY, DEFAULT_RATES, KINDS, PLANS
from goodwill.sample.clock import contract_end, period_label
from goodwill.sample.columns import dates, id_width, ids, joined, pick, timestamps, tokens
from goodwill.sample.generator import Sample
from goodwill.sample.names import AGENTS, EMAIL_DOMAINS, FIRST_NAMES, LOCALES, SURNAMES
from goodwill.sample.promises import late_cancellations
from goodwill.sample.ticket_events import draw_ticket_events
from goodwill.sample.usage import DENSE_KINDS

PLAN_IDS = [plan.plan_id for plan in PLANS]


def _table(name: str, columns: dict[str, pa.Array | list[object]]) -> pa.Table:
    """A table whose columns must be exactly the contract's, in its order."""
    expected = TABLES_BY_NAME[name].column_names
    assert tuple(columns) == expected, f"{name}: {tuple(columns)} != {expected}"
    return pa.table(columns)


def plans() -> pa.Table:
    return _table("plans", {
        "plan_id": PLAN_IDS,
        "name": [p.name for p in PLANS],
        "monthly_fee": [p.monthly_fee for p in PLANS],
        "currency": [CURRENCY] * len(PLANS),
        "on_sale": [p.on_sale for p in PLANS],
        "contract_months": [p.contract_months for p in PLANS],
        "device_fee": [p.device_fee for p in PLANS],
    })  # fmt: skip


def plan_allowances() -> pa.Table:
    rows = [(p.plan_id, a) for p in PLANS for a in p.allowances]
    return _table("plan_allowances", {
        "plan_id": [plan_id for plan_id, _ in rows],
        "kind": [a.kind for _, a in rows],
        "included": pa.array([a.included for _, a in rows], pa.int64()),
        "overage_rate": pa.array([a.rate for _, a in rows], pa.string()),
    })  # fmt: skip


def default_rates() -> pa.Table:
    return _table("default_rates", {
        "kind": [kind for kind, _ in DEFAULT_RATES],
        "currency": [CURRENCY] * len(DEFAULT_RATES),
        "overage_rate": [rate for _, rate in DEFAULT_RATES],
    })  # fmt: skip


def customer_ids(s: Sample) -> pa.Array:
    return ids("C", np.arange(len(s.customers)), id_width(len(s.customers)))


def customers(s: Sample, cids: pa.Array) -> pa.Table:
    c = s.customers
    first, last = pick(FIRST_NAMES, c.first_name), pick(SURNAMES, c.surname)
    number = pc.cast(pa.array(c.email_number, mask=c.email_number < 0), pa.string())
    local = joined(first, ".", last, pc.coalesce(number, pa.scalar("")))
    email = joined(pc.utf8_lower(local), "@", pick(EMAIL_DOMAINS, c.email_domain))
    return _table("customers", {
        "customer_id": cids,
        "name": joined(first, " ", last),
        "email": email,
        "joined_at": timestamps(c.joined_s),
        "left_at": timestamps(c.left_s),
        "referred_by": pc.take(cids, pa.array(c.referrer, mask=c.referrer < 0)),
        "consents": tokens(c.consents, CONSENT_TYPES),
        "locale": pick([code for code, _ in LOCALES], c.locale),
    })  # fmt: skip


def subscription_ids(s: Sample) -> pa.Array:
    return ids("S", np.arange(len(s.lines)), id_width(len(s.lines)))


def subscriptions(s: Sample, cids: pa.Array, sids: pa.Array) -> pa.Table:
    ln = s.lines
    contract = np.array([p.contract_months for p in PLANS])[s.choice.plan]
    return _table("subscriptions", {
        "subscription_id": sids,
        "customer_id": pc.take(cids, pa.array(ln.customer)),
        "user_name": joined(pick(FIRST_NAMES, ln.user_first_name), " ", pick(SURNAMES, ln.user_surname)),
        "plan_id": pick(PLAN_IDS, s.choice.plan),
        "started_at": timestamps(ln.started_s),
        "ended_at": timestamps(s.ended_s),
        "contract_end": dates(contract_end(ln.started_s, contract)),
    })  # fmt: skip


def usage_chunks(s: Sample, sids: pa.Array) -> Iterator[pa.Table]:
    """Usage one period at a time (a subscription's kinds together), to bound memory."""
    q, active = s.usage.quantity, s.usage.active
    dense = np.array([kind in DENSE_KINDS for kind in KINDS])
    kinds = pa.array(KINDS)
    for j, month in enumerate(s.usage.months):
        show = (dense[None, :] & active[:, j, None]) | (q[:, :, j].T > 0)
        line, kind = np.nonzero(show)
        yield _table("usage", {
            "subscription_id": pc.take(sids, pa.array(line)),
            "period": pa.repeat(pa.scalar(period_label(int(month))), len(line)),
            "kind": pa.DictionaryArray.from_arrays(pa.array(kind.astype(np.int32)), kinds),
            "quantity": pa.array(q[kind, line, j].astype(np.int64)),
        })  # fmt: skip


def bills(s: Sample, cids: pa.Array) -> pa.Table:
    """Per customer and month: the sum of what their active lines were charged."""
    n, m = len(s.customers), len(s.usage.months)
    amount = np.zeros(n * m, dtype=np.int64)
    billed = np.zeros(n * m, dtype=np.bool_)
    cells = (s.lines.customer[:, None] * m + np.arange(m)[None, :]).ravel()
    np.add.at(amount, cells, s.charged.ravel())
    billed[cells[s.usage.active.ravel()]] = True
    cell = np.flatnonzero(billed.reshape(n, m).T.ravel())  # period-major order
    month, customer = cell // n, cell % n
    periods = pa.array([period_label(int(x)) for x in s.usage.months])
    return _table("bills", {
        "customer_id": pc.take(cids, pa.array(customer)),
        "period": pc.take(periods, pa.array(month)),
        "amount": pa.array(amount[customer * m + month]),
        "currency": pa.repeat(pa.scalar(CURRENCY), len(cell)),
    })  # fmt: skip


def promises(s: Sample, cids: pa.Array) -> pa.Table:
    pr = s.promises
    return _table("promises", {
        "promise_id": ids("PR", np.arange(len(pr)), id_width(len(pr))),
        "customer_id": pc.take(cids, pa.array(pr.customer)),
        "kind": pick(PROMISE_KINDS, pr.kind),
        "made_at": timestamps(pr.made_s),
        "due_at": timestamps(pr.due_s),
        "kept_at": timestamps(pr.kept_s),
        "cancelled_at": timestamps(late_cancellations(s.seed, pr, s.params)),
    })  # fmt: skip


def tickets(s: Sample, cids: pa.Array) -> pa.Table:
    t = s.tickets
    return _table("tickets", {
        "ticket_id": ids("T", np.arange(len(t)), id_width(len(t))),
        "customer_id": pc.take(cids, pa.array(t.customer)),
        "channel": pick(list(s.params.channel_shares), t.channel),
        "opened_at": timestamps(t.opened_s),
        "first_response_at": timestamps(t.first_response_s),
        "resolved_at": timestamps(t.resolved_s),
        "category": pick(list(s.params.category_shares), t.category),
        "is_complaint": pa.array(t.complaint),
        "owner": pick(AGENTS, t.owner),
    })  # fmt: skip


def ticket_events(s: Sample) -> pa.Table:
    e = draw_ticket_events(s.seed, s.tickets, s.params)
    return _table("ticket_events", {
        "ticket_id": ids("T", e.ticket, id_width(len(s.tickets))),
        "at": timestamps(e.at_s),
        "event": pick(TICKET_EVENTS, e.event),
    })  # fmt: skip


def feedback(s: Sample, cids: pa.Array) -> pa.Table:
    f = s.feedback
    return _table("feedback", {
        "customer_id": pc.take(cids, pa.array(f.customer)),
        "at": timestamps(f.at_s),
        "kind": pick(FEEDBACK_KINDS, f.kind),
        "score": pa.array(f.score),
        "text": pa.array(s.texts.text, mask=s.texts.theme < 0),
    })  # fmt: skip
