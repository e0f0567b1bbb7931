"""The outbox worker: deliver due messages through a channel, at least once, never lost.

Each message is claimed (``sending``, with a lease) in a committed transaction before it
is sent, and marked ``sent`` in its own transaction right after. A worker killed between
the two leaves the message ``sending``; once the lease runs out another worker sends it
again, with the same Message-ID, so the receiver can tell it is a repeat. Nothing is
marked sent that the channel did not accept.

Each of these store transactions is tried again while the store is unreachable (a
PostgreSQL restart), for up to a minute: above all the ``sent`` mark, so a message handed
over just before the store went away is not sent again once it is back. Each is safe to
run twice (see :func:`goodwill.store.engine.retrying_while_unreachable`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from goodwill.channels.base import Channel, OutgoingMessage
from goodwill.store.engine import retrying_while_unreachable, session_factory
from goodwill.store.messages import (
    Backoff,
    claim_due,
    give_up_abandoned,
    mark_attempt_failed,
    mark_sent,
)
from goodwill.store.models import Message, MessageStatus


@dataclass(frozen=True)
class DeliveryReport:
    """What one call of :func:`deliver` did."""

    channel: str
    sent: int = 0
    retrying: int = 0  # failed this time, queued again after a backoff
    failed: int = 0  # failed for the last time
    abandoned: int = 0  # left in ``sending`` by dead workers too often
    errors: tuple[str, ...] = ()  # the first few errors, for the operator

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def deliver(
    engine: Engine,
    channel: Channel,
    *,
    batch_size: int = 100,
    max_attempts: int = 5,
    now: datetime | None = None,
    lease: timedelta = timedelta(minutes=10),
    backoff: Backoff | None = None,
    medium: str | None = None,
) -> DeliveryReport:
    """Send every message that is due through ``channel``, batch by batch; with
    ``medium``, only the messages for that medium (``email`` or ``webhook``).

    ``now`` fixes the clock (tests, replays); by default it is the current UTC time.
    ``lease`` must be longer than a batch takes to send, or a slow worker's messages
    could be claimed by another worker while still in its hands.
    """
    if batch_size < 1 or lease <= timedelta(0):
        raise ValueError(
            f"deliver needs batch_size >= 1 and a positive lease, not {batch_size}, {lease}"
        )
    worker = _Worker(
        channel=channel,
        sessions=session_factory(engine),
        clock=(lambda: now) if now else (lambda: datetime.now(UTC)),
        max_attempts=max_attempts,
        backoff=backoff or Backoff(),
        tally=_Tally(channel.name),
        medium=medium,
    )
    worker.give_up_abandoned()
    while batch := worker.claim(batch_size, lease):
        for message in batch:
            worker.send(message)
    return worker.tally.report()


@dataclass
class _Worker:
    channel: Channel
    sessions: Callable[[], Session]
    clock: Callable[[], datetime]
    max_attempts: int
    backoff: Backoff
    tally: _Tally
    medium: str | None = None
    worker_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def give_up_abandoned(self) -> None:
        def once() -> int:
            with self.sessions() as session, session.begin():
                return give_up_abandoned(session, now=self.clock(), max_attempts=self.max_attempts)

        self.tally.abandoned = retrying_while_unreachable(once, what="giving up abandoned messages")

    def claim(self, limit: int, lease: timedelta) -> list[Message]:
        # A claim that committed but lost its answer leaves its rows to wait out the lease:
        # late, never sent twice, since nothing was sent.
        def once() -> list[Message]:
            with self.sessions() as session, session.begin():
                return claim_due(
                    session,
                    worker=self.worker_id,
                    now=self.clock(),
                    lease=lease,
                    limit=limit,
                    medium=self.medium,
                )

        return retrying_while_unreachable(once, what="claiming messages")

    def send(self, message: Message) -> None:
        try:
            receipt = self.channel.send(outgoing(message))
        except Exception as exc:  # any channel failure, plugin bugs included, is an attempt
            self.record_failure(message, f"{type(exc).__name__}: {exc}")
            return

        def mark() -> None:
            with self.sessions() as session, session.begin():
                mark_sent(session, message.id, receipt=receipt.detail, now=self.clock())

        retrying_while_unreachable(mark, what=f"marking message {message.message_id} sent")
        self.tally.sent += 1

    def record_failure(self, message: Message, error: str) -> None:
        def once() -> MessageStatus:
            with self.sessions() as session, session.begin():
                return mark_attempt_failed(
                    session,
                    message,
                    worker=self.worker_id,
                    error=error,
                    now=self.clock(),
                    max_attempts=self.max_attempts,
                    backoff=self.backoff,
                )

        status = retrying_while_unreachable(
            once, what=f"recording a failed send of {message.message_id}"
        )
        self.tally.add_failure(status, error)


def outgoing(message: Message) -> OutgoingMessage:
    """The channel's view of an outbox row."""
    return OutgoingMessage(
        message_id=message.message_id,
        customer_id=message.customer_id,
        to_address=message.to_address,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
    )


@dataclass
class _Tally:
    channel: str
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    abandoned: int = 0
    errors: tuple[str, ...] = ()

    def add_failure(self, status: MessageStatus, error: str) -> None:
        if status is MessageStatus.FAILED:
            self.failed += 1
        else:
            self.retrying += 1
        if len(self.errors) < 10:
            self.errors += (error,)

    def report(self) -> DeliveryReport:
        return DeliveryReport(
            self.channel, self.sent, self.retrying, self.failed, self.abandoned, self.errors
        )
