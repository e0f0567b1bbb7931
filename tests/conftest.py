"""Fixtures shared by every tier: a small, valid source folder written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from goodwill.settings import Settings

GOOD_SOURCE: dict[str, str] = {
    "plans": """\
plan_id,name,monthly_fee,currency,on_sale,contract_months,device_fee
P-750,Goodybag 7.50,750,GBP,true,0,0
P-1000,Goodybag 10,1000,GBP,true,0,0
P-OLD,Old 12,1200,GBP,false,0,0
""",
    "plan_allowances": """\
plan_id,kind,included,overage_rate
P-750,data_mb,3000,
P-750,voice_min,500,25
P-1000,data_mb,10000,
P-1000,voice_min,,
P-OLD,data_mb,2000,10
""",
    "customers": """\
customer_id,name,email,joined_at,left_at,referred_by,consents,locale
C1,Ann Lee,ann@example.com,2025-01-03T10:00:00Z,,,advice;care,en-GB
C2,Bob Roy,,2025-02-01T09:00:00+01:00,,C1,,
C3,Cy Tan,cy@example.com,2025-03-01,2026-01-15T00:00:00Z,,survey,
""",
    "subscriptions": """\
subscription_id,customer_id,user_name,plan_id,started_at,ended_at,contract_end
S1,C1,,P-1000,2025-01-03T10:00:00Z,,
S2,C1,Kit Lee,P-750,2025-01-03T10:00:00Z,,2026-12-31
S3,C2,,P-OLD,2025-02-01T09:00:00Z,,
S4,C3,,P-750,2025-03-01T00:00:00Z,2026-01-15T00:00:00Z,
""",
    "usage": """\
subscription_id,period,kind,quantity
S1,2026-01,data_mb,2100
S1,2026-01,voice_min,40
S1,2026-02,data_mb,1900
S2,2026-01,data_mb,500
S3,2026-02,data_mb,2500
""",
    "bills": """\
customer_id,period,amount,currency
C1,2026-01,1750,GBP
C2,2026-02,1250,GBP
""",
}


def write_source(folder: Path, tables: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def good_source(tmp_path: Path) -> Path:
    return write_source(tmp_path / "source", GOOD_SOURCE)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")
