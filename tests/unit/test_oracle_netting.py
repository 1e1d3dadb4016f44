"""How a payment's credit memos are split over its invoices (adapters/oracle/netting.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.oracle.netting import Allocation, NettingError, allocate, net_per_invoice


def test_one_credit_on_the_first_invoice_that_holds_it() -> None:
    invoices = [(0, Decimal("100.00")), (1, Decimal("50.00"))]
    pairs = allocate(invoices, [(0, Decimal("30.00"))])
    assert pairs == [Allocation(0, 0, Decimal("30.00"))]
    assert net_per_invoice(invoices, pairs) == {0: Decimal("70.00"), 1: Decimal("50.00")}


def test_a_credit_larger_than_one_invoice_spills_over_in_row_order() -> None:
    invoices = [(0, Decimal("20.00")), (1, Decimal("50.00"))]
    pairs = allocate(invoices, [(0, Decimal("45.00")), (1, Decimal("5.00"))])
    assert pairs == [
        Allocation(0, 0, Decimal("20.00")),
        Allocation(0, 1, Decimal("25.00")),
        Allocation(1, 1, Decimal("5.00")),
    ]
    assert net_per_invoice(invoices, pairs) == {0: Decimal("0.00"), 1: Decimal("20.00")}


def test_credits_beyond_the_invoices_are_refused_by_name() -> None:
    with pytest.raises(NettingError, match=r"^\(10\.00\) does not fit") as caught:
        allocate([(0, Decimal("40.00"))], [(0, Decimal("35.00")), (1, Decimal("10.00"))])
    assert caught.value.credit == 1
