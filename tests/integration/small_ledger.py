"""Build small in-memory ledgers from domain objects, for the rating and advice tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa

from goodwill.domain.rating import Plan
from goodwill.ledger.reader import Ledger, ledger_from_frames

ASOF = date(2026, 11, 23)
WINDOW = ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10")


@dataclass(frozen=True)
class Line:
    """A subscription and its use: ``usage[period][kind] = quantity``."""

    subscription_id: str
    plan_id: str
    usage: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    started_on: date = date(2025, 1, 1)
    ended_on: date | None = None
    contract_end: date | None = None
    customer_id: str = ""

    @property
    def payer(self) -> str:
        return self.customer_id or f"C-{self.subscription_id}"


def _at(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)


def build_ledger(
    plans: Sequence[Plan],
    lines: Iterable[Line],
    default_rates: Mapping[tuple[str, str], Decimal] | None = None,
) -> Ledger:
    lines = list(lines)
    rate = pa.decimal128(18, 4)
    frames = {
        "plans": pa.Table.from_pylist(
            [
                {
                    "plan_id": p.plan_id,
                    "name": p.name,
                    "monthly_fee": p.monthly_fee_minor,
                    "currency": p.currency,
                    "on_sale": p.on_sale,
                    "contract_months": p.contract_months,
                    "device_fee": p.device_fee_minor,
                }
                for p in plans
            ]
        ),
        "plan_allowances": pa.Table.from_pylist(
            [
                {
                    "plan_id": p.plan_id,
                    "kind": a.kind,
                    "included": a.included,
                    "overage_rate": a.overage_rate,
                }
                for p in plans
                for a in p.allowances
            ],
            schema=pa.schema(
                [
                    ("plan_id", pa.string()),
                    ("kind", pa.string()),
                    ("included", pa.int64()),
                    ("overage_rate", rate),
                ]
            ),
        ),
        "default_rates": pa.Table.from_pylist(
            [
                {"kind": k, "currency": c, "overage_rate": r}
                for (k, c), r in (default_rates or {}).items()
            ],
            schema=pa.schema(
                [("kind", pa.string()), ("currency", pa.string()), ("overage_rate", rate)]
            ),
        ),
        "subscriptions": pa.Table.from_pylist(
            [
                {
                    "subscription_id": line.subscription_id,
                    "customer_id": line.payer,
                    "plan_id": line.plan_id,
                    "started_at": _at(line.started_on),
                    "ended_at": _at(line.ended_on),
                    "contract_end": line.contract_end,
                }
                for line in lines
            ],
            schema=pa.schema(
                [
                    ("subscription_id", pa.string()),
                    ("customer_id", pa.string()),
                    ("plan_id", pa.string()),
                    ("started_at", pa.timestamp("us", tz="UTC")),
                    ("ended_at", pa.timestamp("us", tz="UTC")),
                    ("contract_end", pa.date32()),
                ]
            ),
        ),
        "usage": pa.Table.from_pylist(
            [
                {
                    "subscription_id": line.subscription_id,
                    "period": period,
                    "kind": kind,
                    "quantity": q,
                }
                for line in lines
                for period, kinds in line.usage.items()
                for kind, q in kinds.items()
            ],
            schema=pa.schema(
                [
                    ("subscription_id", pa.string()),
                    ("period", pa.string()),
                    ("kind", pa.string()),
                    ("quantity", pa.int64()),
                ]
            ),
        ),
    }
    return ledger_from_frames(frames)


def monthly(
    *months: Mapping[str, int], window: Sequence[str] = WINDOW
) -> dict[str, Mapping[str, int]]:
    """The last ``len(months)`` months of the window, in order."""
    return dict(zip(window[len(window) - len(months) :], months, strict=True))
