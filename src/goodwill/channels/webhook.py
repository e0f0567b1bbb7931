"""Messages POSTed as JSON to a URL, with an ``Idempotency-Key`` header."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from goodwill.channels.base import OutgoingMessage, Receipt
from goodwill.errors import ConfigError, DeliveryError


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET and lose the body; treat it as a failure.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def payload(message: OutgoingMessage) -> dict[str, Any]:
    """The JSON body a webhook receives."""
    return {
        "message_id": message.message_id,
        "idempotency_key": message.idempotency_key,
        "customer_id": message.customer_id,
        "to": message.to_address,
        "subject": message.subject,
        "text": message.body_text,
        "html": message.body_html,
    }


class WebhookChannel:
    """POST each message to ``url``; any answer but 2xx is a failure to retry.

    The receiver should drop a second request with an ``Idempotency-Key`` it has seen.
    """

    name = "webhook"

    def __init__(
        self, url: str, *, timeout_s: float = 10.0, headers: Mapping[str, str] | None = None
    ) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError(f"webhook url {url!r} must start with http:// or https://")
        self.url, self.timeout_s, self.headers = url, timeout_s, dict(headers or {})
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, message: OutgoingMessage) -> Receipt:
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload(message)).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": message.idempotency_key,
                **self.headers,
            },
        )
        status = self._post(request, message)
        return Receipt(self.name, message.message_id, f"{self.url} answered {status}")

    def _post(self, request: urllib.request.Request, message: OutgoingMessage) -> int:
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                response.read()
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise DeliveryError(
                f"webhook {self.url} answered {exc.code} {exc.reason} to {message.message_id}"
            ) from exc
        except OSError as exc:  # URLError, timeouts, refused connections
            raise DeliveryError(f"webhook {self.url}: {exc} ({message.message_id})") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"webhook {self.url} answered {status} to {message.message_id}")
        return status
