"""A factor paying for the customers it factors, confirmed by amount (issue 17 §3).

A factoring company buys a customer's invoices and collects them from its own account; the
factor's IBAN is registered on every customer it factors, so that IBAN is shared by several
customers and identifies none of them by itself (docs/matching.md "Payer"). The reference
says whose invoice it is; without one, the amount decides among the customers sharing the
IBAN; when the amount fits items of two of them, the line is an exception naming both.
"""

from __future__ import annotations

import re
from decimal import Decimal as D  # noqa: N817 - short money literals

import polars as pl
import pytest

from jobs.matching import match
from tests.matching.conftest import bank, customers, items

FACTOR_IBAN = "DE75512108001245126199"  # the factor's own account
FACTOR = "EUROFACTOR AG"  # the payer name on the statement: no customer's name
OWN_IBAN = "DE89370400440532013000"
LEDGER = items(
    {"document_id": "1800020401", "reference": "RE-2026-20401", "amount": D("1180.00"),
     "customer_id": "401"},
    {"document_id": "1800020411", "reference": "RE-2026-20411", "amount": D("356.20"),
     "customer_id": "401"},
    {"document_id": "1800020402", "reference": "RE-2026-20402", "amount": D("1450.00"),
     "customer_id": "402"},
    {"document_id": "1800020412", "reference": "RE-2026-20412", "amount": D("2200.00"),
     "customer_id": "402"},
    {"document_id": "1800020403", "reference": "RE-2026-20403", "amount": D("905.75"),
     "customer_id": "403"},
    {"document_id": "1800020413", "reference": "RE-2026-20413", "amount": D("2200.00"),
     "customer_id": "403"},
    # a customer the factor does not factor, with an item of an amount the factor pays
    {"document_id": "1800020100", "reference": "RE-2026-20100", "amount": D("1450.00"),
     "customer_id": "100"},
)  # fmt: skip
PEOPLE = customers(
    {"customer_id": "401", "name": "Müller Werkzeuge GmbH", "iban": FACTOR_IBAN},
    {"customer_id": "402", "name": "Schneider Elektro KG", "iban": FACTOR_IBAN},
    {"customer_id": "403", "name": "Bauer Logistik GmbH", "iban": FACTOR_IBAN},
    {"customer_id": "100", "name": "Brandt Maschinenbau GmbH", "iban": OWN_IBAN},
)


def from_factor(amount: str, text: str | None = None) -> dict[str, object]:
    return {"amount": D(amount), "payer_account": FACTOR_IBAN, "payer_name": FACTOR,
            "remittance_text": text}  # fmt: skip


def applied(result: pl.DataFrame) -> list[tuple[str, str, D, str]]:
    rows = result.sort("document_id").select(
        "customer_id", "document_id", "applied_amount", "match_rule"
    )
    return [(c, d, a, m) for c, d, a, m in rows.iter_rows()]


def test_a_factor_paying_with_a_reference_pays_that_customers_invoice() -> None:
    lines = bank(
        from_factor("1180.00", "Ihre Rechnung RE-2026-20401, abgetreten an Eurofactor"),
        # 2200.00 fits an item of 402 and one of 403: the reference settles it
        from_factor("2200.00", "Zahlung fuer Schneider Elektro RE-2026-20412"),
    )
    result = match(lines, LEDGER, PEOPLE)
    assert applied(result.applications) == [
        ("401", "1800020401", D("1180.00"), "reference"),
        ("402", "1800020412", D("2200.00"), "reference"),
    ]
    assert result.exceptions.height == 0


def test_a_factor_paying_without_a_reference_is_settled_by_the_amount() -> None:
    """Among the customers sharing the factor's IBAN only: 100 has a 1450.00 item too, but
    the factor's IBAN is not on 100, so 100 is no candidate."""
    lines = bank(from_factor("1450.00"), from_factor("356.20"), from_factor("3105.75"))
    result = match(lines, LEDGER, PEOPLE)
    assert applied(result.applications) == [
        ("402", "1800020402", D("1450.00"), "exact_amount"),
        ("403", "1800020403", D("905.75"), "combination"),  # 905.75 + 2200.00 = 3105.75
        ("401", "1800020411", D("356.20"), "exact_amount"),
        ("403", "1800020413", D("2200.00"), "combination"),
    ]
    exact = result.applications.filter(pl.col("match_rule") == "exact_amount")
    assert exact["match_score"].to_list() == pytest.approx([0.9 * 0.8] * 2)  # candidate payer
    assert result.exceptions.height == 0


def test_an_amount_fitting_two_factored_customers_is_an_exception_naming_both() -> None:
    result = match(bank(from_factor("2200.00")), LEDGER, PEOPLE)
    assert result.applications.height == 0
    (row,) = result.exceptions.iter_rows(named=True)
    assert row["reason"] == "ambiguous" and row["customer_id"] is None
    assert re.findall(r"\b\d{3}\b", row["detail"]) == ["402", "403"]  # both, and only those
    # the candidates are the open items of both customers (docs/matching.md "Payer")
    listed = {c.split()[0].split("/")[1] for c in row["candidates"].split("; ")}
    assert listed == {"1800020402", "1800020412", "1800020403", "1800020413"}
    assert row["candidate_count"] == 4


def test_a_factor_paying_short_on_a_serial_alone_is_a_deduction() -> None:
    """`20401` names only 401's item; the factor's IBAN is on 401 (and on 402, 403): the
    account confirms the customer the weak reference names, as the customer's own would."""
    line = bank(from_factor("1100.00", "Rechnung 20401 beschädigt"))  # 80.00 kept back
    result = match(line, LEDGER, PEOPLE)
    assert applied(result.applications) == [("401", "1800020401", D("1100.00"), "deduction")]
    assert result.applications["reason_code"].to_list() == ["DAMAGED"]
    assert result.exceptions.height == 0
