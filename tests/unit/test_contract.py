"""The contract in code and in docs/ledger.md agree, and is coherent with itself."""

from __future__ import annotations

from pathlib import Path

from goodwill.ledger.contract import TABLES, TABLES_BY_NAME, ColumnType
from goodwill.ledger.contract_doc import render_markdown

DOC = Path(__file__).parents[2] / "docs" / "ledger.md"


def test_the_document_is_the_contract() -> None:
    assert DOC.read_text() == render_markdown(), (
        "docs/ledger.md is out of date: run `goodwill contract > docs/ledger.md`"
    )


def test_every_table_and_column_is_described_in_the_document() -> None:
    text = DOC.read_text()
    for table in TABLES:
        assert f"## {table.name}\n" in text
        for column in table.columns:
            assert column.description
            assert f"| `{column.name}` | {column.type.value} |" in text


def test_keys_and_foreign_keys_name_real_columns() -> None:
    for table in TABLES:
        for key in table.primary_key:
            assert table.column(key).required, f"{table.name}.{key} is a key and must be required"
        for fk in table.foreign_keys:
            parent = TABLES_BY_NAME[fk.table]
            assert len(parent.primary_key) == 1
            assert table.column(fk.column).type is parent.column(parent.primary_key[0]).type
        for rule in table.rules:
            for column in rule.columns:
                table.column(column)


def test_parents_come_before_children() -> None:
    order = [t.name for t in TABLES]
    for table in TABLES:
        for fk in table.foreign_keys:
            assert order.index(fk.table) <= order.index(table.name)


def test_money_is_never_stored_as_a_float() -> None:
    for table in TABLES:
        for column in table.columns:
            if column.type is ColumnType.MONEY:
                assert column.storage_type == "BIGINT"
            assert "DOUBLE" not in column.storage_type and "FLOAT" not in column.storage_type
