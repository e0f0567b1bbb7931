"""``goodwill run``: the nightly care run — detect moments, decide, act, deliver.

Re-running the same day is a no-op: every moment has a dedupe key, and a moment already
stored is neither decided again nor acted on again. Every run is recorded with its counts.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from goodwill.analytics.detectors.base import DetectorContext
from goodwill.analytics.detectors.registry import load_detectors
from goodwill.analytics.engine import open_ledger_for
from goodwill.channels import DeliveryReport
from goodwill.channels.configure import deliver_all
from goodwill.channels.credits_export import ExportReport
from goodwill.channels.render import MessageRenderer
from goodwill.domain.contact import ContactPolicy
from goodwill.domain.handover import CASE_MOVED, case_moved_moments
from goodwill.domain.merge import merge_repeated_failures
from goodwill.domain.moments import Moment
from goodwill.domain.owners import OwnerPolicy
from goodwill.domain.policy import CustomerFacts, Decision, decide
from goodwill.domain.promises import run_instant
from goodwill.services.act import STATUS, ActContext, ActCounts, record_decisions
from goodwill.services.detect import Detected, detect_all
from goodwill.services.inputs import budgets_left, contact_history, customer_facts, experiments_for
from goodwill.services.links import links_for
from goodwill.services.resolved_cases import release_resolved_cases
from goodwill.settings import Settings
from goodwill.store import (
    finish_run,
    make_engine,
    session_factory,
    start_run,
    store_url_for,
    upgrade,
)
from goodwill.store.agents import move_cases_from_away
from goodwill.store.case_book import CaseBook
from goodwill.store.models import Experiment


@dataclass
class CareRunReport:
    """What one care run found, decided and did."""

    asof: date
    run_id: int | None
    dry_run: bool
    found: Counter[str] = field(default_factory=Counter)  # moments per kind
    #: (kind, status) of each moment this run recorded; for a dry run, what it would record.
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    acted: ActCounts | None = None
    delivery: DeliveryReport | None = None  # emails
    billing: DeliveryReport | None = None  # billing webhooks, when a URL is set
    credits: ExportReport | None = None
    decisions: list[Decision] = field(default_factory=list)


def run_care(
    settings: Settings,
    asof: date,
    *,
    dry_run: bool = False,
    deliver_now: bool = True,
    detectors: list[str] | None = None,
) -> CareRunReport:
    """Detect, decide and act for ``asof``; with ``dry_run``, decide but write nothing."""
    engine = make_engine(store_url_for(settings))
    try:  # closed however the run ends: a failed run leaves no connection open
        return _run(settings, asof, engine, dry_run, deliver_now, detectors)
    finally:
        engine.dispose()


def _run(
    settings: Settings,
    asof: date,
    engine: Engine,
    dry_run: bool,
    deliver_now: bool,
    detectors: list[str] | None,
) -> CareRunReport:
    ledger = open_ledger_for(settings)
    upgrade(engine)
    context = DetectorContext(ledger=ledger, asof=asof, settings=settings, store=engine)
    # Delivery (below) is not held under it: it waits on the network, not on Python.
    with _no_cyclic_collection():
        detected = detect_all(load_detectors(detectors), context)
        moments = [m for d in detected for m in d.moments]
        make_session = session_factory(engine)
        now = datetime.now(UTC)
        report = CareRunReport(asof=asof, run_id=None, dry_run=dry_run)
        folded = merge_repeated_failures(moments)
        with make_session() as session, session.begin():
            # Solved cases close first, so nobody is told a new owner has a solved problem;
            # then cases move, so that tonight's new care moments go to the new owners too.
            release_resolved_cases(session, ledger, run_instant(asof), now)
            moved = _move_cases(session, settings, asof, now, moments)
            moments += moved
            report.found.update(m.kind for m in moments)
            facts, recipients = customer_facts(ledger, {m.customer_id for m in moments})
            decisions = _decide(session, settings, asof, [*folded.to_decide, *moved], facts)
            report.decisions = decisions
            if dry_run:
                report.outcomes.update((d.moment.kind, STATUS[d.outcome]) for d in decisions)
                report.outcomes.update((m.kind, "merged") for m in folded.merged)
                session.rollback()  # gives the connection back, so the engine can close it
                return report
            run = start_run(session, asof, now=now)
            report.run_id = run.id
            experiment_ids = {e.kind: e.id for e in session.query(Experiment).all()}
            ctx = ActContext(
                session,
                run,
                recipients,
                experiment_ids,
                links_for(moments, settings, session, now),
                settings,
                now,
                MessageRenderer(settings.templates_dir, team_name=settings.team_name),
                CaseBook(session, [d.moment.customer_id for d in decisions if _needs_owner(d)]),
            )
            report.acted = record_decisions(decisions, ctx, merged=folded.merged)
            report.outcomes = report.acted.outcomes
            counts = _counts(detected, report.acted) | {f"found_{CASE_MOVED}": len(moved)}
            finish_run(session, run, counts, now=datetime.now(UTC))
    if deliver_now:
        email, *billing = deliver_all(engine, settings)
        report.delivery, report.billing = email, (billing[0] if billing else None)
    return report


@contextmanager
def _no_cyclic_collection() -> Iterator[None]:
    """Python's cycle collector off while a run detects, decides and stores, as it was
    after. A run holds hundreds of thousands of long-lived objects (moments, evidence,
    rows, rendered messages) and makes next to no cycles, and the collector would walk
    them again and again as they pile up: a tenth of the run's time at 100,000
    customers. Reference counting still frees at once whatever is not in a cycle.

    Switched back on, the collector would walk every object the run still holds at its
    next allocation: they were all made since its last pass, so all count as young
    (1.2 s at 1,000,000 customers). They are handed to the oldest generation instead,
    where a full pass looks at them when its turn comes, with whatever else lives long;
    where the process has frozen objects of its own (the web app does, once warm), that
    would unfreeze them, and the young objects are left where they are."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()  # every tracked object into the permanent generation, in O(1)
                gc.unfreeze()  # and from there into the oldest, with the counts reset
            gc.enable()


def _needs_owner(decision: Decision) -> bool:
    """Whether acting on the decision may name a case owner (a care message)."""
    return decision.outcome == "act" and decision.moment.message_type == "care"


def _move_cases(
    session: Session, settings: Settings, asof: date, now: datetime, moments: list[Moment]
) -> list[Moment]:
    """Move the cases of owners away more than ``owner_max_away_days``: a notice per customer."""
    policy = OwnerPolicy(max_away_days=settings.owner_max_away_days)
    moves = move_cases_from_away(session, today=asof, now=now, policy=policy)
    currency = moments[0].currency if moments else "GBP"
    return case_moved_moments(((m.customer_id, m.subject, m.choice) for m in moves), asof, currency)


def _decide(
    session: Session,
    settings: Settings,
    asof: date,
    moments: list[Moment],
    facts: Mapping[str, CustomerFacts],
) -> list[Decision]:
    policy = ContactPolicy(
        max_messages_per_30_days=settings.max_messages_per_30_days,
        repeat_advice_after_days=settings.repeat_advice_after_days,
        default_holdout_percent=settings.holdout_percent,
    )
    currency = moments[0].currency if moments else "GBP"
    return decide(
        moments,
        facts,
        contact_history(session, asof, max(30, settings.repeat_advice_after_days)),
        budgets_left(session, settings, asof, currency),
        experiments_for(session, {m.kind for m in moments}, settings),
        asof,
        policy,
    )


def _counts(detected: list[Detected], acted: ActCounts) -> dict[str, int]:
    counts = {f"found_{d.detector.name}": len(d.moments) for d in detected}
    for (kind, status), n in acted.outcomes.items():
        counts[f"{kind}_{status}"] = n
    counts["already_recorded"] = acted.already_recorded
    counts["messages_queued"] = acted.messages_queued
    counts["credits_minor"] = acted.credits_minor
    return counts
