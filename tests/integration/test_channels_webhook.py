"""The webhook channel against a real HTTP server on loopback (http.server in a thread)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from goodwill.channels import deliver
from goodwill.channels.configure import deliver_all
from goodwill.channels.webhook import WebhookChannel
from goodwill.settings import Settings
from goodwill.store.messages import Backoff
from goodwill.store.models import Message
from tests.integration.conftest import QUEUED_AT, QueueMessages

LATER = QUEUED_AT + timedelta(seconds=1)
MINUTE = Backoff(base=timedelta(minutes=1))


@dataclass
class Receiver:
    """What the webhook server was sent, and the statuses it answers with (then 200)."""

    url: str
    answers: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.requests.append(
                {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
            )
            status = received.answers.pop(0) if received.answers else 200
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/goodwill"
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_each_message_is_posted_as_json_with_its_idempotency_key(
    engine: Engine, queue_messages: QueueMessages, receiver: Receiver
) -> None:
    (message_id,) = queue_messages(1)
    channel = WebhookChannel(receiver.url, headers={"Authorization": "Bearer test"})
    assert deliver(engine, channel, now=LATER).sent == 1
    (request,) = receiver.requests
    assert request["path"] == "/hooks/goodwill"
    assert request["headers"]["Idempotency-Key"] == message_id.strip("<>")
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Authorization"] == "Bearer test"
    assert request["json"] == {
        "message_id": message_id,
        "idempotency_key": message_id.strip("<>"),
        "customer_id": "C0",
        "to": "customer0@example.com",
        "subject": "You could save £2.50 a month, customer 0",
        "text": "Hello customer 0, plan P-750 fits you better.",
        "html": "<p>Hello customer 0, plan <b>P-750</b> fits you better.</p>",
    }


@pytest.mark.parametrize("answer", [500, 302])
def test_an_answer_other_than_2xx_is_retried_with_the_same_key(
    engine: Engine,
    sessions: sessionmaker[Session],
    queue_messages: QueueMessages,
    receiver: Receiver,
    answer: int,
) -> None:
    queue_messages(1)
    receiver.answers = [answer]
    channel = WebhookChannel(receiver.url)
    assert deliver(engine, channel, now=LATER, backoff=MINUTE).retrying == 1
    with sessions() as session:
        message = session.scalars(select(Message)).one()
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error and f"answered {answer}" in message.last_error
    assert deliver(engine, channel, now=LATER + timedelta(minutes=1), backoff=MINUTE).sent == 1
    first, second = receiver.requests
    assert first["headers"]["Idempotency-Key"] == second["headers"]["Idempotency-Key"]


def test_billing_messages_go_to_the_billing_webhook_and_emails_to_the_email_channel(
    engine: Engine,
    sessions: sessionmaker[Session],
    queue_messages: QueueMessages,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    emails = queue_messages(2)
    (billing,) = queue_messages(1, first=2)
    with sessions.begin() as session:
        session.execute(
            update(Message).where(Message.message_id == billing).values(channel="webhook")
        )
    waiting = Settings(data_dir=tmp_path, outbox_dir=tmp_path / "outbox")
    reports = deliver_all(engine, waiting)
    assert [r.sent for r in reports] == [2]  # no billing URL: the billing message waits
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    with sessions() as session:
        assert (
            session.scalar(select(Message.status).where(Message.message_id == billing)) == "queued"
        )

    ready = Settings(
        data_dir=tmp_path, outbox_dir=tmp_path / "outbox", billing_webhook_url=receiver.url
    )
    reports = deliver_all(engine, ready)
    assert [r.sent for r in reports] == [0, 1]
    assert [r["json"]["message_id"] for r in receiver.requests] == [billing]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == len(emails)
