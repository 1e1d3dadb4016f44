"""Run a contract lazily and turn pandera's failure cases into violations a user can act on.

pandera's `failure_cases` frame, not `str(error)`, is the source: it has the column, the
check and the row index of every failure found in the one lazy pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandera.errors as pa_errors
import polars as pl

from adapters.errors import ContractError, Violation
from contracts.registry import Entity, entity_for

#: pandera's names for built-in checks, in words a person reads.
_RULE_WORDS = {
    "column_in_dataframe": "required column is missing",
    "column_in_schema": "column is not part of the contract",
    "not_nullable": "must not be empty",
    "field_uniqueness": "must be unique",
    "multiple_fields_uniqueness": "key must be unique",
}


_RULE_HINTS = {
    "_fits_currency": "more decimals than the currency allows (ISO 4217 minor units)",
    "no_alpha_zeros": "all-digit id with leading zeros; canonical ids carry no ALPHA padding",
    "isin(": "not an allowed value",
    "str_matches(": "blank or badly formed",
    "str_length(": "must not be blank",
    "greater_than_or_equal_to(": "must not be negative",
    "greater_than(": "must be greater than zero",
}


#: An `isin` rule lists its values only when a person can read them all.
_LIST_AT_MOST = 10


def _isin_text(check: str) -> str:
    """`isin(('AED', ... 'ZWL'))` in words: short lists in full, long ones by what they are."""
    import ast

    try:
        values = ast.literal_eval(check[len("isin") :])
    except (ValueError, SyntaxError):
        return f"isin: not an allowed value ({check[:60]}...)"
    values = list(values) if isinstance(values, (list, tuple, set, frozenset)) else [values]
    if len(values) <= _LIST_AT_MOST:
        return f"isin: not one of {', '.join(map(str, values))}"
    from contracts.rules import COUNTRIES, CURRENCIES

    if set(values) == set(CURRENCIES):
        return "isin: not an ISO 4217 currency code with minor units (EUR, USD, JPY...)"
    if set(values) == set(COUNTRIES):
        return "isin: not an ISO 3166 alpha-2 country code (DE, US, JP...)"
    return f"isin: not one of the {len(values)} allowed values"


def currency_rule(column: str, currency: str | None) -> str:
    """Too many decimals, naming the currency and what it allows (JPY allows 0 decimals)."""
    from contracts.money import MINOR_UNITS

    name = f"{column}_fits_currency"
    digits = MINOR_UNITS.get(currency or "")
    if digits is None:
        return f"{name}: more decimals than the currency allows (ISO 4217 minor units)"
    plural = "" if digits == 1 else "s"
    return f"{name}: {currency} allows {digits} decimal{plural} (ISO 4217 minor units)"


def rule_text(check: str) -> str:
    """A rule in words, keeping the contract's own name so it can be looked up."""
    for raw, words in _RULE_WORDS.items():
        if check.startswith(raw):
            return words
    if check.startswith("isin("):
        return _isin_text(check)
    for marker, hint in _RULE_HINTS.items():
        if marker in check:
            return f"{check}: {hint}"
    return check


def _value_of(failure_case: Any, column: str | None) -> str | None:
    if failure_case is None:
        return None
    text = str(failure_case)
    if column and text.startswith("{"):
        try:
            row = json.loads(text)
        except ValueError:
            return text
        return None if row.get(column) is None else str(row[column])
    return text


def violations_from(
    failure_cases: pl.DataFrame, entity: Entity, source: str, row_base: int
) -> list[Violation]:
    """Map pandera's failure cases to violations; `row_base` turns index 0 into a file row."""
    found: list[Violation] = []
    for case in failure_cases.iter_rows(named=True):
        check = str(case["check"])
        column = case["column"]
        if case["schema_context"] == "DataFrameSchema":
            column = entity.rule_columns.get(check, None)
        if check.startswith(("column_in_dataframe", "column_in_schema")):
            column, value = case["failure_case"], None
        elif check.startswith("multiple_fields_uniqueness"):
            key = list(entity.model.Config.unique or [])
            column = ",".join(key)
            row = json.loads(str(case["failure_case"]))
            value = "|".join("" if row.get(c) is None else str(row[c]) for c in key)
        else:
            value = _value_of(case["failure_case"], column)
        rule = rule_text(check)
        if check.endswith("_fits_currency") and column:
            rule = currency_rule(str(column), _value_of(case["failure_case"], "currency"))
        index = case["index"]
        found.append(
            Violation(
                file=source,
                row=None if index is None else int(index) + row_base,
                column=None if column is None else str(column),
                rule=rule,
                value=value,
            )
        )
    return found


def merge_violations(prior: Iterable[Violation], found: Iterable[Violation]) -> list[Violation]:
    """Prior (parse) violations win: a cell that did not parse is not also reported empty."""
    first = list(prior)
    cells = {(v.row, v.column) for v in first}
    merged = first + [v for v in found if (v.row, v.column) not in cells]
    return sorted(merged, key=lambda v: (v.row if v.row is not None else -1, v.column or ""))


def validate(
    frame: pl.DataFrame,
    entity: str,
    *,
    source: str = "<frame>",
    row_base: int = 0,
    prior: Iterable[Violation] = (),
) -> pl.DataFrame:
    """Validate `frame` against the entity's contract; raise `ContractError` with every failure.

    `prior` carries violations found before the frame existed (a text amount that was not a
    number), so one error reports everything wrong with a file.
    """
    from contracts.columns import column_violations

    spec = entity_for(entity)
    if problems := column_violations(frame.columns, spec, source):
        # row rules on a frame without its columns fail as noise (raw polars plans)
        raise ContractError(spec.name, source, problems)
    found: list[Violation] = []
    try:
        spec.model.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        found = violations_from(exc.failure_cases, spec, source, row_base)
    violations = merge_violations(prior, found)
    if violations:
        raise ContractError(spec.name, source, violations)
    return frame
