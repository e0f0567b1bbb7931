"""Run the simulation: population, plans, events, churn, then usage, bills and surveys.

Events that make customers leave (broken promises, slow answers) are drawn over each
customer's potential tenure first, churn is simulated month by month from them, and then
everything a departed customer would not have done is dropped. One PCG64 generator drives
every draw, in a fixed order, so the same arguments give the same sample.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from goodwill.sample import population as pop
from goodwill.sample.campaign import CampaignParams, plan_campaign
from goodwill.sample.campaign_outcome import CampaignOutcome, settle, world_rows
from goodwill.sample.catalogue import PLANS, RatingTable, rating_table
from goodwill.sample.choice import HANDSET, Choice, choose_plans
from goodwill.sample.churn import Exposure, HazardTally, simulate_worlds
from goodwill.sample.clock import NEVER, Clock, month_of, month_start
from goodwill.sample.feedback import Feedback, draw_feedback
from goodwill.sample.feedback_text import Experience, FeedbackTexts, draw_texts
from goodwill.sample.needs import NO_MONTH, Needs, draw_needs
from goodwill.sample.overpaying import eligible, find_overpaying, history_months
from goodwill.sample.params import SampleParams
from goodwill.sample.promises import Promises, draw_promises
from goodwill.sample.rating import charged_months
from goodwill.sample.tickets import Tickets, draw_tickets
from goodwill.sample.usage import UsageCube, active_share, simulate_usage

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


@dataclass
class Sample:
    """The whole simulated operator, as arrays; lines are in subscription-id order."""

    clock: Clock
    params: SampleParams
    seed: int
    customers: pop.Customers
    lines: pop.Lines
    ended_s: Ints  # per line; NEVER while active
    needs: Needs
    choice: Choice
    usage: UsageCube
    charged: Ints  # [line, month]: what each line added to its customer's bill
    promises: Promises
    tickets: Tickets
    feedback: Feedback
    texts: FeedbackTexts  # the words of the answers with text (a random stream of its own)
    eligible: Bools  # lines plan advice would look at
    overpaying: Bools
    campaign: CampaignOutcome | None = None  # a past advice campaign, if one was asked for


def generate(
    customers: int,
    months: int,
    seed: int,
    asof: dt.date,
    p: SampleParams,
    campaign: CampaignParams | None = None,
) -> Sample:
    """Simulate ``customers`` customers over the operator's history up to ``asof``.

    With ``campaign``, a past advice campaign is simulated too (:mod:`.campaign`); without
    one, every draw is as it always was, so the same arguments give the same sample.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    clock = Clock(asof=asof, months=months, history_months=max(p.launch_months_ago, months + 12))
    table = rating_table()
    draft = _draft(rng, customers, clock, p, table)
    past = None
    if campaign is not None:
        past = plan_campaign(campaign, clock, table, customers, draft.lines, draft.choice)
    tally = HazardTally()
    effect, counted = (past.effect, tally) if past else (None, None)
    worlds = simulate_worlds(rng, draft.exposure, clock, p, effect, counted)
    draft.people.left_s = past.actual(worlds) if past else worlds[0]
    draft.people.referrer = _referrers(rng, draft.people)
    world = _what_happened(draft)
    ended = world.people.left_s[world.lines.customer]
    setup = world_rows(past, worlds, world.lines, clock) if past else None
    others = [(setup.rows, share) for share in setup.shares] if setup else []
    usage, charged = _usage_and_charges(rng, world, ended, clock, p, table, others)
    outcome = None
    if past and setup:
        outcome = settle(past, worlds, tally, world.lines, world.choice.plan,
                         world.choice.misfit_month, usage, charged, table, setup)  # fmt: skip
    feedback = draw_feedback(
        rng, world.people, world.exposure.misfit_month, world.promises, world.tickets, clock, p
    )
    broken = _events(world.promises.customer, world.promises.broken_at_s)
    experience = Experience(world.people.left_s, world.exposure.misfit_month, broken)
    texts = draw_texts(seed, feedback, experience)
    history = history_months(usage.active, world.lines.started_s, usage.months)
    is_eligible = eligible(history, ended == NEVER)
    overpaying = is_eligible & find_overpaying(usage.quantity, history, world.choice.plan, table)
    return Sample(clock, p, seed, world.people, world.lines, ended, world.needs, world.choice,
                  usage, charged, world.promises, world.tickets, feedback, texts, is_eligible,
                  overpaying, outcome)  # fmt: skip


@dataclass
class _Draft:
    """Everything drawn over customers' *potential* tenure, before churn is known."""

    people: pop.Customers
    lines: pop.Lines
    needs: Needs
    choice: Choice
    tickets: Tickets
    promises: Promises
    exposure: Exposure


def _draft(
    rng: np.random.Generator, customers: int, clock: Clock, p: SampleParams, table: RatingTable
) -> _Draft:
    people = pop.draw_customers(rng, customers, clock, p)
    lines = pop.draw_lines(rng, people, clock, p)
    start_month = month_of(lines.started_s)
    needs = draw_needs(rng, lines.user_first_name >= 0, start_month, clock, p)
    choice, needs = choose_plans(rng, needs, start_month, clock, p, table)
    exposure = _exposure(people, lines, choice, start_month)
    misfit = exposure.misfit_month
    misfit_s = np.where(
        misfit < NO_MONTH, month_start(np.minimum(misfit, clock.asof_month + 1)), NEVER
    )
    handset_line = choice.profile == HANDSET
    has_handset = np.bincount(lines.customer[handset_line], minlength=len(people)) > 0
    tickets = draw_tickets(rng, people.joined_s, misfit_s, has_handset, clock, p)
    promises = draw_promises(rng, lines.customer, lines.started_s, handset_line, tickets, clock, p)
    exposure.broken = _events(promises.customer, promises.broken_at_s)
    exposure.slow = _events(tickets.customer, tickets.slow_at_s)
    return _Draft(people, lines, needs, choice, tickets, promises, exposure)


def _what_happened(d: _Draft) -> _Draft:
    """Drop what customers who left would never have done; order everything as ids go."""
    left = d.people.left_s
    started = d.lines.started_s
    kept = np.flatnonzero(started < left[d.lines.customer])
    kept = kept[np.argsort(started[kept], kind="stable")]
    opened, made = d.tickets.opened_s, d.promises.made_s
    return dataclasses.replace(
        d,
        lines=pop.subset(d.lines, kept),
        needs=pop.subset(d.needs, kept),
        choice=pop.subset(d.choice, kept),
        tickets=pop.subset(d.tickets, _in_order(opened, opened < left[d.tickets.customer])),
        promises=pop.subset(d.promises, _in_order(made, made < left[d.promises.customer])),
    )


def _exposure(
    people: pop.Customers, lines: pop.Lines, choice: Choice, start_month: Ints
) -> Exposure:
    """Per-customer hazard drivers known before churn: misfit plans and handset contracts."""
    n = len(people)
    misfit = np.full(n, NO_MONTH, dtype=np.int64)
    np.minimum.at(misfit, lines.customer, choice.misfit_month)
    handset = choice.profile == HANDSET
    contract_from = np.full(n, NO_MONTH, dtype=np.int64)
    contract_to = np.full(n, -1, dtype=np.int64)
    months = [PLANS[i].contract_months for i in range(len(PLANS))]
    end_month = start_month + np.array(months)[choice.plan] - 1
    np.minimum.at(contract_from, lines.customer[handset], start_month[handset])
    np.maximum.at(contract_to, lines.customer[handset], end_month[handset])
    none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return Exposure(
        people.joined_s, people.referred, misfit, contract_from, contract_to, none, none
    )


def _events(who: Ints, at: Ints) -> tuple[Ints, Ints]:
    happened = at != NEVER
    return who[happened], at[happened]


def _in_order(times: Ints, keep: Bools) -> Ints:
    """Indexes of the kept entries, by time (ids are issued in that order)."""
    index = np.flatnonzero(keep)
    result: Ints = index[np.argsort(times[index], kind="stable")]
    return result


def _referrers(rng: np.random.Generator, people: pop.Customers) -> Ints:
    """For each referred customer, an earlier-joined customer who was still a member then."""
    referrer = np.full(len(people), -1, dtype=np.int64)
    todo = np.flatnonzero(people.referred)
    for _ in range(8):  # a few vectorized rounds: a draw fails only if the referrer had left
        pick = (rng.random(len(todo)) * todo).astype(np.int64)
        joined = people.joined_s[todo]
        ok = (people.joined_s[pick] < joined) & (people.left_s[pick] > joined)
        referrer[todo[ok]] = pick[ok]
        todo = todo[~ok]
    return referrer


def _usage_and_charges(
    rng: np.random.Generator,
    world: _Draft,
    ended: Ints,
    clock: Clock,
    p: SampleParams,
    table: RatingTable,
    others: list[tuple[Ints, Floats]],
) -> tuple[UsageCube, Ints]:
    lines, plan = world.lines, world.choice.plan
    share = active_share(lines.started_s, ended, clock)
    start_month = month_of(lines.started_s)
    usage = simulate_usage(rng, world.needs, start_month, plan, share, clock, p, table, others)
    charged = charged_months(usage.quantity, plan, table) * usage.active
    return usage, charged
