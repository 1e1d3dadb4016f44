"""A clearing's result says what FB05 booked (T_LINES read back from BSEG by the kit), over SOAP
and RFC: residual with its reason, the discount line, money left on account."""

from __future__ import annotations

from decimal import Decimal

import httpx

from adapters.sap.keys import xblnr_for
from mappings.convert import alpha_in
from tests.e2e.conftest import table
from tests.e2e.test_sap_adapter import Maker, invoices, open_items, payment


def test_short_payment_reports_the_residual_it_booked(make_sap: Maker, admin: httpx.Client) -> None:
    sap = make_sap()
    item = invoices(open_items(sap, ["1000"]), "1000", 1)
    short = item["amount"][0] - Decimal("10.00")
    row = sap.post_cash_applications(payment("PAY-BOOKED-1", item, [short], reason="SHORT")).row(
        0, named=True
    )
    assert row["status"] == "posted", row["message"]
    customer = item["customer_id"][0]
    assert f"06 {customer} 10.00" in row["message"] and "reason 001" in row["message"]
    (doc,) = table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-BOOKED-1"))
    lines = table(admin, "BSEG", BUKRS="1000", BELNR=doc["BELNR"])
    residual = [ln for ln in lines if ln["BSCHL"] == "06"]
    assert [Decimal(ln["WRBTR"]) for ln in residual] == [Decimal("10.00")]
    assert residual[0]["KUNNR"] == alpha_in(customer)


def test_discount_and_on_account_are_reported(make_sap: Maker) -> None:
    sap = make_sap()
    two = invoices(open_items(sap, ["1000"]), "1000", 1, discount=True)
    discount = two["discount_amount"][0]
    assert discount and discount > 0
    paid = two["amount"][0] - discount
    row = sap.post_cash_applications(
        payment("PAY-BOOKED-2", two, [paid], discounts=[discount], on_account=Decimal("3.00"))
    ).row(0, named=True)
    assert row["status"] == "posted", row["message"]
    assert f" {discount}" in row["message"]  # the discount line, as booked
    assert f"15 {two['customer_id'][0]} 3.00" in row["message"]  # on account
