"""The links a message offers: where the customer clicks to act on it.

Where the web app is set up (``public_url`` set), a plan message links to the app's own
switch page and a credit message to the customer's account, each through a one-time
sign-in token made when the message is written: one click signs them in and lands them
on the page that does the job. ``switch_link``, when set, is a URL template for your own
plan-change page instead. With neither, the switch link is a ``mailto:`` reply asking
for the switch, which works with nothing else running.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from goodwill.domain.moments import Moment
from goodwill.settings import Settings
from goodwill.store.signin import issue_login_token

#: Evidence keys that name the plan a moment suggests, in order of preference.
PLAN_KEYS = ("recommended_plan_id", "replacement_plan_id", "best_plan_id")
MAILTO_SWITCH = "mailto:{mail_from}?subject=Please%20switch%20{subscription_id}%20to%20{plan_id}"
#: Moment kinds whose message points at the customer's account (a credit to see there).
ACCOUNT_KINDS = frozenset({"broken_promise", "repeated_failures"})

#: customer_id -> a fresh one-time sign-in token for them (only its digest is stored)
TokenIssuer = Callable[[str], str]


def web_links_on(settings: Settings) -> bool:
    """Whether messages link into the web app: its public URL was set (the demo sets it)."""
    return "public_url" in settings.model_fields_set and not settings.switch_link


def suggested_plan(moment: Moment) -> str | None:
    """The plan a moment suggests moving to, if any."""
    plan_id = next((moment.evidence[k] for k in PLAN_KEYS if moment.evidence.get(k)), None)
    if plan_id is None:  # a notice's best tariffs: the first that isn't the plan they're on
        current = moment.evidence.get("current_plan_id")
        best = moment.evidence.get("best_tariffs")
        listed = best if isinstance(best, tuple) else ()
        others = [t for t in listed if current is None or t.get("plan_id") != current]
        plan_id = others[0].get("plan_id") if others else None
    return None if plan_id is None else str(plan_id)


def switch_link(
    moment: Moment, settings: Settings, issue_token: TokenIssuer | None = None
) -> str | None:
    """The switch link for a moment that suggests a plan, or None."""
    plan_id = suggested_plan(moment)
    if plan_id is None or moment.subscription_id is None:
        return None
    if issue_token is not None and web_links_on(settings):
        page = f"/me/lines/{quote(moment.subscription_id, safe='')}/switch?plan={quote(plan_id)}"
        return signed_in_link(settings, issue_token(moment.customer_id), page)
    values = {
        "subscription_id": moment.subscription_id,
        "customer_id": moment.customer_id,
        "plan_id": plan_id,
        "mail_from": settings.mail_from,
    }
    template = settings.switch_link or MAILTO_SWITCH
    return template.format(**{k: quote(v, safe="@") for k, v in values.items()})


def signed_in_link(settings: Settings, token: str, page: str) -> str:
    """``page`` of the web app, reached through the one-time sign-in ``token``."""
    return f"{settings.public_url.rstrip('/')}/signin/{token}?{urlencode({'next': page})}"


def links_of(
    moment: Moment, settings: Settings, issue_token: TokenIssuer | None = None
) -> dict[str, str]:
    """The links ``moment``'s message may use: ``switch`` and, into the app, ``account``."""
    links: dict[str, str] = {}
    if switch := switch_link(moment, settings, issue_token):
        links["switch"] = switch
    if moment.kind in ACCOUNT_KINDS and issue_token is not None and web_links_on(settings):
        links["account"] = signed_in_link(settings, issue_token(moment.customer_id), "/me")
    return links


class MessageLinks(Mapping[str, Mapping[str, str]]):
    """Per moment (by dedupe key), its links, made when a message asks for them, so that
    a token is issued only for a message that is actually written."""

    def __init__(
        self, moments: Iterable[Moment], settings: Settings, issue_token: TokenIssuer | None
    ) -> None:
        self._moments = {m.dedupe_key: m for m in moments}
        self._settings = settings
        self._issue = issue_token
        self._made: dict[str, dict[str, str]] = {}

    @property
    def issues_tokens(self) -> bool:
        """Whether making a message's links issues sign-in tokens (writes to the store)."""
        return self._issue is not None

    def __getitem__(self, key: str) -> Mapping[str, str]:
        if key not in self._made:
            self._made[key] = links_of(self._moments[key], self._settings, self._issue)
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._moments)

    def __len__(self) -> int:
        return len(self._moments)


def links_for(
    moments: Iterable[Moment],
    settings: Settings,
    session: Session | None = None,
    now: datetime | None = None,
) -> MessageLinks:
    """The links of ``moments``' messages; with a store ``session``, tokens into the app."""
    issuer = None
    if session is not None and now is not None and web_links_on(settings):
        issuer = token_issuer(session, settings, now)
    return MessageLinks(moments, settings, issuer)


def token_issuer(session: Session, settings: Settings, now: datetime) -> TokenIssuer:
    """Makes one-time sign-in tokens that work for ``message_link_days``."""
    from goodwill.web.security import new_link_token  # secrets and SHA-256 only

    valid_for = timedelta(days=settings.message_link_days)

    def issue(customer_id: str) -> str:
        token, digest = new_link_token()
        issue_login_token(session, customer_id, digest, now=now, valid_for=valid_for)
        return token

    return issue
