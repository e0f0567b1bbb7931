"""Promises: SIMs and handsets posted to new lines, and what tickets promised.

Most are kept on time, a few late, a few never (the params' ``promise_outcomes``). Like
tickets they are drawn before churn, since a broken promise makes a customer likelier to
leave. Some broken engineer visits were called off at short notice (``cancelled_at``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.ledger.contract import PROMISE_KINDS
from goodwill.sample.clock import DAY, HOUR, NEVER, Clock
from goodwill.sample.params import SampleParams
from goodwill.sample.tickets import Tickets

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass
class Promises:
    """One entry per promise; ``kind`` indexes the contract's PROMISE_KINDS."""

    customer: Ints
    kind: Ints
    made_s: Ints
    due_s: Ints
    kept_s: Ints  # NEVER: not kept (yet)
    broken_at_s: Ints  # when it was clearly broken (due and late or never kept); else NEVER

    def __len__(self) -> int:
        return len(self.customer)


def draw_promises(
    rng: np.random.Generator,
    line_customer: Ints,
    line_started_s: Ints,
    line_handset: Bools,
    tickets: Tickets,
    clock: Clock,
    p: SampleParams,
) -> Promises:
    """Promises for new lines and for the tickets that needed one."""
    categories = list(p.category_shares)
    channels = list(p.channel_shares)
    by_voice = np.isin(tickets.channel, [channels.index("phone"), channels.index("chat")])
    u = rng.random(len(tickets))
    sources = [
        ("sim_delivery", line_customer, line_started_s, rng.random(len(line_customer)) < p.physical_sim_share),
        ("device_delivery", line_customer, line_started_s, line_handset),
        ("callback", tickets.customer, tickets.opened_s, by_voice & (u < p.callback_share)),
        ("repair", tickets.customer, tickets.opened_s, _is(tickets, categories, "device") & (u < p.repair_share)),
        ("engineer_appointment", tickets.customer, tickets.opened_s,
         _is(tickets, categories, "network") & (u < p.engineer_share)),
        ("sim_delivery", tickets.customer, tickets.opened_s,
         _is(tickets, categories, "lost_sim") & (u < p.replacement_sim_share)),
    ]  # fmt: skip
    kind = np.concatenate([np.full(int(m.sum()), PROMISE_KINDS.index(k)) for k, _, _, m in sources])
    customer = np.concatenate([c[m] for _, c, _, m in sources])
    made = np.concatenate([t[m] for _, _, t, m in sources])
    return _outcomes(rng, customer, kind, made, clock, p)


#: The random stream of the cancellations, apart from the main one, so that adding them
#: changed no other draw: the same seed gives the same customers, usage and promises.
CANCELLATION_STREAM = 6


def late_cancellations(seed: int, promises: Promises, p: SampleParams) -> Ints:
    """When a broken engineer visit was cancelled, 1 to 20 hours before it was due (NEVER:
    it was not): a share ``late_cancel_share`` of them."""
    rng = np.random.Generator(np.random.PCG64([seed, CANCELLATION_STREAM]))
    n = len(promises)
    visit = promises.kind == PROMISE_KINDS.index("engineer_appointment")
    chosen = visit & (promises.broken_at_s != NEVER) & (rng.random(n) < p.late_cancel_share)
    notice = (rng.uniform(1, 20, n) * HOUR).astype(np.int64)
    cancelled: Ints = np.where(chosen, promises.due_s - notice, NEVER)
    return cancelled


def _is(tickets: Tickets, categories: list[str], name: str) -> Bools:
    result: Bools = tickets.category == categories.index(name)
    return result


def _outcomes(
    rng: np.random.Generator, customer: Ints, kind: Ints, made: Ints, clock: Clock, p: SampleParams
) -> Promises:
    n = len(kind)
    due_hours = np.zeros(len(PROMISE_KINDS))
    on_time_p = np.zeros(len(PROMISE_KINDS))
    late_p = np.zeros(len(PROMISE_KINDS))
    for name, (kept_p, late_kept_p) in p.promise_outcomes.items():
        i = PROMISE_KINDS.index(name)
        due_hours[i], on_time_p[i], late_p[i] = p.promise_due_hours[name], kept_p, late_kept_p
    due = made + (due_hours[kind] * HOUR).astype(np.int64)
    u = rng.random(n)
    on_time = u < on_time_p[kind]
    late = ~on_time & (u < on_time_p[kind] + late_p[kind])
    early = made + (rng.uniform(0.2, 1.0, n) * (due - made)).astype(np.int64)
    delay = (rng.lognormal(np.log(1.5 * DAY), 0.8, n)).astype(np.int64) + HOUR
    kept = np.select([on_time, late], [early, due + delay], NEVER)
    broken = ~on_time & (due < clock.asof_s)
    return Promises(
        customer=customer,
        kind=kind,
        made_s=made,
        due_s=due,
        kept_s=np.where(kept >= clock.asof_s, NEVER, kept),
        broken_at_s=np.where(broken, due, NEVER),
    )
