"""The channel contract: one method, ``send(message) -> Receipt``, and a test double.

A channel hands one message to the outside world (an SMTP server, a webhook, a folder)
and either returns a :class:`Receipt` or raises :class:`DeliveryError`. It must send the
message's ``message_id`` along (as the Message-ID header, or the Idempotency-Key), so a
message sent again after a crash is recognisably the same message. Channels do not retry:
the outbox does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from goodwill.errors import DeliveryError


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as a channel sees it; ``message_id`` is an RFC 5322 ``<id@domain>``."""

    message_id: str
    customer_id: str
    to_address: str
    subject: str
    body_text: str
    body_html: str | None = None

    @property
    def idempotency_key(self) -> str:
        """The Message-ID without its angle brackets, for HTTP ``Idempotency-Key``."""
        return self.message_id.strip("<>")


@dataclass(frozen=True)
class Receipt:
    """What a channel says after handing a message over."""

    channel: str
    message_id: str
    detail: str = ""


@runtime_checkable
class Channel(Protocol):
    """A way to deliver messages. Register one under the ``goodwill.channels`` entry points."""

    name: str

    def send(self, message: OutgoingMessage) -> Receipt:
        """Hand ``message`` over, or raise :class:`DeliveryError` saying why not."""
        ...


@dataclass
class RecordingChannel:
    """A channel for tests: keeps every message it is given, in memory.

    ``refuse`` decides which messages fail (raising :class:`DeliveryError`):

    >>> channel = RecordingChannel(refuse=lambda m: m.to_address.endswith("@bounce.test"))
    """

    name: str = "recording"
    refuse: Callable[[OutgoingMessage], bool] = lambda message: False
    sent: list[OutgoingMessage] = field(default_factory=list)
    refused: list[OutgoingMessage] = field(default_factory=list)

    def send(self, message: OutgoingMessage) -> Receipt:
        if self.refuse(message):
            self.refused.append(message)
            raise DeliveryError(f"{self.name} refused {message.message_id} (test double)")
        self.sent.append(message)
        return Receipt(self.name, message.message_id, f"recorded as #{len(self.sent)}")
