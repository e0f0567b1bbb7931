"""Channels found through the ``goodwill.channels`` entry points, built-ins included.

A package adds a channel by declaring, in its ``pyproject.toml``::

    [project.entry-points."goodwill.channels"]
    sms = "my_package.sms:SmsChannel"

The entry point names a class (or any callable) that takes the channel's settings as
keyword arguments and returns an object with ``name`` and ``send(message) -> Receipt``.
"""

from __future__ import annotations

import inspect
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from goodwill.channels.base import Channel
from goodwill.errors import ConfigError

GROUP = "goodwill.channels"

# The same declarations as in goodwill's own pyproject.toml, so the built-ins work from a
# source tree whose package metadata is older than the code.
BUILTINS = {
    "folder": "goodwill.channels.folder:FolderChannel",
    "smtp": "goodwill.channels.smtp:SmtpChannel",
    "webhook": "goodwill.channels.webhook:WebhookChannel",
}


def available_channels() -> dict[str, EntryPoint]:
    """Every channel that can be loaded, by name."""
    found = {name: EntryPoint(name, value, GROUP) for name, value in BUILTINS.items()}
    found.update({ep.name: ep for ep in entry_points(group=GROUP)})
    return dict(sorted(found.items()))


def load_channel(name: str, **config: Any) -> Channel:
    """Make the channel called ``name`` with its settings.

    >>> load_channel("folder", path="goodwill-data/outbox")  # doctest: +SKIP
    """
    channels = available_channels()
    if name not in channels:
        raise ConfigError(
            f"channel {name!r} is not installed; choose one of: {', '.join(channels)}"
        )
    factory = _load(channels[name])
    try:
        inspect.signature(factory).bind(**config)
    except TypeError as exc:
        raise ConfigError(f"channel {name!r}: {exc}; it takes {_parameters(factory)}") from exc
    channel = factory(**config)
    if not isinstance(channel, Channel):
        raise ConfigError(f"channel {name!r} ({channels[name].value}) has no send(message) method")
    return channel


def _load(entry_point: EntryPoint) -> Any:
    try:
        return entry_point.load()
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"channel {entry_point.name!r} ({entry_point.value}) cannot be loaded: {exc}; "
            "is the package that provides it installed in this environment?"
        ) from exc


def _parameters(factory: Any) -> str:
    return ", ".join(inspect.signature(factory).parameters) or "no settings"
