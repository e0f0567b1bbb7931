"""broken_promise, promise_at_risk and slow_first_response on a small in-memory ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from goodwill.analytics.detectors.base import Detector, DetectorContext
from goodwill.analytics.detectors.promise_policy import load_policy
from goodwill.analytics.detectors.promises import BrokenPromise, PromiseAtRisk
from goodwill.analytics.detectors.tickets import SlowFirstResponse
from goodwill.domain.moments import Moment
from goodwill.errors import ConfigError
from goodwill.ledger.reader import Ledger, ledger_from_frames
from goodwill.services.detect import detect_all
from goodwill.settings import Settings

TS = pa.timestamp("us", tz="UTC")


def at(day: int, hour: int = 12, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


PROMISES = [  # promise_id, customer, kind, made, due, kept
    ("P-LATE", "C1", "sim_delivery", at(9), at(12, 17), at(15, 10)),
    ("P-OPEN", "C2", "repair", at(2), at(5, 17), None),
    ("P-ONTIME", "C3", "sim_delivery", at(9), at(12, 17), at(12, 17)),
    ("P-SOON", "C4", "sim_delivery", at(14), at(21, 15), None),
    ("P-SOON-KEPT", "C5", "device_delivery", at(14), at(21, 15), at(20, 9)),
    ("P-CALLBACK-SOON", "C6", "callback", at(19), at(21, 15), None),
]

TICKETS = [  # ticket_id, customer, channel, opened, first response, complaint
    ("T-SLOW-EMAIL", "C1", "email", at(3, 9), at(4, 16), False),
    ("T-FAST-CHAT", "C2", "chat", at(3, 9), at(3, 9) + timedelta(minutes=3), False),
    ("T-COMPLAINT", "C3", "email", at(3, 9), at(3, 14), True),
    ("T-UNANSWERED", "C4", "phone", at(20, 23), None, False),
    ("T-OLD", "C5", "email", at(1, 9, month=1), at(20, 9, month=1), False),
]


def ledger() -> Ledger:
    promises = pa.Table.from_pylist(
        [
            dict(
                zip(
                    ("promise_id", "customer_id", "kind", "made_at", "due_at", "kept_at"),
                    p,
                    strict=True,
                )
            )
            for p in PROMISES
        ],
        schema=pa.schema(
            [("promise_id", pa.string()), ("customer_id", pa.string()), ("kind", pa.string())]
            + [(c, TS) for c in ("made_at", "due_at", "kept_at")]
        ),
    )
    names = (
        "ticket_id",
        "customer_id",
        "channel",
        "opened_at",
        "first_response_at",
        "is_complaint",
    )
    tickets = pa.Table.from_pylist(
        [dict(zip(names, t, strict=True)) | {"category": "billing"} for t in TICKETS],
        schema=pa.schema(
            [
                *[(c, pa.string()) for c in ("ticket_id", "customer_id", "channel", "category")],
                *[("opened_at", TS), ("first_response_at", TS), ("is_complaint", pa.bool_())],
            ]
        ),
    )
    return ledger_from_frames({"promises": promises, "tickets": tickets})


@pytest.fixture(scope="module")
def the_ledger() -> Ledger:
    return ledger()


def found(detector: Detector, ledger: Ledger, asof: date, **settings: object) -> dict[str, Moment]:
    context = DetectorContext(ledger, asof, Settings(data_dir=Path("unused"), **settings))
    (detected,) = detect_all([detector], context)
    return {m.subscription_id or "": m for m in detected.moments}


def test_a_late_promise_is_credited_and_explains_itself(the_ledger: Ledger) -> None:
    moments = found(BrokenPromise(), the_ledger, date(2026, 3, 20))
    late = moments["P-LATE"]
    assert (late.kind, late.gift, late.message_type) == ("broken_promise", "credit", "care")
    assert late.cost_to_business_minor == late.evidence["credit_minor"] == 500
    assert late.evidence["days_late"] == 3
    assert late.evidence["summary"] == (
        "Your new SIM was promised for 12 March 2026 and arrived on 15 March 2026: 3 days late."
    )
    assert late.dedupe_key == "broken_promise:P-LATE:2026-03-12"
    assert "P-ONTIME" not in moments


def test_a_repair_never_kept_pays_ofcom_days_after_the_grace(the_ledger: Ledger) -> None:
    """Due Thursday 5 March; grace Friday and Monday; 10 to 20 March is 11 days at £8."""
    repair = found(BrokenPromise(), the_ledger, date(2026, 3, 20))["P-OPEN"]
    assert repair.cost_to_business_minor == 11 * 800
    assert repair.evidence["kept_at"] is None
    assert repair.evidence["summary"].endswith("is not finished yet: 15 days late so far.")


def test_at_risk_only_for_kinds_with_a_lead_time_not_kept(the_ledger: Ledger) -> None:
    moments = found(PromiseAtRisk(), the_ledger, date(2026, 3, 20))
    assert set(moments) == {"P-SOON"}
    soon = moments["P-SOON"]
    assert soon.cost_to_business_minor == 0
    assert soon.evidence["expected_by"] == "2026-03-22"
    assert soon.evidence["summary"] == (
        "Your new SIM is due on 21 March 2026, and we now expect it by 22 March 2026."
    )


def test_at_risk_and_broken_never_both_for_a_promise_on_a_day(the_ledger: Ledger) -> None:
    for offset in range(0, 30):
        asof = date(2026, 3, 1) + timedelta(days=offset)
        risky = set(found(PromiseAtRisk(), the_ledger, asof))
        broken = set(found(BrokenPromise(), the_ledger, asof))
        assert not risky & broken, asof


def test_a_promise_that_breaks_after_a_heads_up_still_gets_its_credit(the_ledger: Ledger) -> None:
    heads_up = found(PromiseAtRisk(), the_ledger, date(2026, 3, 20))["P-SOON"]
    broken = found(BrokenPromise(), the_ledger, date(2026, 3, 23))["P-SOON"]
    assert broken.cost_to_business_minor == 200 + 2 * 100
    assert heads_up.dedupe_key != broken.dedupe_key
    again = found(BrokenPromise(), the_ledger, date(2026, 3, 24))["P-SOON"]
    assert again.dedupe_key == broken.dedupe_key  # one credit per promise, whatever the day


def test_an_operator_policy_file_changes_the_amounts(the_ledger: Ledger, tmp_path: Path) -> None:
    path = tmp_path / "compensation.toml"
    path.write_text("[kinds.sim_delivery]\nfixed_minor = 1000\nper_day_minor = 0\n")
    assert load_policy(path).for_kind("sim_delivery").fixed_minor == 1000
    path.write_text("[kinds.sim_delivery]\nfixed = 1000\n")
    with pytest.raises(ConfigError, match=r"\[kinds.sim_delivery\]: unknown keys \['fixed'\]"):
        load_policy(path)


def test_slow_first_responses_by_channel_and_complaint(the_ledger: Ledger) -> None:
    moments = found(SlowFirstResponse(), the_ledger, date(2026, 3, 21))
    assert set(moments) == {"T-SLOW-EMAIL", "T-COMPLAINT", "T-UNANSWERED"}
    slow = moments["T-SLOW-EMAIL"]
    assert (slow.kind, slow.gift, slow.cost_to_business_minor) == (
        "slow_first_response",
        "message",
        0,
    )
    assert slow.evidence["summary"] == (
        "You emailed us on 3 March 2026 and waited 31 hours for an answer. "
        "We aim to answer within 24 hours."
    )
    assert moments["T-COMPLAINT"].evidence["target_minutes"] == 240
    assert moments["T-UNANSWERED"].evidence["first_response_at"] is None
    assert moments["T-UNANSWERED"].evidence["summary"].startswith("You called us on 20 March 2026")
