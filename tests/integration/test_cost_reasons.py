"""Rating many lines at once (:func:`rate_lines`) says what the reference rating says, line
by line: the kinds that cost extra, dearest first, and the mean monthly cost of the
history months (usage recorded, live from the month's first day)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date
from decimal import Decimal
from pathlib import Path

import pytest

from goodwill.analytics import cost_reasons
from goodwill.analytics.catalogue import Catalogue, load_catalogue
from goodwill.analytics.cost_reasons import rate_lines
from goodwill.analytics.monthly_use import start_of_day_after
from goodwill.domain.advice import mean_minor
from goodwill.domain.periods import first_day, window_periods
from goodwill.domain.plan_words import kinds_over
from goodwill.domain.rating import Allowance, Plan, rate_month
from goodwill.ledger.ingest import ingest
from goodwill.ledger.reader import Ledger, open_ledger
from goodwill.sample import write_sample
from goodwill.settings import Settings
from tests.integration.small_ledger import ASOF, WINDOW, Line, build_ledger, monthly

A = Allowance
Reference = tuple[list[str], int | None]


def reference(
    ledger: Ledger, catalogue: Catalogue, lines: list[tuple[str, str]]
) -> list[Reference]:
    """Each line rated month by month with the domain's ``rate_month``."""
    window = window_periods(ASOF, 6)
    usage = ledger.table("usage")
    rows = usage.filter(usage.period.isin(window)).to_pyarrow().to_pylist()
    use: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        use[r["subscription_id"]][r["period"]][r["kind"]] = r["quantity"]
    subs = ledger.table("subscriptions").to_pyarrow().to_pylist()
    started = {s["subscription_id"]: s["started_at"] for s in subs}
    out = []
    for sub, plan_id in lines:
        plan = catalogue.plan(plan_id)
        at = started.get(sub)
        at = at if at is None or at.tzinfo else at.replace(tzinfo=UTC)
        months = [
            p
            for p in window
            if p in use[sub] and (at is None or at < start_of_day_after(first_day(p)))
        ]
        costs = [rate_month(plan, use[sub][p], catalogue.rates_for(plan.currency)) for p in months]
        total = sum(c.cost_minor for c in costs)
        out.append((kinds_over(costs), mean_minor(total, len(costs)) if costs else None))
    return out


def rated(ledger: Ledger, lines: list[tuple[str, str]]) -> list[Reference]:
    costs = rate_lines(ledger, WINDOW, load_catalogue(ledger), lines)
    return [(costs.over_kinds(i), costs.monthly_cost_minor(i)) for i in range(len(lines))]


@pytest.fixture(scope="module")
def sample_ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    root: Path = tmp_path_factory.mktemp("reasons")
    write_sample(root / "sample", customers=400, months=8, seed=3, asof=ASOF)
    ingest(root / "sample", Settings(data_dir=root / "data"))
    return open_ledger(root / "data" / "ledger")


def test_every_line_of_the_sample_under_every_plan_rates_as_the_reference(
    sample_ledger: Ledger,
) -> None:
    catalogue = load_catalogue(sample_ledger)
    subs = sample_ledger.table("subscriptions").to_pyarrow().to_pylist()
    joined_lately = [s for s in subs if s["started_at"].date() > first_day(WINDOW[0])]
    chosen = [s["subscription_id"] for s in subs[:150] + joined_lately[:20]] + ["S-NO-USE"]
    lines = [(sub, plan.plan_id) for sub in chosen for plan in catalogue.plans]
    expected = reference(sample_ledger, catalogue, lines)
    assert rated(sample_ledger, lines) == expected
    assert joined_lately and any(over for over, _ in expected)  # both cases were exercised
    assert expected[-1] == ([], None)


def test_the_terms_the_start_and_the_order_of_kinds_follow_the_reference() -> None:
    plans = [
        Plan(
            "P-A",
            "Capped",
            750,
            "GBP",
            (A("data_mb", 3000, None), A("voice_min", 100, Decimal("12.5"))),
        ),
        Plan("P-B", "Open", 1000, "GBP", (A("data_mb", None, None), A("sms", 10, Decimal("7")))),
    ]
    rates = {("voice_min", "GBP"): Decimal("3.3333"), ("intl_min", "GBP"): Decimal("40")}
    heavy = {"data_mb": 5000, "voice_min": 181, "sms": 31, "intl_min": 7, "roaming_mb": 9}
    lines = [
        Line("S1", "P-A", monthly(heavy, heavy, {"voice_min": 99}, {}, heavy)),
        Line("S2", "P-B", monthly(heavy, {"sms": 0}), started_on=date(2026, 10, 1)),
        Line("S3", "P-B", monthly(heavy, heavy), started_on=date(2026, 10, 2)),
        Line("S4", "P-A", monthly({"voice_min": 103, "sms": 3}, {"voice_min": 104, "sms": 1})),
    ]
    ledger = build_ledger(plans, lines, rates)
    wanted = [(line.subscription_id, p.plan_id) for line in lines for p in plans]
    expected = reference(ledger, load_catalogue(ledger), wanted)
    assert rated(ledger, wanted) == expected
    assert expected[0][0] == ["voice_min", "intl_min"]  # dearest first; no sms rate
    assert expected[4] == ([], None)  # S3 started on the 2nd: neither month counts


def test_the_rating_ready_table_rates_as_the_usage_rows_do(sample_ledger: Ledger) -> None:
    """rate_lines reads the rating-ready table (a column per month and kind, 0 where
    nothing was recorded); a Spark ledger rates from the usage rows. Both must give every
    line the same kinds over, months, costs and per-kind overage: lines that joined in the
    window, a line twice, a line with no use, under every plan."""
    catalogue = load_catalogue(sample_ledger)
    subs = sample_ledger.table("subscriptions").to_pyarrow().to_pylist()
    joined_lately = [s for s in subs if s["started_at"].date() > first_day(WINDOW[0])]
    chosen = [s["subscription_id"] for s in subs[:60] + joined_lately[:10]]
    chosen += [chosen[0], "S-NO-USE"]
    lines = [(sub, plan.plan_id) for sub in chosen for plan in catalogue.plans]
    cells = rate_lines(sample_ledger, WINDOW, catalogue, lines)
    rows = cost_reasons._rate_usage_rows(sample_ledger, WINDOW, catalogue, lines)
    assert set(rows.kinds) <= set(cells.kinds)  # the window's kinds, not only these lines'
    over = [cells.kinds.index(k) for k in rows.kinds]
    assert (cells.overage_minor[:, over] == rows.overage_minor).all()
    assert not cells.overage_minor.sum(axis=0)[[k not in rows.kinds for k in cells.kinds]].any()
    assert (cells.months == rows.months).all() and (cells.cost_minor == rows.cost_minor).all()
    assert [cells.over_kinds(i) for i in range(len(lines))] == [
        rows.over_kinds(i) for i in range(len(lines))
    ]
    assert rows.cost_minor.any() and rows.overage_minor.any()  # something was charged
