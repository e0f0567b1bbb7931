"""Delivery channels and the outbox worker.

::

    channel = load_channel("smtp", host="mail.example.com", port=587, starttls=True)
    report = deliver(engine, channel)

A channel is anything with a ``name`` and ``send(message) -> Receipt`` (see
:class:`Channel`); :class:`RecordingChannel` is the one to use in tests.
"""

from __future__ import annotations

from goodwill.channels.base import Channel, OutgoingMessage, Receipt, RecordingChannel
from goodwill.channels.outbox import DeliveryReport, deliver
from goodwill.channels.registry import available_channels, load_channel
from goodwill.errors import DeliveryError

__all__ = [
    "Channel",
    "DeliveryError",
    "DeliveryReport",
    "OutgoingMessage",
    "Receipt",
    "RecordingChannel",
    "available_channels",
    "deliver",
    "load_channel",
]
