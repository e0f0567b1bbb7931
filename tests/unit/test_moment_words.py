"""What a moment is about, in the words the desk's moments page uses."""

from __future__ import annotations

from goodwill.web.views.moments import moment_words, when_words


def test_waits_and_promises_read_as_a_person_says_them() -> None:
    slow = {"waited_minutes": 9191, "target_minutes": 1440, "channel": "email"}
    slow["opened_at"] = "2026-11-27T01:00:00+00:00"
    assert moment_words("slow_first_response", slow, "GBP") == (
        "Waited 6 days for a first answer by email on 27 November 2026 (we aim for 24 hours)"
    )
    late = {"promise_kind": "sim_delivery", "verdict": "late", "days_late": 2}
    late["due_at"] = "2026-11-07T11:20:27+00:00"
    assert moment_words("broken_promise", late, "GBP") == (
        "SIM delivery 2 days late (due 7 November 2026)"
    )
    assert moment_words("case_moved", {}, "GBP") == "Their case owner being away"
    assert when_words("2026-12") == "December 2026" and when_words("2026-11-07") == (
        "7 November 2026"
    )
