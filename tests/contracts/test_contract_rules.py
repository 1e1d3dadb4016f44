"""One test per rule each contract claims: the failure names the file row and column.

Each case breaks one cell (or a few) of a valid sample file; the file row is the CSV line
(header = line 1), so index 0 is row 2.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.errors import Violation

Case = tuple[str, dict[int, dict[str, str]], int, str, str]

CASES: dict[str, Case] = {
    # idempotency keys: the tag `otc:<key>;` must stay unambiguous (adapters/tags.py)
    "write_offs.writeoff_id.tag_delimiter": (
        "write_offs",
        {0: {"writeoff_id": "WO;1"}},
        0,
        "writeoff_id",
        "str_matches",
    ),
    "write_offs.writeoff_id.too_long": (
        "write_offs",
        {1: {"writeoff_id": "W" * 65}},
        1,
        "writeoff_id",
        "str_matches",
    ),
    # customers
    "customers.customer_id.alpha_zeros": (
        "customers",
        {0: {"customer_id": "0100001"}},
        0,
        "customer_id",
        "no_alpha_zeros",
    ),
    "customers.customer_id.blank": (
        "customers",
        {1: {"customer_id": "A B"}},
        1,
        "customer_id",
        "str_matches",
    ),
    "customers.name.required": ("customers", {2: {"name": ""}}, 2, "name", "must not be empty"),
    "customers.country.iso3166": ("customers", {1: {"country": "XX"}}, 1, "country", "isin"),
    "customers.currency.iso4217": ("customers", {1: {"currency": "EURO"}}, 1, "currency", "isin"),
    "customers.credit_limit.negative": (
        "customers",
        {0: {"credit_limit": "-1.00"}},
        0,
        "credit_limit",
        "greater_than_or_equal_to",
    ),
    "customers.credit_limit.decimals": (
        "customers",
        {3: {"credit_limit": "100.5"}},
        3,
        "credit_limit",
        "credit_limit_fits_currency",
    ),
    "customers.posting_block.bool": (
        "customers",
        {0: {"posting_block": "maybe"}},
        0,
        "posting_block",
        "not true or false",
    ),
    "customers.email.format": (
        "customers",
        {0: {"email": "ar-at-brandt"}},
        0,
        "email",
        "str_matches",
    ),
    "customers.iban.format": ("customers", {0: {"iban": "DE89 3704"}}, 0, "iban", "str_matches"),
    "customers.tax_id.checksum": (
        "customers",
        {0: {"tax_id": "DE136695977"}},
        0,
        "tax_id",
        "tax_id_valid_for_country",
    ),
    "customers.tax_id.us_ein": (
        "customers",
        {2: {"tax_id": "00-0000000"}},
        2,
        "tax_id",
        "tax_id_valid_for_country",
    ),
    "customers.key.unique": (
        "customers",
        {1: {"customer_id": "100001"}},
        1,
        "customer_id",
        "unique",
    ),
    # open items
    "open_items.document_type.allowed": (
        "open_items",
        {3: {"document_type": "invoices"}},
        3,
        "document_type",
        "isin",
    ),
    "open_items.fiscal_year.range": (
        "open_items",
        {4: {"fiscal_year": "20260"}},
        4,
        "fiscal_year",
        "less_than_or_equal_to",
    ),
    "open_items.line.negative": (
        "open_items",
        {4: {"line": "-1"}},
        4,
        "line",
        "greater_than_or_equal_to",
    ),
    "open_items.line.integer": (
        "open_items",
        {4: {"line": "1.0"}},
        4,
        "line",
        "not a whole number",
    ),
    "open_items.amount.jpy_decimals": (
        "open_items",
        {6: {"amount": "1.5"}},
        6,
        "amount",
        "amount_fits_currency",
    ),
    "open_items.amount.kwd_decimals": (
        "open_items",
        {8: {"amount": "1875.2501"}},
        8,
        "amount",
        "amount_fits_currency",
    ),
    "open_items.amount.eur_decimals": (
        "open_items",
        {3: {"amount": "5950.001"}},
        3,
        "amount",
        "amount_fits_currency",
    ),
    "open_items.amount.grouping": (
        "open_items",
        {3: {"amount": "1,234.56"}},
        3,
        "amount",
        "not a plain decimal",
    ),
    "open_items.amount.exponent": (
        "open_items",
        {3: {"amount": "12.5e3"}},
        3,
        "amount",
        "not a plain decimal",
    ),
    "open_items.amount.nan": (
        "open_items",
        {3: {"amount": "NaN"}},
        3,
        "amount",
        "not a plain decimal",
    ),
    "open_items.amount.required": (
        "open_items",
        {3: {"amount": ""}},
        3,
        "amount",
        "must not be empty",
    ),
    "open_items.disputed.negative": (
        "open_items",
        {3: {"disputed_amount": "-1.00"}},
        3,
        "disputed_amount",
        "greater_than_or_equal_to",
    ),
    "open_items.disputed.within_amount": (
        "open_items",
        {3: {"disputed_amount": "5950.01"}},
        3,
        "disputed_amount",
        "disputed_within_amount",
    ),
    "open_items.disputed.decimals": (
        "open_items",
        {6: {"disputed_amount": "0.5"}},
        6,
        "disputed_amount",
        "disputed_amount_fits_currency",
    ),
    "open_items.discount.decimals": (
        "open_items",
        {0: {"discount_amount": "238.001"}},
        0,
        "discount_amount",
        "discount_amount_fits_currency",
    ),
    "open_items.discount.negative": (
        "open_items",
        {0: {"discount_amount": "-238.00"}},
        0,
        "discount_amount",
        "greater_than_or_equal_to",
    ),
    "open_items.discount.terms_complete": (
        "open_items",
        {0: {"discount_date": ""}},
        0,
        "discount_date",
        "discount_terms_complete",
    ),
    "open_items.due_date.format": (
        "open_items",
        {5: {"due_date": "09.01.2027"}},
        5,
        "due_date",
        "not a date",
    ),
    "open_items.currency.unknown": ("open_items", {5: {"currency": "XYZ"}}, 5, "currency", "isin"),
    "open_items.document_id.alpha_zeros": (
        "open_items",
        {5: {"document_id": "01800000202"}},
        5,
        "document_id",
        "no_alpha_zeros",
    ),
    "open_items.key.unique": (
        "open_items",
        {5: {"document_id": "1800000201"}},
        5,
        "document_id",
        "unique",
    ),
    # cash applications
    "cash.payment_amount.positive": (
        "cash_applications",
        {4: {"payment_amount": "0", "applied_amount": "0"}},
        4,
        "payment_amount",
        "greater_than",
    ),
    "cash.applied_amount.negative_on_account": (
        "cash_applications",
        {2: {"applied_amount": "-50.00"}},
        2,
        "applied_amount",
        "credit_memo_rows",
    ),
    "cash.applied_amount.negative_without_invoice": (
        "cash_applications",
        {1: {"applied_amount": "-5950.00"}},
        1,
        "applied_amount",
        "credit_memo_rows",
    ),
    "cash.applied_amount.zero": (
        "cash_applications",
        {2: {"applied_amount": "0.00"}},
        2,
        "applied_amount",
        "not_equal_to",
    ),
    "cash.discount.negative": (
        "cash_applications",
        {0: {"discount_amount": "-1.00"}},
        0,
        "discount_amount",
        "greater_than_or_equal_to",
    ),
    "cash.payment_amount.decimals": (
        "cash_applications",
        {4: {"payment_amount": "1250000.5", "applied_amount": "1250000.5"}},
        4,
        "payment_amount",
        "payment_amount_fits_currency",
    ),
    "cash.applied_amount.decimals": (
        "cash_applications",
        {5: {"applied_amount": "1000.0001"}},
        5,
        "applied_amount",
        "applied_amount_fits_currency",
    ),
    "cash.discount.decimals": (
        "cash_applications",
        {0: {"discount_amount": "238.005"}},
        0,
        "discount_amount",
        "discount_amount_fits_currency",
    ),
    "cash.item_key.complete": (
        "cash_applications",
        {3: {"line": ""}},
        3,
        "document_id",
        "item_key_complete",
    ),
    "cash.on_account.no_discount": (
        "cash_applications",
        {2: {"discount_amount": "1.00"}},
        2,
        "discount_amount",
        "on_account_has_no_discount",
    ),
    "cash.rows_agree.customer": (
        "cash_applications",
        {2: {"customer_id": "100001"}},
        2,
        "application_id",
        "payment_rows_agree",
    ),
    "cash.rows_agree.date": (
        "cash_applications",
        {1: {"payment_date": "2026-11-26"}},
        1,
        "application_id",
        "payment_rows_agree",
    ),
    "cash.sum_equals_payment": (
        "cash_applications",
        {3: {"applied_amount": "47999.99"}},
        3,
        "applied_amount",
        "applied_sum_equals_payment",
    ),
    "cash.match_score.range": (
        "cash_applications",
        {0: {"match_score": "1.5"}},
        0,
        "match_score",
        "less_than_or_equal_to",
    ),
    "cash.key.unique": (
        "cash_applications",
        {2: {"document_id": "1800000103", "fiscal_year": "2026", "line": "1"}},
        2,
        "document_id",
        "unique",
    ),
    # write-offs
    "write_offs.amount.positive": (
        "write_offs",
        {0: {"amount": "0.00"}},
        0,
        "amount",
        "greater_than",
    ),
    "write_offs.amount.decimals": (
        "write_offs",
        {1: {"amount": "210.755"}},
        1,
        "amount",
        "amount_fits_currency",
    ),
    "write_offs.reason_code.required": (
        "write_offs",
        {1: {"reason_code": ""}},
        1,
        "reason_code",
        "must not be empty",
    ),
    "write_offs.posting_date.format": (
        "write_offs",
        {1: {"posting_date": "2026-02-30"}},
        1,
        "posting_date",
        "not a date",
    ),
    "write_offs.writeoff_id.unique": (
        "write_offs",
        {1: {"writeoff_id": "WO-2026-11-0001"}},
        1,
        "writeoff_id",
        "unique",
    ),
    "write_offs.document_id.required": (
        "write_offs",
        {0: {"document_id": ""}},
        0,
        "document_id",
        "must not be empty",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rule_is_reported_at_its_row_and_column(
    case: str, broken: Callable[..., list[Violation]]
) -> None:
    entity, changes, index, column, rule = CASES[case]
    violations = broken(entity, changes)
    hits = [v for v in violations if column in (v.column or "").split(",") and rule in v.rule]
    assert hits, f"expected {column}/{rule}, got {[str(v) for v in violations]}"
    assert any(v.row == index + 2 for v in hits), [str(v) for v in hits]
    assert all(v.file.endswith(f"{entity}.csv") for v in violations)


def test_idempotency_keys_are_bounded_and_hold_no_tag_delimiter() -> None:
    """Keys travel as `otc:<key>;` (adapters/tags.py): `;`, whitespace and over-long keys
    are refused by the contract, naming the column."""
    import re

    from contracts.rules import KEY_MAX_LENGTH, KEY_PATTERN

    ok = re.compile(KEY_PATTERN)
    assert ok.match("WO-P1") and ok.match("K" * KEY_MAX_LENGTH)
    for bad in ("", "A;B", "A B", "K" * (KEY_MAX_LENGTH + 1)):
        assert not ok.match(bad), bad
