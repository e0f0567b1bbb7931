"""The outbox repository: queue a message, claim due ones, record how sending went.

A message moves ``queued → sending → sent``, or back to ``queued`` after a failed attempt,
or to ``failed`` after the last one. ``sending`` is a lease (``claimed_until``): a worker
that dies mid-send leaves its messages to be claimed again once the lease has run out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from goodwill.store.models import Message, MessageStatus
from goodwill.store.upsert import insert_many_once, insert_once


def message_id_for(dedupe_key: str, domain: str = "goodwill.invalid") -> str:
    """A stable RFC 5322 Message-ID for the message about one moment.

    >>> message_id_for("better_plan:S1:2026-10", "care.example.com")
    '<gw.3d715b07f2413512f7974796299f780d@care.example.com>'
    """
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]
    return f"<gw.{digest}@{domain}>"


@dataclass(frozen=True)
class Backoff:
    """Wait ``base * 2**(attempt-1)`` before the next attempt, never more than ``cap``."""

    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)

    def after(self, attempts: int) -> timedelta:
        return min(self.cap, self.base * 2 ** max(0, attempts - 1))


def enqueue_message(
    session: Session,
    *,
    action_id: int,
    customer_id: str,
    to_address: str,
    subject: str,
    body_text: str,
    message_id: str,
    body_html: str | None = None,
    channel: str = "email",
    now: datetime | None = None,
) -> Message | None:
    """Put a message in the outbox, in the caller's transaction (the one with its action).

    Returns None when a message with this ``message_id`` is already queued or sent.
    """
    values = message_row(
        action_id=action_id,
        customer_id=customer_id,
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        message_id=message_id,
        body_html=body_html,
        channel=channel,
        now=now or datetime.now(UTC),
    )
    key = insert_once(session, Message, values, ["message_id"])
    return None if key is None else session.get_one(Message, key)


def message_row(
    *,
    action_id: int,
    customer_id: str,
    to_address: str,
    subject: str,
    body_text: str,
    message_id: str,
    now: datetime,
    body_html: str | None = None,
    channel: str = "email",
) -> dict[str, object]:
    """The outbox row of a new message, due now: for :func:`enqueue_messages`."""
    return {
        "action_id": action_id,
        "customer_id": customer_id,
        "channel": channel,
        "to_address": to_address,
        "subject": subject,
        "body_text": body_text,
        "body_html": body_html,
        "message_id": message_id,
        "status": MessageStatus.QUEUED,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue_messages(session: Session, rows: Sequence[Mapping[str, object]]) -> set[str]:
    """Put many messages (rows from :func:`message_row`) in the outbox at once, in the
    caller's transaction; returns the Message-IDs queued now (the others were already)."""
    inserted = insert_many_once(session, Message, rows, ["message_id"], ["message_id"])
    return {message_id for (message_id,) in inserted}


def claim_due(
    session: Session,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    medium: str | None = None,
) -> list[Message]:
    """Claim up to ``limit`` due messages for ``worker``; commit before sending them.

    Due means queued with ``next_attempt_at`` come, or stuck in ``sending`` past its lease.
    Each claim counts as an attempt, so a message that kills its worker runs out of tries.
    ``medium`` (``email``, ``webhook``) limits the claim to messages for that medium.
    """
    due = or_(
        and_(Message.status == MessageStatus.QUEUED, Message.next_attempt_at <= now),
        and_(Message.status == MessageStatus.SENDING, Message.claimed_until <= now),
    )
    if medium is not None:
        due = and_(due, Message.channel == medium)
    # SKIP LOCKED lets PostgreSQL workers pass over each other's rows; SQLite ignores it
    # and relies on the engine's BEGIN IMMEDIATE to run one claim at a time.
    ids = list(
        session.scalars(
            select(Message.id)
            .where(due)
            .order_by(Message.next_attempt_at, Message.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    session.execute(
        update(Message)
        .where(Message.id.in_(ids))
        .values(
            status=MessageStatus.SENDING,
            claimed_until=now + lease,
            claimed_by=worker,
            attempts=Message.attempts + 1,
        )
    )
    query = select(Message).where(Message.id.in_(ids)).order_by(Message.next_attempt_at, Message.id)
    return list(session.scalars(query.execution_options(populate_existing=True)))


def mark_sent(session: Session, message_pk: int, *, receipt: str, now: datetime) -> None:
    """Record that a message was handed over; it was, even if its lease had run out."""
    session.execute(
        update(Message)
        .where(Message.id == message_pk, Message.status != MessageStatus.SENT)
        .values(
            status=MessageStatus.SENT,
            sent_at=now,
            receipt=receipt,
            last_error=None,
            claimed_until=None,
        )
    )


def mark_attempt_failed(
    session: Session,
    message: Message,
    *,
    worker: str,
    error: str,
    now: datetime,
    max_attempts: int,
    backoff: Backoff,
) -> MessageStatus:
    """Record a failed attempt: queued again after a backoff, or failed after the last try.

    Only the worker holding the claim may do this, so a worker whose lease ran out cannot
    overwrite the state another worker has since reached.
    """
    gave_up = message.attempts >= max_attempts
    status = MessageStatus.FAILED if gave_up else MessageStatus.QUEUED
    session.execute(
        update(Message)
        .where(
            Message.id == message.id,
            Message.status == MessageStatus.SENDING,
            Message.claimed_by == worker,
        )
        .values(
            status=status,
            last_error=error[:2000],
            next_attempt_at=now + backoff.after(message.attempts),
            claimed_until=None,
        )
    )
    return status


def give_up_abandoned(session: Session, *, now: datetime, max_attempts: int) -> int:
    """Mark failed the messages whose workers died while sending them on every attempt."""
    result = session.execute(
        update(Message)
        .where(
            Message.status == MessageStatus.SENDING,
            Message.claimed_until <= now,
            Message.attempts >= max_attempts,
        )
        .values(
            status=MessageStatus.FAILED,
            last_error=f"abandoned: the worker stopped while sending, {max_attempts} times",
            claimed_until=None,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def outbox_counts(session: Session) -> dict[str, int]:
    """How many messages are in each status."""
    rows = session.execute(select(Message.status, func.count()).group_by(Message.status))
    return {str(status): int(n) for status, n in rows}
