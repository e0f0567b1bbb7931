"""Message templates: every built-in kind renders, says the numbers, and sounds like a person."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Undefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from goodwill.channels.render import (
    BUILTIN_KINDS,
    BUILTIN_TEMPLATES,
    DEFAULT_TEAM_NAME,
    MessageRenderer,
    MessageTemplateError,
    RenderedMessage,
    current_is_best,
    describe_promise,
    describe_usage,
    other_tariffs,
    render_message,
)
from goodwill.channels.template_env import message_environment
from goodwill.domain.contact import Owner
from goodwill.domain.formatting import format_day, format_gb, format_money
from goodwill.domain.moments import Moment
from goodwill.domain.tone import check_tone

LINKS = {"switch": "https://example.com/s/abc123", "account": "https://example.com/account"}
SAM = Owner("Sam Patel", email="sam.patel@example.com", phone="0161 555 0100")

EVIDENCE: dict[str, dict[str, object]] = {
    "better_plan": {
        "current_plan_name": "Goodybag 20GB",
        "recommended_plan_name": "Goodybag 5GB",
        "monthly_saving_minor": 450,
        "annual_saving_minor": 5400,
        "months_considered": 6,
        "average_use": {"data_mb": 2140.0, "voice_min": 138.4, "sms": 21.0},
        "in_contract": True,
        "contract_end": "2027-03-31",
    },
    "loyalty_penalty": {
        "device_fee_minor": 1850,
        "contract_end": "2026-06-30",
        "replacement_plan_name": "Goodybag 10GB SIM only",
    },
    "end_of_contract": {
        "contract_end": "2026-12-31",
        "current_price_minor": 2500,
        "price_after_minor": 2800,
        "best_tariffs": [
            {"name": "Goodybag 10GB", "monthly_cost_minor": 1000},
            {"name": "Goodybag 5GB", "monthly_cost_minor": 750},
        ],
    },
    "annual_best_tariff": {
        "current_plan_name": "Old 12",
        "current_monthly_cost_minor": 1420,
        "best_tariffs": [
            {"name": "Goodybag 7.50", "monthly_cost_minor": 750},
            {"name": "Goodybag 10", "monthly_cost_minor": 1000},
        ],
        "contract_end": None,
    },
    "broken_promise": {
        "promise_kind": "sim_delivery",
        "due_at": "2026-11-03T17:00:00Z",
        "kept_at": "2026-11-06T10:12:00Z",
        "days_late": 3,
        "credit_minor": 500,
    },
    "case_moved": {
        "new_owner": {
            "agent_id": "2",
            "name": "Ros Kaur",
            "email": "ros@care.example",
            "phone": None,
        },
        "previous_owner_name": "Tom Evans",
        "away_until": "2026-11-30",
        "cases": ["ticket:T1"],
    },
    "repeated_failures": {
        "failures": 3,
        "days": 60,
        "credit_minor": 2000,
        "merged": [
            "Your new SIM was promised for 3 November 2026 and arrived on 6 November 2026: 3 days late.",
            "You emailed us on 10 November 2026 and waited 31 hours for an answer.",
        ],
    },
}

#: The numbers each message must say, as the customer will read them.
NUMBERS: dict[str, list[str]] = {
    "better_plan": [
        "£4.50",
        "£54",
        "6 months",
        "2.1 GB",
        "138 minutes",
        "21 texts",
        "31 March 2027",
    ],
    "loyalty_penalty": ["£18.50", "£222", "30 June 2026"],
    "end_of_contract": ["31 December 2026", "£25", "£28", "£10", "£7.50"],
    "annual_best_tariff": ["£14.20", "£7.50", "£10", "£6.70"],
    "broken_promise": ["£5", "3 November 2026", "6 November 2026", "3 days late"],
    "repeated_failures": ["£20", "3 days late", "31 hours"],
    "case_moved": ["Ros Kaur", "Tom Evans", "30 November 2026"],
}


CREDITS = ("broken_promise", "repeated_failures")


def moment(kind: str, evidence: dict[str, object] | None = None, currency: str = "GBP") -> Moment:
    mandatory = kind == "annual_best_tariff"
    return Moment(
        customer_id="C1",
        subscription_id=None if kind in CREDITS else "S1",
        kind=kind,
        detected_for="2026-11",
        value_to_customer_minor=500,
        cost_to_business_minor=500,
        currency=currency,
        evidence=EVIDENCE[kind] if evidence is None else evidence,
        message_type="service" if mandatory else "care" if kind in CREDITS else "advice",
        mandatory=mandatory,
        gift="credit" if kind in CREDITS else "message",
    )


@pytest.mark.parametrize("kind", BUILTIN_KINDS)
@pytest.mark.parametrize("owner", [SAM, None], ids=["owner", "no-owner"])
def test_every_builtin_kind_renders_warmly_with_its_numbers(kind: str, owner: Owner | None) -> None:
    message = render_message(moment(kind), "Priya Shah", owner, LINKS)
    assert message.tone_issues == (), [str(i) for i in message.tone_issues]
    assert "Priya Shah" in message.text and "Priya Shah" in message.html
    for number in NUMBERS[kind]:
        assert number in message.text, f"{kind} text lacks {number}:\n{message.text}"
        assert number in message.html, f"{kind} HTML lacks {number}"
    assert "\n" not in message.subject and message.subject.strip() == message.subject
    assert "{{" not in message.text and "\n\n\n" not in message.text


@pytest.mark.parametrize("kind", BUILTIN_KINDS)
def test_the_sign_off_names_the_owner_or_the_team(kind: str) -> None:
    with_owner = render_message(moment(kind), "Priya", SAM, LINKS)
    assert "Sam Patel" in with_owner.text and "0161 555 0100" in with_owner.text
    assert "sam.patel@example.com" in with_owner.html
    anonymous = render_message(moment(kind), "Priya", None, LINKS, team_name="The Goodybag team")
    assert anonymous.text.rstrip().endswith("The Goodybag team")
    assert "goodwill care team" not in anonymous.text


@pytest.mark.parametrize("kind", ["better_plan", "loyalty_penalty", "end_of_contract"])
def test_the_choice_is_left_to_the_customer_with_a_one_click_link(kind: str) -> None:
    message = render_message(moment(kind), "Priya", None, LINKS)
    assert "you don't need to do anything" in message.text
    assert LINKS["switch"] in message.text
    assert f'href="{LINKS["switch"]}"' in message.html


def test_html_escapes_what_the_data_says_and_text_does_not() -> None:
    evidence = {**EVIDENCE["better_plan"], "recommended_plan_name": "Calls & <b>Data</b>"}
    message = render_message(moment("better_plan", evidence), "Ann <Lee>", None, LINKS)
    assert "Calls &amp; &lt;b&gt;Data&lt;/b&gt;" in message.html
    assert "Ann &lt;Lee&gt;" in message.html
    assert "Calls & <b>Data</b>" in message.text


def test_money_is_written_in_the_moments_currency() -> None:
    message = render_message(moment("broken_promise", currency="EUR"), "Ann", None, LINKS)
    assert "€5" in message.subject
    message = render_message(moment("broken_promise", currency="USD"), "Ann", None, LINKS)
    assert "5 USD" in message.text


def test_a_promise_not_yet_kept_says_so() -> None:
    evidence = {**EVIDENCE["broken_promise"], "kept_at": None, "days_late": 1}
    message = render_message(moment("broken_promise", evidence), "Ann", None, LINKS)
    assert "still haven't" in message.text and "1 day late" in message.text
    assert message.tone_issues == ()


def test_contract_end_price_wording_follows_the_numbers() -> None:
    same = {**EVIDENCE["end_of_contract"], "price_after_minor": 2500}
    assert (
        "keep paying £25 a month"
        in render_message(moment("end_of_contract", same), "A", None, LINKS).text
    )
    cheaper = {**EVIDENCE["end_of_contract"], "price_after_minor": 2000}
    assert (
        "drops from £25 to £20"
        in render_message(moment("end_of_contract", cheaper), "A", None, LINKS).text
    )


def test_annual_notice_says_when_they_already_pay_the_least() -> None:
    evidence = {**EVIDENCE["annual_best_tariff"], "current_monthly_cost_minor": 750}
    message = render_message(moment("annual_best_tariff", evidence), "Ann", None, LINKS)
    assert "already as low as it gets" in message.text
    assert message.tone_issues == ()


def test_a_custom_template_overrides_the_builtin_and_its_tone_is_checked(tmp_path: Path) -> None:
    (tmp_path / "better_plan.txt.j2").write_text(
        "Dear valued customer, please be advised that {{ evidence.recommended_plan_name }} "
        "is cheaper as per our records.\n"
    )
    message = render_message(moment("better_plan"), "Priya", None, LINKS, templates_dir=tmp_path)
    assert message.text.startswith("Dear valued customer")
    assert "Goodybag 5GB" in message.text
    flagged = [issue.text.lower() for issue in message.tone_issues]
    assert {"valued customer", "please be advised", "as per"} <= set(flagged)
    assert message.subject.startswith("You could pay £4.50 less")  # still the built-in


@pytest.mark.parametrize("kind", BUILTIN_KINDS)
def test_a_run_renderer_writes_what_render_message_writes(kind: str, tmp_path: Path) -> None:
    (tmp_path / "_signoff.txt.j2").write_text("Cheers,\n{{ team_name }}\n")
    renderer = MessageRenderer(tmp_path, team_name="The Goodybag team")
    for owner in (SAM, None):
        one = render_message(
            moment(kind), "Priya", owner, LINKS, tmp_path, team_name="The Goodybag team"
        )
        assert renderer.render(moment(kind), "Priya", owner, LINKS) == one
        assert one.text.endswith("Cheers,\nThe Goodybag team\n")


def test_a_run_renderer_keeps_the_templates_it_began_with(tmp_path: Path) -> None:
    """A run's messages come from one version of the templates; render_message (the web
    app's) reads a template changed on disk again."""
    template = tmp_path / "better_plan.subject.j2"
    template.write_text("First version")
    renderer = MessageRenderer(tmp_path)
    assert renderer.render(moment("better_plan"), "Priya", None, LINKS).subject == "First version"
    assert render_message(moment("better_plan"), "Priya", None, LINKS, tmp_path).subject == (
        "First version"
    )
    template.write_text("Second version, a little longer")
    os.utime(template, (template.stat().st_atime, template.stat().st_mtime + 5))
    assert renderer.render(moment("better_plan"), "Priya", None, LINKS).subject == "First version"
    assert render_message(moment("better_plan"), "Priya", None, LINKS, tmp_path).subject == (
        "Second version, a little longer"
    )


def test_a_missing_evidence_key_or_link_is_a_clear_error() -> None:
    evidence = {k: v for k, v in EVIDENCE["better_plan"].items() if k != "annual_saving_minor"}
    with pytest.raises(MessageTemplateError, match="annual_saving_minor"):
        render_message(moment("better_plan", evidence), "Ann", None, LINKS)
    with pytest.raises(MessageTemplateError, match="switch"):
        render_message(moment("better_plan"), "Ann", None, {})


def test_a_kind_without_templates_says_which_files_to_add() -> None:
    odd = Moment("C1", None, "referral_thanks", "2026-11", 0, 0, "GBP", message_type="care")
    with pytest.raises(MessageTemplateError, match=r"referral_thanks\.subject\.j2"):
        render_message(odd, "Ann", None, LINKS)


@pytest.mark.parametrize(
    ("amount", "currency", "written"),
    [
        (750, "GBP", "£7.50"),
        (1000, "GBP", "£10"),
        (123456, "GBP", "£1,234.56"),
        (5, "EUR", "€0.05"),
        (750, "USD", "7.50 USD"),
        (1500, "JPY", "1,500 JPY"),
        (-750, "GBP", "-£7.50"),
    ],
)
def test_money(amount: int, currency: str, written: str) -> None:
    assert format_money(amount, currency) == written


def test_data_days_and_usage_are_written_as_people_say_them() -> None:
    assert format_gb(2140) == "2.1 GB" and format_gb(0) == "0.0 GB"
    assert format_day("2026-12-31") == "31 December 2026"
    assert format_day("2026-11-03T23:30:00Z") == "3 November 2026"
    assert describe_usage({"data_mb": 2140, "voice_min": 138.4}) == (
        "2.1 GB of data and 138 minutes of calls"
    )
    assert describe_usage({"seats": 3}) == "3 seats"
    assert describe_usage({}) == ""


def test_the_annual_notice_never_offers_the_plan_they_are_on() -> None:
    """The bug seen: 'Move in one click' to the customer's own plan."""
    from goodwill.services.links import switch_link
    from goodwill.settings import Settings

    evidence = {
        "current_plan_id": "P-10",
        "current_plan_name": "Goodybag 10",
        "current_monthly_cost_minor": 1000,
        "best_tariffs": (
            {"plan_id": "P-10", "name": "Goodybag 10", "monthly_cost_minor": 1000},
            {"plan_id": "P-12", "name": "Goodybag 12", "monthly_cost_minor": 1200},
        ),
        "contract_end": None,
    }
    notice = moment("annual_best_tariff", evidence)
    link = switch_link(notice, Settings())
    assert link is not None and "P-12" in link and "P-10" not in link
    message = render_message(notice, "Ann", None, {"switch": link})
    assert "Goodybag 10 is one of our best plans for how you use it" in message.text
    assert "- Goodybag 10:" not in message.text and "- Goodybag 12: about £12" in message.text
    assert "as low as it gets" in message.text and "Move in one click" not in message.html


def test_the_advice_email_says_what_they_actually_paid() -> None:
    """The bug seen: 'save £117.50 a month' without ever saying they paid ~£190."""
    evidence = {
        **EVIDENCE["better_plan"],
        "current_monthly_cost_minor": 19050,
        "recommended_monthly_cost_minor": 7300,
        "monthly_saving_minor": 11750,
    }
    message = render_message(moment("better_plan", evidence), "Ann", None, LINKS)
    for part in ("about £190.50 a month", "would have cost about £73", "£117.50 a month less"):
        assert part in message.text and part in message.html.replace("<strong>", "").replace(
            "</strong>", ""
        )


class _Plan(dict):  # a dict subclass: looked up as Jinja does
    name = "attribute"


@pytest.mark.parametrize(
    "obj",
    [
        {"name": "Ann", "items": 3, "get": None},
        MappingProxyType({"name": "Ann", "values": [1]}),
        _Plan(name="item"),
        SAM,
    ],
    ids=["dict", "mapping-proxy", "dict-subclass", "object"],
)
@pytest.mark.parametrize("attribute", ["name", "items", "get", "values", "missing", "__class__"])
def test_templates_read_what_jinja_reads(obj: object, attribute: str) -> None:
    """The message environment reads a mapping's key at once; the value a template gets
    must be the one Jinja's own lookup (attribute first, then item) gives."""
    ours = message_environment(None, auto_reload=False).getattr(obj, attribute)
    jinjas = Environment(undefined=StrictUndefined).getattr(obj, attribute)
    if isinstance(jinjas, Undefined):
        assert isinstance(ours, StrictUndefined) and ours._undefined_name == attribute
    else:
        assert ours == jinjas and type(ours) is type(jinjas)


@functools.cache
def _stock_environment() -> Environment:
    """A stock Jinja2 environment over the built-in templates, set up as the docs say."""
    env = Environment(
        loader=FileSystemLoader(BUILTIN_TEMPLATES),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    @pass_context
    def money(context: Context, amount: int, currency: str | None = None) -> str:
        return format_money(int(amount), currency or context["currency"])

    env.filters.update(
        money=money,
        gb=format_gb,
        day=format_day,
        usage=describe_usage,
        promise=describe_promise,
        other_tariffs=other_tariffs,
    )
    env.tests.update(current_is_best=current_is_best)
    return env


def _stock_jinja_message(
    moment: Moment, name: str, owner: Owner | None, links: dict[str, str]
) -> RenderedMessage:
    """The message as a stock Jinja2 environment writes it: no cached money, no dict
    globals, no remembered tone lines."""
    env = _stock_environment()
    context = {
        "name": name,
        "evidence": moment.evidence,
        "moment": moment,
        "currency": moment.currency,
        "owner": owner,
        "links": links,
        "team_name": DEFAULT_TEAM_NAME,
    }
    subject = " ".join(env.get_template(f"{moment.kind}.subject.j2").render(context).split())
    text = env.get_template(f"{moment.kind}.txt.j2").render(context).strip() + "\n"
    html = env.get_template(f"{moment.kind}.html.j2").render({**context, "subject": subject})
    return RenderedMessage(subject, text, html, tuple(check_tone(f"{subject}\n{text}")))


MESSAGE_CASES = st.tuples(
    st.sampled_from(BUILTIN_KINDS),
    st.sampled_from(["Priya", "Ann & <Bob>", "Zoë", "O'Neil", "Kindly Pursuant"]),
    st.sampled_from([SAM, None, Owner("Ros <Kaur>", email=None, phone=None)]),
    st.integers(min_value=0, max_value=10**7),
    st.sampled_from(["GBP", "EUR", "USD", "JPY"]),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(MESSAGE_CASES, min_size=1, max_size=25))
def test_a_run_renderer_writes_what_a_stock_jinja_environment_writes(
    cases: list[tuple[str, str, Owner | None, int, str]],
) -> None:
    """The run's renderer keeps money, templates and tone verdicts between messages; each
    message must still be, byte for byte, what a fresh stock environment writes (twice
    over, so the second message of a kind reads what the first one left behind)."""
    renderer = MessageRenderer()
    for kind, name, owner, amount, currency in [*cases, *cases]:
        evidence = {**EVIDENCE[kind]}
        for key in ("monthly_saving_minor", "current_monthly_cost_minor", "credit_minor"):
            if key in evidence:
                evidence[key] = amount
        one = moment(kind, evidence, currency)
        assert renderer.render(one, name, owner, LINKS) == _stock_jinja_message(
            one, name, owner, LINKS
        )
