"""The web app's settings, read from :class:`~goodwill.settings.Settings` in this one place."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from goodwill.settings import Settings


@dataclass(frozen=True)
class WebConfig:
    """What the web app needs to know beyond the data folder and the store."""

    public_url: str = "http://127.0.0.1:8000"
    session_secret: str = ""
    session_max_age_s: int = 8 * 3600
    login_link_minutes: int = 15
    billing_webhook_url: str = "billing"
    gesture_budget_minor: int = 100_000  # the monthly goodwill budget of all agents' gestures
    login_attempts: int = 5  # per email and per client address, in each window
    login_window_s: int = 300  # counted in the store, shared by every process
    https_only: bool = False  # Secure cookies; on whenever public_url is https

    @property
    def mail_domain(self) -> str:
        return self.public_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def web_config(settings: Settings) -> WebConfig:
    """The web settings, with a fresh random session secret when none is set.

    A random secret signs everyone out at each restart: set ``session_secret`` in production.
    """
    public_url = settings.public_url.rstrip("/")
    secret = settings.session_secret.get_secret_value() if settings.session_secret else ""
    return WebConfig(
        public_url=public_url,
        session_secret=secret or secrets.token_urlsafe(32),
        login_link_minutes=settings.login_link_minutes,
        # The webhook channel posts to the configured URL; this is the message's address.
        billing_webhook_url=settings.billing_webhook_url or "billing",
        gesture_budget_minor=settings.monthly_budgets_minor.get(
            "goodwill_gesture", WebConfig.gesture_budget_minor
        ),
        login_attempts=settings.login_attempts,
        login_window_s=settings.login_window_seconds,
        https_only=public_url.startswith("https://"),
    )
