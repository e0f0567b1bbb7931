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


def test_stored_reasons_and_labels_read_without_codes() -> None:
    from goodwill.analytics.scorecard.figures import Figure
    from goodwill.analytics.scorecard.readings import label
    from goodwill.domain.formatting import months_in_words
    from goodwill.domain.stats import Estimate
    from goodwill.web.views.words import month_words, reason_words

    assert reason_words(
        "holdout arm of the better_plan experiment: no message, so the lift can be measured"
    ) == (
        "holdout arm of the “A cheaper plan fits” experiment: no message, so the lift can be "
        "measured"
    )
    assert reason_words("budget for broken_promise in 2026-11 is spent") == (
        "budget for “A promise we broke” in November 2026 is spent"
    )
    assert (
        reason_words("from a new_detector on 2026-11-02")
        == "from a new detector on 2 November 2026"
    )
    assert months_in_words("T-2026-13 and 2026-02") == "T-2026-13 and February 2026"
    assert month_words("2026-11", short=True) == "Nov 2026"
    arpu = Figure("arpu", "ARPU in 2026-11", Estimate(1866.0, 10), "minor")
    assert label(arpu) == "ARPU in November 2026"
