"""The channel that the settings ask for, made with the settings it needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from goodwill.channels.base import Channel
from goodwill.channels.outbox import DeliveryReport
from goodwill.channels.registry import load_channel
from goodwill.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from goodwill.settings import Settings


def setting(settings: Settings, name: str) -> Any:
    """A delivery setting's value; a secret comes back as its text, which channels need."""
    value = getattr(settings, name)
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


def channel_config(settings: Settings, name: str) -> dict[str, Any]:
    """The keyword arguments a built-in channel takes, from the settings."""
    if name == "folder":
        path = setting(settings, "outbox_dir") or settings.data_dir / "outbox"
        return {"path": path, "mail_from": setting(settings, "mail_from")}
    if name == "smtp":
        return {
            "host": setting(settings, "smtp_host"),
            "port": setting(settings, "smtp_port"),
            "mail_from": setting(settings, "mail_from"),
            "starttls": setting(settings, "smtp_starttls"),
            "username": setting(settings, "smtp_username"),
            "password": setting(settings, "smtp_password"),
        }
    if name == "webhook":
        url = setting(settings, "webhook_url")
        if not url:
            raise ConfigError("the webhook channel needs a URL: set GOODWILL_WEBHOOK_URL")
        return {"url": url}
    return {}  # a third-party channel reads its own configuration


def channel_for(settings: Settings, name: str | None = None) -> Channel:
    """The channel called ``name`` (default: the ``channel`` setting), ready to send."""
    chosen = name or setting(settings, "channel")
    return load_channel(chosen, **channel_config(settings, chosen))


def deliver_all(
    engine: Engine, settings: Settings, email_channel: Channel | None = None
) -> list[DeliveryReport]:
    """Deliver each medium through its own channel: emails through ``email_channel`` (default:
    the one the ``channel`` setting names), billing messages through the webhook at ``billing_webhook_url``.

    Without a billing URL, billing messages stay queued (and are counted as waiting) rather
    than going anywhere they were not meant for.
    """
    from goodwill.channels.outbox import deliver
    from goodwill.channels.webhook import WebhookChannel

    attempts = settings.max_delivery_attempts
    reports = [
        deliver(
            engine, email_channel or channel_for(settings), max_attempts=attempts, medium="email"
        )
    ]
    if settings.billing_webhook_url:
        billing = WebhookChannel(url=settings.billing_webhook_url)
        reports.append(deliver(engine, billing, max_attempts=attempts, medium="webhook"))
    return reports
