"""Refunding credit balances in SAP (issue 18): Z_OTC_AR_REFUND, ready for the payment run.

Through both transports to the mock on 127.0.0.1: a credit memo and money on account are
refunded (the credit items cleared, one credit item with the payment method left open for
F110), refusals carry the ERP's message, and `find_posted` finds each refund by its key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.errors import ConfigError
from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from adapters.sap.settings import SapSettings
from contracts.io import schema_of
from contracts.validate import validate
from mappings.convert import alpha_in
from tests.e2e.conftest import payment, sap_section, table

TODAY = date.today()


def _credit(sap: SapAdapter) -> dict[str, Any]:
    items = pl.concat(list(sap.pull_open_items(["1000"])))  # no fixed order (HANA-like)
    credits = items.filter(
        (pl.col("amount") < 0) & ~pl.col("customer_id").is_in(["1003", "1004"])
    ).sort(["customer_id", "fiscal_year", "document_id", "line"])
    return credits.row(0, named=True)


def refund(key: str, items: list[dict[str, Any]], amounts: list[Decimal], *,
           method: str = "T") -> pl.DataFrame:  # fmt: skip
    total = sum(amounts, Decimal(0))
    rows = [
        {
            "refund_id": key,
            "company": it["company"],
            "customer_id": it["customer_id"],
            "currency": it["currency"],
            "refund_amount": total,
            "document_id": it["document_id"],
            "fiscal_year": it["fiscal_year"],
            "line": it["line"],
            "item_amount": amount,
            "payment_method": method,
            "approval_reference": "APPROVED-7",
            "refund_date": TODAY,
            "memo": None,
        }
        for it, amount in zip(items, amounts, strict=True)
    ]
    return validate(pl.DataFrame(rows, schema=schema_of("refunds")), "refunds")


def _bsid(admin: httpx.Client, it: dict[str, Any]) -> list[dict[str, Any]]:
    return table(admin, "BSID", BUKRS=it["company"], BELNR=alpha_in(it["document_id"]),
                 GJAHR=str(it["fiscal_year"]), BUZEI=f"{it['line']:03d}")  # fmt: skip


def test_refund_of_a_credit_memo_leaves_an_item_for_the_payment_run(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    sap = make_sap()
    credit = _credit(sap)
    amount = -Decimal(str(credit["amount"]))
    frame = refund("RF-1", [credit], [amount])

    dry = sap.post_refund(frame, dry_run=True)
    assert (dry["status"], dry["erp_document"]) == ("checked", "DRY-RUN"), dry
    assert _bsid(admin, credit) and not table(admin, "BKPF", XBLNR=xblnr_for("RF-1"))

    result = sap.post_refund(frame)
    assert (result["status"], result["kind"]) == ("posted", "refund"), result
    doc = result["erp_document"]
    assert not _bsid(admin, credit), "the credit memo is cleared by the refund"
    (open_item,) = table(admin, "BSID", BUKRS="1000", BELNR=doc[:10], GJAHR=doc[14:])
    assert (open_item["SHKZG"], Decimal(open_item["WRBTR"])) == ("H", amount)
    assert (open_item["ZLSCH"], open_item["ZLSPR"]) == ("T", "")  # F110 pays it out
    assert open_item["XBLNR"] == xblnr_for("RF-1")
    assert sap.find_posted("refund", ["RF-1", "RF-NEVER"]).rows() == [
        ("RF-1", doc, "posted"),
        ("RF-NEVER", None, None),
    ]
    rerun = sap.post_refund(frame)  # the same key again, after a lost answer
    assert (rerun["status"], rerun["erp_document"]) == ("posted", doc), rerun
    again = sap.post_refund(refund("RF-2", [credit], [amount]))
    assert (again["status"], again["stage"]) == ("rejected", "check")
    assert "not open" in again["message"]


def test_partial_refund_of_money_on_account_keeps_the_rest_open(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    sap = make_sap()
    credit = _credit(sap)  # any item of a customer: the payment goes wholly on account
    paid = payment("PAY-OA-RF", pl.DataFrame([credit]), [Decimal("80.00")], when=TODAY)
    paid = paid.with_columns(
        pl.lit(None, pl.String).alias("document_id"),
        pl.lit(None, pl.Int64).alias("fiscal_year"),
        pl.lit(None, pl.Int64).alias("line"),
    )
    posted = sap.post_payment(paid)
    assert posted["status"] == "posted", posted
    (oa,) = table(admin, "BSID", BUKRS="1000", XBLNR=xblnr_for("PAY-OA-RF"))
    item = {**credit, "document_id": oa["BELNR"].lstrip("0"), "fiscal_year": int(oa["GJAHR"]),
            "line": int(oa["BUZEI"])}  # fmt: skip

    result = sap.post_refund(refund("RF-3", [item], [Decimal("30.00")]))
    assert result["status"] == "posted", result
    doc = result["erp_document"]
    lines = table(admin, "BSID", BUKRS="1000", BELNR=doc[:10], GJAHR=doc[14:])
    assert sorted((ln["ZLSCH"], Decimal(ln["WRBTR"]), ln["REBZG"]) for ln in lines) == [
        ("", Decimal("50.00"), oa["BELNR"]),  # what stays on account
        ("T", Decimal("30.00"), ""),  # what F110 pays out
    ]


def test_refund_refusals_carry_the_erp_message(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    sap = make_sap()
    credit = _credit(sap)
    amount = -Decimal(str(credit["amount"]))
    for method, code in (("C", "ZOTC 030"), ("E", "ZOTC 031")):  # T042E, T042Z-XEINZ
        result = sap.post_refund(refund(f"RF-M{method}", [credit], [amount], method=method))
        assert (result["status"], result["stage"]) == ("rejected", "check"), result
        assert result["message"].startswith(code), result
    too_much = sap.post_refund(refund("RF-4", [credit], [amount + 1]))
    assert too_much["status"] == "rejected" and "exceeds" in too_much["message"]
    assert _bsid(admin, credit), "nothing was stored"
    assert sap.find_posted("refund", ["RF-MC", "RF-ME", "RF-4"])["erp_document"].null_count() == 3
    # the kit's own check, whatever the caller checked first
    answer = sap.transport.call(
        "Z_OTC_AR_REFUND", I_COMP_CODE="1000", I_CUSTOMER=alpha_in(credit["customer_id"]),
        I_DOC_DATE=TODAY.strftime("%Y%m%d"), I_PSTNG_DATE=TODAY.strftime("%Y%m%d"),
        I_CURRENCY=credit["currency"], I_REF_DOC_NO="RF-5", I_AMOUNT=amount + 1,
        I_PYMT_METH="T", I_TESTRUN="X", RETURN=[],
        T_ITEMS=[{"FISC_YEAR": str(credit["fiscal_year"]),
                  "DOC_NO": alpha_in(credit["document_id"]),
                  "ITEM_NUM": f"{credit['line']:03d}", "AMT_PAID": amount + 1}],
    )  # fmt: skip
    assert [(r["ID"], r["NUMBER"]) for r in answer["RETURN"]] == [("ZOTC", "033")]


def test_payment_request_mode_is_a_config_error(erp: Any) -> None:
    section = sap_section(erp, "soap", refund_mode="payment_request")
    with pytest.raises(ConfigError, match='refund_mode must be "debit_posting"'):
        SapSettings.from_section("sap", section, {"password": "otc-mock"})
