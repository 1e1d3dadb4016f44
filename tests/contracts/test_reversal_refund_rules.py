"""The Reversals and Refunds contracts (issue 18): each rule is reported at its file row and
column, from a valid shipped sample with one cell broken."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.errors import Violation

Case = tuple[str, dict[int, dict[str, str]], int, str, str]

CASES: dict[str, Case] = {
    "reversals.reversal_id.unique": (
        "reversals",
        {1: {"reversal_id": "REV-2026-11-28-0001"}},
        1,
        "reversal_id",
        "unique",
    ),
    "reversals.reversal_id.tag_delimiter": (
        "reversals",
        {0: {"reversal_id": "REV;1"}},
        0,
        "reversal_id",
        "str_matches",
    ),
    "reversals.application_id.blank": (
        "reversals",
        {2: {"application_id": "PAY 3"}},
        2,
        "application_id",
        "str_matches",
    ),
    "reversals.item_key.half": (
        "reversals",
        {1: {"line": ""}},
        1,
        "document_id",
        "item_key_complete",
    ),
    "reversals.whole.twice": (
        "reversals",
        {2: {"application_id": "PAY-2026-11-27-0001"}},
        2,
        "application_id",
        "one_whole_reversal_per_payment",
    ),
    "reversals.reason_code.required": (
        "reversals",
        {0: {"reason_code": ""}},
        0,
        "reason_code",
        "must not be empty",
    ),
    "reversals.reversal_date.format": (
        "reversals",
        {0: {"reversal_date": "2026-02-30"}},
        0,
        "reversal_date",
        "not a date",
    ),
    "refunds.refund_amount.positive": (
        "refunds",
        {0: {"refund_amount": "0.00", "item_amount": "0.00"}},
        0,
        "refund_amount",
        "greater_than",
    ),
    "refunds.item_amount.decimals": (
        "refunds",
        {3: {"item_amount": "12000.5", "refund_amount": "12000.5"}},
        3,
        "item_amount",
        "item_amount_fits_currency",
    ),
    "refunds.sum": (
        "refunds",
        {2: {"item_amount": "29.99"}},
        2,
        "item_amount",
        "item_sum_equals_refund",
    ),
    "refunds.rows_agree": (
        "refunds",
        {2: {"payment_method": "C"}},
        2,
        "refund_id",
        "refund_rows_agree",
    ),
    "refunds.item.unique": (
        "refunds",
        {2: {"document_id": "1400000011"}},
        2,
        "document_id",
        "unique",
    ),
    "refunds.item.required": (
        "refunds",
        {0: {"document_id": ""}},
        0,
        "document_id",
        "must not be empty",
    ),
    "refunds.approval_reference.required": (
        "refunds",
        {3: {"approval_reference": ""}},
        3,
        "approval_reference",
        "must not be empty",
    ),
    "refunds.currency.iso4217": (
        "refunds",
        {0: {"currency": "EURO"}},
        0,
        "currency",
        "isin",
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


def test_reversal_file_may_leave_out_the_optional_columns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A whole-payment reversal file needs no item key, category or memo columns."""
    from contracts.io import read_frame

    path = tmp_path / "reversals.csv"
    path.write_text(
        "reversal_id,application_id,company,customer_id,reason_code,reversal_date\n"
        "R1,PAY-1,1000,100001,01,2026-11-28\n",
        encoding="utf-8",
    )
    frame = read_frame(path, "reversals")
    assert frame["document_id"].to_list() == [None]
    assert frame["reversal_category"].to_list() == [None]
