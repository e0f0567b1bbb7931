"""The links a message offers: where the customer clicks to act on it.

The switch link is the ``switch_link`` setting, a URL template: point it at your own
plan-change page. Its default is a ``mailto:`` link that asks for the switch by reply,
which works with nothing else running.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from goodwill.domain.moments import Moment
from goodwill.settings import Settings

#: Evidence keys that name the plan a moment suggests, in order of preference.
PLAN_KEYS = ("recommended_plan_id", "replacement_plan_id", "best_plan_id")


def switch_link(moment: Moment, settings: Settings) -> str | None:
    """The switch link for a moment that suggests a plan, or None."""
    plan_id = next((moment.evidence[k] for k in PLAN_KEYS if moment.evidence.get(k)), None)
    if plan_id is None:
        best = moment.evidence.get("best_tariffs")
        plan_id = best[0].get("plan_id") if isinstance(best, tuple) and best else None
    if plan_id is None or moment.subscription_id is None:
        return None
    values = {
        "subscription_id": moment.subscription_id,
        "customer_id": moment.customer_id,
        "plan_id": str(plan_id),
        "mail_from": settings.mail_from,
    }
    return settings.switch_link.format(**{k: quote(v, safe="@") for k, v in values.items()})


def links_for(moments: Iterable[Moment], settings: Settings) -> dict[str, dict[str, str]]:
    """Per moment (by dedupe key), the links its message may use."""
    links: dict[str, dict[str, str]] = {}
    for moment in moments:
        switch = switch_link(moment, settings)
        links[moment.dedupe_key] = {"switch": switch} if switch else {}
    return links
