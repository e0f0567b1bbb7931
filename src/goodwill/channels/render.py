"""Putting a moment into words: Jinja2 templates per moment kind, checked for tone.

Each kind has three templates in ``templates/``: ``<kind>.subject.j2`` (one line),
``<kind>.txt.j2`` (plain text) and ``<kind>.html.j2`` (extends ``base.html.j2``; only
HTML is autoescaped). A ``templates_dir`` of your own overrides any of them by name,
the sign-off partials ``_signoff.txt.j2`` and ``_signoff.html.j2`` included.

Templates see ``name`` (the customer's, as the ledger greets them), ``evidence`` (the
moment's), ``moment``, ``currency``, ``owner`` (an :class:`Owner` or None), ``links``,
``team_name`` and, in HTML, ``subject``; and the filters ``money`` (minor units → £7.50,
in the moment's currency unless given one), ``gb`` (megabytes → 2.1 GB), ``day``
(→ 31 December 2026), ``usage`` (``{kind: quantity}`` → "2.1 GB of data and 140
minutes of calls") and ``promise`` (a promise kind → "to deliver your new SIM").
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    UndefinedError,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from goodwill.domain.contact import Owner
from goodwill.domain.formatting import format_day, format_gb, format_money
from goodwill.domain.moments import Moment
from goodwill.domain.tone import ToneIssue, check_tone
from goodwill.errors import MessageTemplateError

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"
#: The moment kinds with built-in templates.
BUILTIN_KINDS = (
    "repeated_failures",
    "better_plan",
    "loyalty_penalty",
    "end_of_contract",
    "annual_best_tariff",
    "broken_promise",
    "case_moved",
)
DEFAULT_TEAM_NAME = "The goodwill care team"


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready for the outbox, with what the tone check found in its words."""

    subject: str
    text: str
    html: str
    tone_issues: tuple[ToneIssue, ...] = ()


def render_message(
    moment: Moment,
    customer_name: str,
    owner: Owner | None,
    links: Mapping[str, str],
    templates_dir: Path | None = None,
    *,
    team_name: str = DEFAULT_TEAM_NAME,
) -> RenderedMessage:
    """Render the subject, text and HTML of ``moment`` for ``customer_name``.

    ``links`` holds the one-click links the templates use (built-ins: ``switch``; for
    ``broken_promise``, ``account`` if given). Tone issues in the subject or text are
    returned, not raised: the caller decides whether a warning is enough.
    """
    env = template_environment(templates_dir)
    context: dict[str, Any] = {
        "name": customer_name,
        "evidence": moment.evidence,
        "moment": moment,
        "currency": moment.currency,
        "owner": owner,
        "links": links,
        "team_name": team_name,
    }
    subject = " ".join(_render(env, moment.kind, "subject", context).split())
    text = _render(env, moment.kind, "txt", context).strip() + "\n"
    html = _render(env, moment.kind, "html", {**context, "subject": subject})
    return RenderedMessage(subject, text, html, tuple(check_tone(f"{subject}\n{text}")))


@functools.lru_cache(maxsize=16)
def template_environment(templates_dir: Path | None = None) -> Environment:
    """The Jinja2 environment: your ``templates_dir`` first, then the built-ins."""
    loaders = [FileSystemLoader(templates_dir)] if templates_dir else []
    loaders.append(FileSystemLoader(BUILTIN_TEMPLATES))
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
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


def _render(env: Environment, kind: str, part: str, context: Mapping[str, Any]) -> str:
    name = f"{kind}.{part}.j2"
    try:
        return env.get_template(name).render(context)
    except TemplateNotFound as missing:
        raise MessageTemplateError(
            f"no template {missing.name} for moment kind {kind!r}: add {kind}.subject.j2, "
            f"{kind}.txt.j2 and {kind}.html.j2 to your templates folder"
        ) from missing
    except UndefinedError as undefined:
        raise MessageTemplateError(
            f"template {name}: {undefined.message}; the moment's evidence has "
            f"{sorted(context['evidence'])} and links has {sorted(context['links'])}"
        ) from undefined


@pass_context
def _money(context: Context, amount_minor: int, currency: str | None = None) -> str:
    return format_money(int(amount_minor), currency or context["currency"])


# How a kind of use reads in a sentence; quantities of other kinds are written as they are.
_USAGE_WORDS = {
    "voice_min": "minutes of calls",
    "voice_onnet_min": "minutes of calls to other members",
    "intl_min": "minutes of international calls",
    "sms": "texts",
    "sms_onnet": "texts to other members",
}
_DATA_WORDS = {"data_mb": "of data", "roaming_mb": "of data abroad"}


#: The kinds everybody has, said first; the rest go in a second sentence.
_MAIN_KINDS = ("data_mb", "voice_min", "sms")


def describe_usage(average_use: Mapping[str, float]) -> str:
    """Average use in words, saying nothing of what they do not use, the everyday kinds
    first and the rest in a sentence of their own, so neither sentence runs long:
    ``{'data_mb': 2140, 'sms': 20, 'roaming_mb': 0}`` → '2.1 GB of data and 20 texts'.
    """
    used = {k: q for k, q in average_use.items() if q is not None and round(q, 1) > 0}
    main = [_phrase(k, used[k]) for k in _MAIN_KINDS if k in used]
    extra = [_phrase(k, q) for k, q in used.items() if k not in _MAIN_KINDS]
    if main and extra:
        return f"{_and_list(main)}. You also used {_and_list(extra)}"
    return _and_list(main or extra)


def _phrase(kind: str, quantity: float) -> str:
    if kind in _DATA_WORDS:
        return f"{format_gb(quantity)} {_DATA_WORDS[kind]}"
    return f"{round(quantity):,} {_USAGE_WORDS.get(kind, kind.replace('_', ' '))}"


def _and_list(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


_PROMISES = {
    "sim_delivery": "to deliver your new SIM",
    "device_delivery": "to deliver your new phone",
    "repair": "to finish your repair",
    "engineer_appointment": "that our engineer would visit",
    "callback": "to call you back",
    "service_start": "to have your service up and running",
    "refund": "to send your refund",
}


def other_tariffs(evidence: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The listed best tariffs that are not the plan the customer is on now: a notice
    never offers to move them to where they already are."""
    current = evidence.get("current_plan_id")
    listed = list(evidence.get("best_tariffs") or ())
    return [t for t in listed if current is None or t.get("plan_id") != current]


def current_is_best(evidence: Mapping[str, Any]) -> bool:
    """Whether the customer's own plan is among the listed best tariffs."""
    return len(other_tariffs(evidence)) < len(evidence.get("best_tariffs") or ())


def describe_promise(promise_kind: str) -> str:
    """What we promised, to follow 'We promised': 'to deliver your new SIM'."""
    return _PROMISES.get(promise_kind, f"to sort out your {promise_kind.replace('_', ' ')}")
