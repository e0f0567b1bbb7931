"""The contract's rules as DuckDB SQL: one expression per column that types a value, one
that says what is wrong with it (or NULL when nothing is).

Reasons read as the end of a sentence that starts with the file and row, e.g.
``plans.csv row 14: monthly_fee "10.50" is not a whole number of minor units …``.
"""

from __future__ import annotations

from goodwill.ledger.contract import Column, ColumnType, RowRule
from goodwill.ledger.currencies import CURRENCIES

T = ColumnType


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def raw_name(column: str) -> str:
    """The name under which a column's source text travels next to its typed value."""
    return f"_raw_{column}"


def cleaned(column: Column) -> str:
    """The source text, trimmed, with an empty cell as NULL."""
    return f"NULLIF(trim({quote_ident(raw_name(column.name))}), '')"


_SHAPES: dict[ColumnType, tuple[str, str]] = {
    # type: (regular expression the whole text must match, what it should be)
    T.ID: (
        r"[A-Za-z0-9_.:/@+-]{1,64}",
        "is not an identifier (letters, digits and - _ . : / @ +, "
        "no spaces, at most 64 characters)",
    ),
    # Digits only (a minus where a value may be negative): "+5" is not how a number is written.
    T.INTEGER: (r"-?[0-9]{1,18}", "is not a whole number"),
    T.MONEY: (r"-?[0-9]{1,18}", "is not a whole number of minor units (write £10.50 as 1050)"),
    T.RATE: (
        r"-?[0-9]{1,14}(\.[0-9]{1,4})?",
        "is not a number of minor units per unit with at most 4 decimals (e.g. 25 or 0.5)",
    ),
    T.BOOLEAN: (r"(?i)(true|false|t|f|yes|no|y|n|1|0)", "is not true or false"),
    T.DATE: (r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "is not a date written YYYY-MM-DD"),
    T.TIMESTAMP: (
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?"
        r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?",
        "is not an ISO 8601 time such as 2026-03-14T09:30:00Z",
    ),
    T.PERIOD: (r"[0-9]{4}-(0[1-9]|1[0-2])", "is not a month written YYYY-MM"),
    T.CURRENCY: (r"[A-Z]{3}", "is not an ISO 4217 currency code such as GBP"),
    T.EMAIL: (r"[^@\s]+@[^@\s]+\.[^@\s]+", "is not an email address"),
    T.LOCALE: (r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", "is not a language tag such as en-GB"),
}


#: The types :func:`typed_value` gives a value only where the text is of their shape.
_GATED = frozenset(_SHAPES) - {T.BOOLEAN, T.ID, T.PERIOD, T.CURRENCY, T.EMAIL, T.LOCALE}


def typed_value(column: Column) -> str:
    """SQL giving the column's typed value, or NULL where the text is empty or malformed."""
    text = cleaned(column)
    storage = column.storage_type
    if column.type is T.BOOLEAN:
        return (
            f"CASE WHEN lower({text}) IN ('true','t','yes','y','1') THEN true "
            f"WHEN lower({text}) IN ('false','f','no','n','0') THEN false END"
        )
    if column.type in (T.TEXT, T.ID, T.PERIOD, T.CURRENCY, T.EMAIL, T.LOCALE, T.TOKENS):
        return text
    shape = _SHAPES[column.type][0]
    return f"CASE WHEN regexp_full_match({text}, {quote_literal(shape)}) THEN TRY_CAST({text} AS {storage}) END"


def problem(column: Column, typed: str | None = None) -> str:
    """SQL giving what is wrong with the column's value as a reason, or NULL when it is fine.

    ``typed``: SQL naming the value already typed by :func:`typed_value`, so that it is
    worked out once (for a type whose value is gated by its shape, the shape is then
    tested only where the value did not type, which gives the same reasons)."""
    text = cleaned(column)
    value = f"({typed})" if typed else f"({typed_value(column)})"
    name = column.name
    shown = f"'{name} \"' || {text} || '\" '"
    cases = [
        f"WHEN {text} IS NULL THEN "
        + (f"'{name} is empty but required'" if column.required else "NULL")
    ]
    if (limit := column.length_limit) is not None:  # said without the value: it may be huge
        cases.append(
            f"WHEN length({text}) > {limit} THEN '{name} is ' || length({text}) || "
            f"' characters long; at most {limit} are allowed'"
        )
    if column.type in (T.INTEGER, T.MONEY, T.RATE):
        cases.append(
            f"WHEN starts_with({text}, '+') THEN {shown} || "
            "'has a plus sign; write the number alone, e.g. 5'"
        )
    if column.type is T.CURRENCY:
        codes = ", ".join(quote_literal(c) for c in sorted(CURRENCIES))
        cases.append(
            f"WHEN regexp_full_match({text}, '[A-Z]{{3}}') AND {text} NOT IN ({codes}) THEN "
            f"{shown} || 'is not an ISO 4217 currency a customer is billed in (see docs/ledger.md)'"
        )
    if column.type in _SHAPES:
        shape, should = _SHAPES[column.type]
        # Where the typed value is gated by the shape, a text not of its shape has none.
        untyped = f"{value} IS NULL AND " if typed and column.type in _GATED else ""
        cases.append(
            f"WHEN {untyped}NOT regexp_full_match({text}, {quote_literal(shape)}) THEN {shown} || {quote_literal(should)}"
        )
        cases.append(
            f"WHEN {value} IS NULL THEN {shown} || {quote_literal('is not a real ' + column.type.value)}"
        )
    if column.type is T.MONEY:
        cases.append(
            f"WHEN TRY_CAST({text} AS BIGINT) < 0 THEN {shown} || 'is negative; amounts are 0 or more'"
        )
    if column.minimum is not None:
        cases.append(
            f"WHEN {value} < {column.minimum} THEN {shown} || 'is below the minimum of {column.minimum}'"
        )
    if column.maximum is not None:
        cases.append(
            f"WHEN {value} > {column.maximum} THEN {shown} || 'is above the maximum of {column.maximum}'"
        )
    if column.allowed:
        allowed = ", ".join(quote_literal(a) for a in column.allowed)
        should = quote_literal("is not one of " + ", ".join(column.allowed))
        if column.type is T.TOKENS:
            bad = (
                f"len(list_filter(string_split({text}, ';'), t -> trim(t) NOT IN ({allowed}))) > 0"
            )
            cases.append(
                f"WHEN {bad} THEN {shown} || {quote_literal('has a value that ')} || {should}"
            )
        else:
            cases.append(f"WHEN {text} NOT IN ({allowed}) THEN {shown} || {should}")
    return "CASE " + " ".join(cases) + " END"


def rule_problem(rule: RowRule) -> str:
    """SQL for a cross-column rule over typed values, checked only when all of them are present."""
    present = " AND ".join(f"{quote_ident(c)} IS NOT NULL" for c in rule.columns)
    return f"CASE WHEN {present} AND NOT ({rule.condition}) THEN {quote_literal(rule.reason)} END"
