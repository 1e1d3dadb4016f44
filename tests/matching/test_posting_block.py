"""A customer with a posting block gets no cash applications: the line waits in the exceptions."""

from __future__ import annotations

from decimal import Decimal as D  # noqa: N817 - short money literals

import polars as pl

from jobs.matching import match
from tests.matching.conftest import bank, customers, items

LEDGER = items(
    {"document_id": "1800000101", "reference": "INV-2026-000101", "amount": D("1190.00")},
    {"document_id": "1800000201", "reference": "INV-2026-000201", "amount": D("777.00"),
     "customer_id": "200"},
)  # fmt: skip
IBAN = "DE89370400440532013000"


def people(blocked: bool) -> pl.DataFrame:
    return customers(
        {"customer_id": "100", "name": "Brandt Maschinenbau GmbH", "iban": IBAN,
         "posting_block": blocked},
        {"customer_id": "200", "name": "Lumière Distribution SA"},
    )  # fmt: skip


def test_blocked_customer_cash_goes_to_exceptions_with_the_reason() -> None:
    lines = bank(
        {"amount": D("1190.00"), "remittance_text": "INV-2026-000101"},  # by reference
        {"amount": D("50.00"), "payer_account": IBAN},  # known payer, on account
        {"amount": D("777.00"), "remittance_text": "INV-2026-000201"},  # not blocked
    )
    free = match(lines, LEDGER, people(blocked=False))
    assert sorted(free.applications["customer_id"].to_list()) == ["100", "100", "200"]

    held = match(lines, LEDGER, people(blocked=True))
    assert held.applications["customer_id"].to_list() == ["200"]
    assert held.exceptions["reason"].to_list() == ["posting_block", "posting_block"]
    assert set(held.exceptions["customer_id"].to_list()) == {"100"}
    assert all("posting block" in d for d in held.exceptions["detail"].to_list())
    by_reference = held.exceptions.filter(pl.col("amount") == D("1190.00"))
    assert "1800000101" in by_reference["candidates"][0]  # the item it would have paid
    assert held.summary()["exception: posting_block"] == 2
