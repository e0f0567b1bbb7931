"""repeated_failures end to end: the threshold, one honest message, a senior owner."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from goodwill.ledger.ingest import ingest
from goodwill.services.care_run import run_care
from goodwill.settings import Settings
from goodwill.store import make_engine, session_factory, upgrade
from goodwill.store.agents import add_agent
from goodwill.store.models import Message, Moment
from tests.conftest import GOOD_SOURCE, write_source

ASOF = date(2026, 11, 23)
CUSTOMERS = (
    GOOD_SOURCE["customers"]
    .replace("advice;care", "advice;care")
    .replace(
        "C2,Bob Roy,,2025-02-01T09:00:00+01:00,,C1,,",
        "C2,Bob Roy,bob@example.com,2025-02-01T09:00:00+01:00,,C1,care,",
    )
)


def source(tmp_path: Path, c1_failures: int) -> Path:
    promises = ["promise_id,customer_id,kind,made_at,due_at,kept_at"]
    for i in range(c1_failures - 1):  # broken promises, each kept 3 days late
        promises.append(
            f"P{i},C1,sim_delivery,2026-11-0{i + 1}T09:00:00Z,2026-11-0{i + 2}T17:00:00Z,2026-11-0{i + 5}T10:00:00Z"
        )
    promises.append(
        "P9,C2,sim_delivery,2026-11-01T09:00:00Z,2026-11-02T17:00:00Z,2026-11-05T10:00:00Z"
    )
    tickets = [
        "ticket_id,customer_id,channel,opened_at,first_response_at,resolved_at,category,is_complaint,owner",
        "T1,C1,email,2026-11-10T09:00:00Z,2026-11-10T10:00:00Z,2026-11-11T09:00:00Z,billing,true,",
    ]
    return write_source(
        tmp_path / "source",
        {
            **GOOD_SOURCE,
            "customers": CUSTOMERS,
            "promises": "\n".join(promises) + "\n",
            "tickets": "\n".join(tickets) + "\n",
        },
    )


def prepare(tmp_path: Path, c1_failures: int) -> Settings:
    settings = Settings(
        data_dir=tmp_path / "data", outbox_dir=tmp_path / "outbox", holdout_percent=0
    )
    ingest(source(tmp_path, c1_failures), settings)
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'goodwill.sqlite'}")
    upgrade(engine)
    now = datetime.now(UTC)
    with session_factory(engine).begin() as session:
        add_agent(
            session,
            name="Tom Evans",
            email="tom@care.example",
            team="care",
            phone="0300 1",
            now=now,
        )
        add_agent(
            session,
            name="Grace Hall",
            email="grace@care.example",
            team="senior",
            phone="0300 2",
            now=now,
        )
    engine.dispose()
    return settings


def stored(settings: Settings) -> tuple[list[Moment], list[Message]]:
    engine = make_engine(f"sqlite:///{settings.data_dir / 'goodwill.sqlite'}")
    with session_factory(engine)() as session:
        moments = list(session.scalars(select(Moment)))
        messages = list(session.scalars(select(Message)))
        session.expunge_all()
    engine.dispose()
    return moments, messages


@pytest.mark.parametrize(("failures", "expected"), [(2, False), (3, True)])
def test_the_threshold(tmp_path: Path, failures: int, expected: bool) -> None:
    settings = prepare(tmp_path, failures)
    report = run_care(settings, ASOF, deliver_now=False, detectors=["repeated_failures"])
    assert (report.found["repeated_failures"] == 1) is expected


def test_one_message_a_senior_owner_and_one_meaningful_gesture(tmp_path: Path) -> None:
    settings = prepare(tmp_path, 3)  # two broken promises and a complaint
    run_care(settings, ASOF, deliver_now=False, detectors=["broken_promise", "repeated_failures"])
    moments, messages = stored(settings)
    c1 = {
        m.kind: [x for x in moments if x.customer_id == "C1" and x.kind == m.kind] for m in moments
    }
    assert [m.status for m in c1["broken_promise"]] == ["merged", "merged"]
    assert [m.status for m in c1["repeated_failures"]] == ["acted"]
    to_c1 = [m for m in messages if m.customer_id == "C1" and m.channel == "email"]
    assert len(to_c1) == 1  # one honest message instead of three
    # and one credit for the billing system, with its idempotency key
    [credit] = [
        json.loads(m.body_text)
        for m in messages
        if m.customer_id == "C1" and m.channel == "webhook"
    ]
    assert credit["amount_minor"] == 2000 and credit["idempotency_key"].startswith("credit-")
    text = to_c1[0].body_text
    assert "Here's what we got wrong:" in text and text.count("- Your new SIM") == 2
    assert "Grace Hall" in text and "0300 2" in text  # the senior team's, with her direct line
    assert "credit of £20" in text
    # C2 had one broken promise: an ordinary apology, from the care team.
    [to_c2] = [m for m in messages if m.customer_id == "C2" and m.channel == "email"]
    assert "Tom Evans" in to_c2.body_text and "Sorry we let you down" in to_c2.subject
