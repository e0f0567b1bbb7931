"""Survey answers from the minority who consent and reply, shaped by their experience.

NPS (0-10) falls for customers on a misfitting plan and after a recent broken promise or
slow answer; CSAT (1-5) after a ticket falls when the answer was slow, the ticket was a
complaint, or it took long to resolve. So NPS carries real signal about who will leave.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.ledger.contract import CONSENT_TYPES, FEEDBACK_KINDS
from goodwill.sample.clock import DAY, HOUR, NEVER, Clock, month_of
from goodwill.sample.params import SampleParams
from goodwill.sample.population import Customers, subset
from goodwill.sample.promises import Promises
from goodwill.sample.tickets import MONTH_S, Tickets

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
#: How many sentences the main stream picks among for an answer with text, by mood (kept so
#: the draws stay as they were; the words come from :mod:`.feedback_text`).
MOOD_SIZES = (5, 4, 4)
RECENT_S = 90 * DAY


@dataclass
class Feedback:
    """One entry per answer; ``kind`` indexes FEEDBACK_KINDS; ``text`` >= 0: it has words."""

    customer: Ints
    at_s: Ints
    kind: Ints
    score: Ints
    text: Ints

    def __len__(self) -> int:
        return len(self.customer)


def recent(events: tuple[Ints, Ints], who: Ints, at: Ints) -> Bools:
    """Whether each customer ``who`` had one of ``events`` in the 90 days before ``at``."""
    ev_who, ev_at = events
    if len(ev_who) == 0:
        return np.zeros(len(who), dtype=np.bool_)
    keys = np.sort(ev_who << 32 | ev_at)
    i = np.searchsorted(keys, who << 32 | at, side="right") - 1
    last = keys[np.maximum(i, 0)]
    result: Bools = (i >= 0) & (last >> 32 == who) & (at - (last & 0xFFFFFFFF) <= RECENT_S)
    return result


def draw_feedback(
    rng: np.random.Generator,
    people: Customers,
    misfit_month: Ints,
    promises: Promises,
    tickets: Tickets,
    clock: Clock,
    p: SampleParams,
) -> Feedback:
    """NPS and CSAT answers of customers while they were customers, in time order."""
    broken = _happened(promises.customer, promises.broken_at_s)
    slow = _happened(tickets.customer, tickets.slow_at_s)
    nps = draw_nps(rng, people, misfit_month, (broken, slow), clock, p)
    csat = draw_csat(rng, tickets, people.consents, people.left_s, clock, p)
    names = [f.name for f in dataclasses.fields(Feedback)]
    both = Feedback(*(np.concatenate([getattr(nps, n), getattr(csat, n)]) for n in names))
    return subset(both, np.argsort(both.at_s, kind="stable"))


def _happened(who: Ints, at: Ints) -> tuple[Ints, Ints]:
    return who[at != NEVER], at[at != NEVER]


def draw_nps(
    rng: np.random.Generator,
    people: Customers,
    misfit_month: Ints,
    experience: tuple[tuple[Ints, Ints], tuple[Ints, Ints]],
    clock: Clock,
    p: SampleParams,
) -> Feedback:
    """NPS answers over each customer's tenure; ``experience`` is (broken, slow) events."""
    consents, joined_s = people.consents, people.joined_s
    asks = (consents >> CONSENT_TYPES.index("survey")) & 1 == 1
    end = np.minimum(people.left_s, clock.asof_s)
    rate = np.where(asks, p.nps_invites_per_month * p.nps_response_share, 0.0)
    count = rng.poisson(rate * np.maximum(end - joined_s, 0) / MONTH_S)
    who = np.repeat(np.arange(len(joined_s), dtype=np.int64), count)
    at = joined_s[who] + (rng.random(len(who)) * (end - joined_s)[who]).astype(np.int64)
    broken, slow = experience
    latent = 8.6 + 1.7 * rng.standard_normal(len(who))
    latent -= 2.5 * (month_of(at) >= misfit_month[who])
    latent -= 2.5 * recent(broken, who, at) + 1.5 * recent(slow, who, at)
    score = np.clip(np.rint(latent), 0, 10).astype(np.int64)
    return _with_text(rng, who, at, FEEDBACK_KINDS.index("nps"), score, (score <= 6, score >= 9), p)


def draw_csat(
    rng: np.random.Generator,
    tickets: Tickets,
    consents: Ints,
    left_s: Ints,
    clock: Clock,
    p: SampleParams,
) -> Feedback:
    """CSAT answers a few hours after resolved tickets."""
    asks = (consents[tickets.customer] >> CONSENT_TYPES.index("survey")) & 1 == 1
    at = tickets.resolved_s + rng.lognormal(np.log(2 * HOUR), 1.0, len(tickets)).astype(np.int64)
    resolved = tickets.resolved_s != NEVER
    at = np.where(resolved, at, NEVER)
    answers = asks & resolved & (rng.random(len(tickets)) < p.csat_response_share)
    answers &= (at < clock.asof_s) & (at < left_s[tickets.customer])
    took = tickets.resolved_s - tickets.opened_s
    latent = 4.3 + 0.9 * rng.standard_normal(len(tickets))
    latent -= 1.2 * (tickets.slow_at_s != NEVER) + 0.8 * tickets.complaint + 0.5 * (took > 3 * DAY)
    score = np.clip(np.rint(latent), 1, 5).astype(np.int64)[answers]
    who = tickets.customer[answers]
    mood = (score <= 2, score >= 4)
    return _with_text(rng, who, at[answers], FEEDBACK_KINDS.index("csat"), score, mood, p)


def _with_text(
    rng: np.random.Generator,
    who: Ints,
    at: Ints,
    kind: int,
    score: Ints,
    mood: tuple[Bools, Bools],
    p: SampleParams,
) -> Feedback:
    """Which answers come with a sentence (:mod:`.feedback_text` writes it)."""
    low, high = mood
    sizes = MOOD_SIZES
    offset = np.select([low, high], [0, sizes[0] + sizes[1]], sizes[0])
    size = np.select([low, high], [sizes[0], sizes[2]], sizes[1])
    pick = offset + (rng.random(len(who)) * size).astype(np.int64)
    text = np.where(rng.random(len(who)) < p.feedback_text_share, pick, -1)
    return Feedback(who, at, np.full(len(who), kind), score, text)
