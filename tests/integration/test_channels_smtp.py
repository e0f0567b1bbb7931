"""The SMTP channel against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from goodwill.channels import deliver
from goodwill.channels.smtp import SmtpChannel
from goodwill.store.messages import Backoff
from goodwill.store.models import Message
from tests.integration.conftest import QUEUED_AT, QueueMessages, SmtpServer, free_port

LATER = QUEUED_AT + timedelta(seconds=1)
MINUTE = Backoff(base=timedelta(minutes=1))


def statuses(sessions: sessionmaker[Session]) -> list[tuple[str, int, str | None]]:
    with sessions() as session:
        query = select(Message.status, Message.attempts, Message.last_error).order_by(Message.id)
        return [(status, attempts, error) for status, attempts, error in session.execute(query)]


def test_the_server_receives_each_message_with_its_message_id(
    engine: Engine, queue_messages: QueueMessages, smtp_server: SmtpServer
) -> None:
    message_ids = queue_messages(3)
    channel = SmtpChannel(smtp_server.host, smtp_server.port, mail_from="care@example.com")
    assert deliver(engine, channel, now=LATER).sent == 3
    inbox = smtp_server.inbox
    assert inbox.message_ids() == message_ids
    first = inbox.received[0]
    assert first["Subject"] == "You could save £2.50 a month, customer 0"
    assert first["To"] == "customer0@example.com" and first["From"] == "care@example.com"
    assert inbox.recipients[0] == ["customer0@example.com"]
    assert first.get_content_type() == "multipart/alternative"
    text, html = (part.get_content_type() for part in first.iter_parts())
    assert (text, html) == ("text/plain", "text/html")
    body = first.get_body(preferencelist=("plain",))
    assert body is not None and "plan P-750 fits you better" in body.get_content()


def test_a_refusing_server_leaves_messages_queued_for_a_retry(
    engine: Engine,
    sessions: sessionmaker[Session],
    queue_messages: QueueMessages,
    smtp_server: SmtpServer,
) -> None:
    message_ids = queue_messages(2)
    smtp_server.inbox.refuse_with = "550 5.7.1 mailbox unavailable"
    channel = SmtpChannel(smtp_server.host, smtp_server.port)
    report = deliver(engine, channel, now=LATER, backoff=MINUTE)
    assert (report.sent, report.retrying) == (0, 2)
    assert smtp_server.inbox.received == []
    for status, attempts, error in statuses(sessions):
        assert (status, attempts) == ("queued", 1)
        assert error and "550" in error and "mailbox unavailable" in error
    smtp_server.inbox.refuse_with = None
    assert deliver(engine, channel, now=LATER + timedelta(seconds=30), backoff=MINUTE).sent == 0
    assert deliver(engine, channel, now=LATER + timedelta(minutes=1), backoff=MINUTE).sent == 2
    assert smtp_server.inbox.message_ids() == message_ids
    assert [s[:2] for s in statuses(sessions)] == [("sent", 2), ("sent", 2)]


@pytest.fixture
def hanging_up_server() -> Iterator[tuple[str, int]]:
    """A TCP server that accepts SMTP connections and closes them at once."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def hang_up() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[:2]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_a_dropped_connection_is_a_failed_attempt(
    engine: Engine,
    sessions: sessionmaker[Session],
    queue_messages: QueueMessages,
    hanging_up_server: tuple[str, int],
) -> None:
    queue_messages(1)
    host, port = hanging_up_server
    report = deliver(engine, SmtpChannel(host, port, timeout_s=5), now=LATER, backoff=MINUTE)
    assert (report.sent, report.retrying) == (0, 1)
    ((status, attempts, error),) = statuses(sessions)
    assert (status, attempts) == ("queued", 1)
    assert error and "Connection unexpectedly closed" in error


def test_no_server_at_all_is_a_failed_attempt(
    engine: Engine, sessions: sessionmaker[Session], queue_messages: QueueMessages
) -> None:
    queue_messages(1)
    report = deliver(engine, SmtpChannel("127.0.0.1", free_port(), timeout_s=5), now=LATER)
    assert report.retrying == 1
    ((status, _, error),) = statuses(sessions)
    assert status == "queued" and error and "cannot connect" in error
