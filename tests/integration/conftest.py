"""The store matrix: every store test runs on a SQLite file and on PostgreSQL.

PostgreSQL tests use ``$GOODWILL_TEST_POSTGRES_URL`` (default: the local server, trust
auth) and get a schema of their own, named in the URL's ``search_path``, dropped after.
Deselect them with ``-m "not postgres"`` where no server runs.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from goodwill.store import (
    add_action,
    add_moment_once,
    enqueue_message,
    make_engine,
    message_id_for,
    session_factory,
    start_run,
    upgrade,
)

POSTGRES_URL = os.environ.get(
    "GOODWILL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store database: a temporary SQLite file or a fresh PG schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    yield from postgres_schema_url()


def postgres_schema_url() -> Iterator[str]:
    schema = f"gw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc.orig}); start it, "
            "set GOODWILL_TEST_POSTGRES_URL, or deselect with -m 'not postgres'"
        )
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """An engine on a migrated, empty store."""
    engine = make_engine(store_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


QueueMessages = Callable[..., list[str]]

#: When the test messages were queued; deliver(now=...) moves on from here.
QUEUED_AT = datetime(2026, 10, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def queue_messages(sessions: sessionmaker[Session]) -> QueueMessages:
    """Queue ``count`` messages (each with its run, moment and action); their Message-IDs."""

    def queue(count: int, *, html: bool = True, first: int = 0) -> list[str]:
        message_ids = []
        with sessions.begin() as session:
            run = start_run(session, QUEUED_AT.date(), now=QUEUED_AT)
            for n in range(first, first + count):
                message_ids.append(queue_one(session, run.id, n, html=html))
        return message_ids

    return queue


def queue_one(session: Session, run_id: int, n: int, *, html: bool) -> str:
    key = f"better_plan:S{n}:2026-09"
    moment = add_moment_once(
        session,
        run_id=run_id,
        customer_id=f"C{n}",
        kind="better_plan",
        detected_for="2026-09",
        value_to_customer_minor=250,
        cost_to_business_minor=250,
        currency="GBP",
        status="acted",
        dedupe_key=key,
        now=QUEUED_AT,
    )
    assert moment is not None
    action = add_action(
        session, customer_id=f"C{n}", kind="message", moment_id=moment.id, now=QUEUED_AT
    )
    message = enqueue_message(
        session,
        action_id=action.id,
        customer_id=f"C{n}",
        to_address=f"customer{n}@example.com",
        subject=f"You could save £2.50 a month, customer {n}",
        body_text=f"Hello customer {n}, plan P-750 fits you better.",
        body_html=f"<p>Hello customer {n}, plan <b>P-750</b> fits you better.</p>"
        if html
        else None,
        message_id=message_id_for(key, "care.example.com"),
        now=QUEUED_AT,
    )
    assert message is not None
    return message.message_id


def free_port() -> int:
    """A TCP port nothing listens on (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses it with ``refuse_with``."""

    delay_s: float = 0.0
    refuse_with: str | None = None
    received: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        self.received.append(BytesParser(policy=default).parsebytes(envelope.original_content))
        self.recipients.append(list(envelope.rcpt_tos))
        if self.delay_s:  # reply late, so a test can kill a worker while it waits
            await asyncio.sleep(self.delay_s)
        return "250 OK queued"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback, in a thread, stopped after the test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, inbox)
    finally:
        controller.stop()
