"""Contacts and complaints: lognormal response and resolution times per channel.

Tickets are drawn over each customer's *potential* tenure (join to asof) before churn is
simulated, because a slow answer makes a customer likelier to leave; churn then drops the
tickets a customer who left would never have opened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.sample.clock import DAY, MINUTE, NEVER, Clock, mostly_daytime
from goodwill.sample.names import AGENTS
from goodwill.sample.params import SampleParams

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
MONTH_S = 30.44 * DAY


@dataclass
class Tickets:
    """One entry per ticket; channel and category index the params' share tables."""

    customer: Ints
    opened_s: Ints
    first_response_s: Ints  # NEVER: nobody has answered
    resolved_s: Ints  # NEVER: still open
    channel: Ints
    category: Ints
    complaint: Bools
    owner: Ints  # index into AGENTS, -1: unassigned
    slow_at_s: Ints  # when the first response became slow; NEVER if it was not

    def __len__(self) -> int:
        return len(self.customer)


def _times(rng: np.random.Generator, start: Ints, end: Ints, rate: Floats) -> tuple[Ints, Ints]:
    """A Poisson process per customer over [start, end): (customer index, time) per event."""
    months = np.maximum(end - start, 0) / MONTH_S
    count = rng.poisson(rate * months)
    who = np.repeat(np.arange(len(start), dtype=np.int64), count)
    when = start[who] + (rng.random(len(who)) * (end - start)[who]).astype(np.int64)
    return who, np.clip(mostly_daytime(rng, when), start[who], end[who] - 1)


def draw_tickets(
    rng: np.random.Generator,
    joined_s: Ints,
    misfit_s: Ints,
    has_handset: Bools,
    clock: Clock,
    p: SampleParams,
) -> Tickets:
    """Tickets of every customer; customers on a misfitting plan also ring about their bill."""
    asof = np.full(len(joined_s), clock.asof_s, dtype=np.int64)
    who, opened = _times(rng, joined_s, asof, np.full(len(joined_s), p.tickets_per_customer_month))
    categories = list(p.category_shares)
    shares = np.array(list(p.category_shares.values()))
    category = rng.choice(len(categories), size=len(who), p=shares / shares.sum())
    device, network = categories.index("device"), categories.index("network")
    category = np.where((category == device) & ~has_handset[who], network, category)
    misfit_from = np.minimum(np.maximum(misfit_s, joined_s), asof)
    rate = np.full(len(joined_s), p.billing_tickets_per_overpaying_month)
    who_b, opened_b = _times(rng, misfit_from, asof, rate)
    who = np.concatenate([who, who_b])
    opened = np.concatenate([opened, opened_b])
    category = np.concatenate([category, np.full(len(who_b), categories.index("billing"))])
    return _timings(rng, who, opened, category, clock, p)


def _lognormal_s(rng: np.random.Generator, median_min: Floats, sigma: float) -> Ints:
    return (rng.lognormal(np.log(median_min * MINUTE), sigma) + 1).astype(np.int64)


def _timings(
    rng: np.random.Generator, who: Ints, opened: Ints, category: Ints, clock: Clock, p: SampleParams
) -> Tickets:
    n = len(who)
    channels = list(p.channel_shares)
    shares = np.array(list(p.channel_shares.values()))
    channel = rng.choice(len(channels), size=n, p=shares / shares.sum())
    first_median = np.array([p.first_response_median_minutes[c] for c in channels])[channel]
    slow_after = (np.array([p.slow_response_minutes[c] for c in channels]) * MINUTE)[channel]
    wait = _lognormal_s(rng, first_median, p.first_response_sigma)
    answered = rng.random(n) >= p.unanswered_share
    slow = ~answered | (wait > slow_after)
    complaint_p = np.array(list(p.complaint_probability.values()))[category]
    complaint = rng.random(n) < complaint_p * np.where(slow, p.complaint_ratio_if_slow, 1.0)
    resolve_median = np.array([p.resolution_median_minutes[c] for c in channels])[channel]
    resolve_median = resolve_median * np.where(complaint, p.complaint_resolution_factor, 1.0)
    first = np.where(answered, opened + wait, NEVER)
    resolved = np.where(
        answered, first + _lognormal_s(rng, resolve_median, p.resolution_sigma), NEVER
    )
    return Tickets(
        customer=who,
        opened_s=opened,
        first_response_s=_not_yet(first, clock),
        resolved_s=_not_yet(resolved, clock),
        channel=channel,
        category=category,
        complaint=complaint,
        owner=np.where(answered, rng.integers(0, len(AGENTS), n), -1),
        slow_at_s=np.where(slow, opened + slow_after.astype(np.int64), NEVER),
    )


def _not_yet(times: Ints, clock: Clock) -> Ints:
    """Times at or after asof have not happened yet."""
    return np.where(times >= clock.asof_s, NEVER, times)
