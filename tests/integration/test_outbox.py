"""The outbox worker on SQLite and PostgreSQL, with the in-memory channel."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from goodwill.channels import OutgoingMessage, Receipt, RecordingChannel, deliver
from goodwill.store.messages import Backoff, claim_due
from goodwill.store.models import Message, MessageStatus
from tests.integration.conftest import QUEUED_AT, QueueMessages

LATER = QUEUED_AT + timedelta(seconds=1)


def rows(sessions: sessionmaker[Session]) -> list[Message]:
    with sessions() as session:
        return list(session.scalars(select(Message).order_by(Message.id)))


def test_deliver_sends_every_due_message_once(
    engine: Engine, sessions: sessionmaker[Session], queue_messages: QueueMessages
) -> None:
    message_ids = queue_messages(5)
    channel = RecordingChannel()
    report = deliver(engine, channel, batch_size=2, now=LATER)
    assert (report.sent, report.retrying, report.failed) == (5, 0, 0)
    assert [m.message_id for m in channel.sent] == message_ids
    assert channel.sent[0].body_html and channel.sent[0].to_address == "customer0@example.com"
    assert {(m.status, m.attempts, m.sent_at) for m in rows(sessions)} == {("sent", 1, LATER)}
    assert deliver(engine, channel, now=LATER).attempted == 0  # nothing twice
    assert len(channel.sent) == 5


def test_a_message_not_yet_due_waits(engine: Engine, queue_messages: QueueMessages) -> None:
    queue_messages(1)
    channel = RecordingChannel()
    assert deliver(engine, channel, now=QUEUED_AT - timedelta(seconds=1)).attempted == 0
    assert channel.sent == []


def test_a_failed_attempt_is_retried_after_a_backoff(
    engine: Engine, sessions: sessionmaker[Session], queue_messages: QueueMessages
) -> None:
    queue_messages(2)
    refusing = RecordingChannel(refuse=lambda m: m.customer_id == "C0")
    report = deliver(engine, refusing, now=LATER, backoff=Backoff(base=timedelta(minutes=1)))
    assert (report.sent, report.retrying) == (1, 1)
    assert "refused" in report.errors[0]
    failed, sent = rows(sessions)
    assert (failed.status, failed.attempts, sent.status) == ("queued", 1, "sent")
    assert failed.next_attempt_at == LATER + timedelta(minutes=1)
    assert "DeliveryError: recording refused" in failed.last_error
    accepting = RecordingChannel()
    assert deliver(engine, accepting, now=LATER + timedelta(seconds=59)).attempted == 0
    assert deliver(engine, accepting, now=LATER + timedelta(minutes=1)).sent == 1
    (again,) = accepting.sent
    assert again.message_id == failed.message_id


def test_after_the_last_attempt_a_message_fails_with_its_error(
    engine: Engine, sessions: sessionmaker[Session], queue_messages: QueueMessages
) -> None:
    queue_messages(1)
    channel = RecordingChannel(refuse=lambda m: True)
    backoff = Backoff(base=timedelta(minutes=1), cap=timedelta(minutes=5))
    now, waits = LATER, []
    for _ in range(3):
        deliver(engine, channel, max_attempts=3, now=now, backoff=backoff)
        (message,) = rows(sessions)
        waits.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert (message.status, message.attempts) == ("failed", 3)
    assert message.last_error and "refused" in message.last_error
    assert waits[:2] == [timedelta(minutes=1), timedelta(minutes=2)]
    assert deliver(engine, channel, now=now + timedelta(days=1)).attempted == 0
    assert len(channel.refused) == 3 and channel.sent == []


def test_a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(
    engine: Engine, sessions: sessionmaker[Session], queue_messages: QueueMessages
) -> None:
    queue_messages(3)
    lease = timedelta(minutes=10)
    with sessions.begin() as session:  # a worker claims, then dies before sending
        claimed = claim_due(session, worker="dead", now=LATER, lease=lease, limit=2)
    assert [m.status for m in claimed] == ["sending", "sending"]
    channel = RecordingChannel()
    assert deliver(engine, channel, now=LATER, lease=lease).sent == 1  # only the unclaimed one
    assert deliver(engine, channel, now=LATER + lease, lease=lease).sent == 2
    assert sorted(m.attempts for m in rows(sessions)) == [1, 2, 2]
    assert len({m.message_id for m in channel.sent}) == 3


def test_messages_abandoned_on_every_attempt_are_given_up(
    engine: Engine, sessions: sessionmaker[Session], queue_messages: QueueMessages
) -> None:
    queue_messages(1)
    with sessions.begin() as session:
        session.execute(update(Message).values(status="sending", attempts=5, claimed_until=LATER))
    report = deliver(engine, RecordingChannel(), max_attempts=5, now=LATER)
    assert (report.abandoned, report.sent) == (1, 0)
    (message,) = rows(sessions)
    assert message.status == MessageStatus.FAILED and "abandoned" in (message.last_error or "")


class SlowChannel(RecordingChannel):
    def send(self, message: OutgoingMessage) -> Receipt:
        time.sleep(0.002)  # long enough for the other worker to claim in between
        return super().send(message)


def test_two_workers_never_take_the_same_message(
    engine: Engine, sessions: sessionmaker[Session], queue_messages: QueueMessages
) -> None:
    message_ids = queue_messages(40)
    channels = [SlowChannel(name="a"), SlowChannel(name="b")]
    workers = [
        threading.Thread(target=deliver, args=(engine, c), kwargs={"batch_size": 3, "now": LATER})
        for c in channels
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    sent = [m.message_id for c in channels for m in c.sent]
    assert sorted(sent) == sorted(message_ids)  # all of them, none twice
    assert all(c.sent for c in channels), "one worker got nothing: the test proved nothing"
    assert {m.status for m in rows(sessions)} == {"sent"}
