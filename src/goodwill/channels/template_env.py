"""The Jinja2 environment the message templates render in: loaders, filters and tests.

Templates read evidence as ``evidence.monthly_saving_minor``. Jinja looks an attribute up
before an item, so each such read on a mapping first fails an attribute lookup (an
exception, caught) before it finds the key: the most common step of rendering a message.
:class:`MessageEnvironment` finds the item at once where the attribute cannot exist
(a ``dict`` or a mapping proxy without an attribute of that name), and otherwise looks
up as Jinja does, so every template reads the same values either way.

A care run renders a few templates many thousand times, so the environment also keeps
Jinja's per-render bookkeeping small: each template's globals are one plain dict (not a
``ChainMap`` that every new context walks), the run's renderer keeps its templates in a
plain dict (``cache_size=-1``: no LRU bookkeeping on every ``include``), and an amount of
money is formatted once per run however many messages show it.
"""

from __future__ import annotations

import functools
from collections.abc import MutableMapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from goodwill.channels.message_words import (
    current_is_best,
    describe_promise,
    describe_usage,
    other_tariffs,
)
from goodwill.domain.formatting import format_day, format_gb, format_money
from goodwill.domain.moments import FrozenDict

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
#: Only HTML is escaped; asked for every context a render makes, so answered once a name.
_AUTOESCAPE = functools.lru_cache(maxsize=1024)(
    select_autoescape(enabled_extensions=("html.j2",), default=False)
)


class MessageEnvironment(Environment):
    """A Jinja2 environment that reads a mapping's keys without trying an attribute first."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Whether a dict (evidence's FrozenDict too) or a mapping proxy has an attribute
        # of a name: asked per read, answered once per name (hasattr on a missing name
        # raises and catches inside).
        self._mapping_attribute: dict[tuple[type, str], bool] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind is dict or kind is FrozenDict or kind is MappingProxyType:
            known = self._mapping_attribute.get((kind, attribute))
            if known is None:
                known = self._mapping_attribute[kind, attribute] = hasattr(kind, attribute)
            if not known:
                try:
                    return obj[attribute]
                except (TypeError, LookupError, AttributeError):
                    return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        # A plain dict: Jinja's ChainMap is copied into every context a render makes
        # (each include too), and walking a ChainMap costs more than the render's own
        # lookups. Globals are set before any template loads and never changed.
        return {**self.globals, **(d or {})}


def message_environment(templates_dir: Path | None, *, auto_reload: bool) -> Environment:
    """Your ``templates_dir`` first, then the built-ins; with ``auto_reload``, a template
    changed on disk is read again."""
    loaders = [FileSystemLoader(templates_dir)] if templates_dir else []
    loaders.append(FileSystemLoader(BUILTIN_TEMPLATES))
    env = MessageEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=_AUTOESCAPE,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
        # Without reloading, the few templates stay in a plain dict (no LRU bookkeeping).
        cache_size=400 if auto_reload else -1,
    )
    env.filters.update(
        money=_money,
        gb=format_gb,
        day=format_day,
        usage=describe_usage,
        promise=describe_promise,
        other_tariffs=other_tariffs,
    )
    env.tests.update(current_is_best=current_is_best)
    return env


@pass_context
def _money(context: Context, amount_minor: int, currency: str | None = None) -> str:
    return _formatted_money(int(amount_minor), currency or context["currency"])


@functools.lru_cache(maxsize=65_536)
def _formatted_money(amount_minor: int, currency: str) -> str:
    # A run's messages show the same few prices and savings over and over.
    return format_money(amount_minor, currency)
