"""Reversing a posted payment in SAP (issue 18): reset the clearing and reverse, exactly once.

Through both transports (zeep over SOAP, the RFC client shim) to the mock on 127.0.0.1: the
kit's Z_OTC_AR_REVERSE with the real system's refusals (F5 201 closed period, F5 361 already
reversed, the kit's own checks), the items open again, a corrected payment under a new key
posts, and `find_posted` finds each reversal by its key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import polars as pl
import pytest

from adapters.sap.adapter import SapAdapter
from adapters.sap.keys import xblnr_for
from mappings.convert import alpha_in
from tests.e2e.conftest import payment, table
from tests.e2e.test_sap_refund import refund

TODAY = date.today()
LAST_MONTH = TODAY.replace(day=1) - timedelta(days=15)  # mid last month: an open period


def _invoice(sap: SapAdapter, skip: int = 0) -> pl.DataFrame:
    items = pl.concat(list(sap.pull_open_items(["1000"])))  # no fixed order (HANA-like)
    return (
        items.filter((pl.col("amount") > 0) & ~pl.col("customer_id").is_in(["1003", "1004"]))
        .sort(["customer_id", "fiscal_year", "document_id", "line"])
        .slice(skip, 1)
    )


def _pay(sap: SapAdapter, key: str, item: pl.DataFrame, when: date = TODAY) -> str:
    frame = payment(key, item, [Decimal(str(item["amount"][0]))], when=when)
    result = sap.post_cash_applications(frame).row(0, named=True)
    assert result["status"] == "posted", result["message"]
    return str(result["erp_document"])


def reversal(key: str, application: str, *, reason: str = "01", when: date = TODAY,
             **extra: Any) -> dict[str, Any]:  # fmt: skip
    return {"reversal_id": key, "application_id": application, "company": "1000",
            "customer_id": "1000", "document_id": None, "fiscal_year": None, "line": None,
            "reason_code": reason, "reversal_category": None, "reversal_date": when,
            "memo": None, **extra}  # fmt: skip


def _open(admin: httpx.Client, item: pl.DataFrame) -> bool:
    row = item.row(0, named=True)
    return bool(table(admin, "BSID", BUKRS="1000", BELNR=alpha_in(row["document_id"]),
                      GJAHR=str(row["fiscal_year"]), BUZEI=f"{row['line']:03d}"))  # fmt: skip


def test_reversal_reopens_the_items_and_a_corrected_payment_posts(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    sap = make_sap()
    item = _invoice(sap)
    paid = _pay(sap, "PAY-REV-1", item)
    assert not _open(admin, item)

    dry = sap.reverse_payment(reversal("REV-1", "PAY-REV-1"), dry_run=True)
    assert (dry["status"], dry["erp_document"]) == ("checked", "DRY-RUN"), dry
    (head,) = table(admin, "BKPF", BUKRS="1000", BELNR=paid[:10], GJAHR=paid[14:])
    assert head["STBLG"] == "" and head["XREF2_HD"] == ""  # the test run stored nothing

    result = sap.reverse_payment(reversal("REV-1", "PAY-REV-1"))
    assert result["status"] == "posted", result
    rev = result["erp_document"]
    assert _open(admin, item), "the invoice is open again after the reversal"
    (head,) = table(admin, "BKPF", BUKRS="1000", BELNR=paid[:10], GJAHR=paid[14:])
    assert (head["STBLG"], head["XREVERSAL"], head["STGRD"]) == (rev[:10], "1", "01")
    (rev_head,) = table(admin, "BKPF", BUKRS="1000", BELNR=rev[:10], GJAHR=rev[14:])
    assert (rev_head["STBLG"], rev_head["XREVERSAL"]) == (paid[:10], "2")
    # every customer line of payment and reversal is cleared by the reversal
    cleared = table(admin, "BSAD", BUKRS="1000", AUGBL=rev[:10])
    assert {c["BELNR"] for c in cleared} == {paid[:10], rev[:10]}
    assert sum(Decimal(c["WRBTR"]) * (1 if c["SHKZG"] == "S" else -1) for c in cleared) == 0

    found = sap.find_posted("reversal", ["REV-1", "REV-NEVER"]).rows()
    assert found == [("REV-1", rev), ("REV-NEVER", None)]
    # the reversed payment still holds its key: posting PAY-REV-1 again would pay twice
    assert sap.find_posted("cash_application", ["PAY-REV-1"]).rows() == [
        ("PAY-REV-1", paid, "reversed")
    ]

    rerun = sap.reverse_payment(reversal("REV-1", "PAY-REV-1"))  # after a lost answer
    assert (rerun["status"], rerun["erp_document"]) == ("posted", rev), rerun
    again = sap.reverse_payment(reversal("REV-2", "PAY-REV-1"))
    assert (again["status"], again["stage"]) == ("rejected", "check")
    assert "reversed already" in again["message"] and paid in again["message"]

    corrected = _pay(sap, "PAY-REV-1B", item)  # a corrected file under a new key
    assert corrected != paid and not _open(admin, item)


def test_reversal_refusals_carry_the_erp_message(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    sap = make_sap()
    _pay(sap, "PAY-REV-3", _invoice(sap), when=LAST_MONTH)
    cases = [
        (reversal("REV-3A", "PAY-REV-3", reason="99"), "ZOTC 020"),  # not in T041C
        (reversal("REV-3B", "PAY-REV-3", when=LAST_MONTH - timedelta(days=1)), "ZOTC 022"),
        (reversal("REV-3C", "PAY-REV-3"), "ZOTC 024"),  # 01 allows no other posting date
    ]
    for row, code in cases:
        result = sap.reverse_payment(row)
        assert (result["status"], result["stage"]) == ("rejected", "check"), result
        assert result["message"].startswith(code), result
    scoped = sap.reverse_payment(reversal("REV-3D", "PAY-REV-3", document_id="1",
                                          fiscal_year=TODAY.year, line=1))  # fmt: skip
    assert scoped["status"] == "rejected" and "as a whole" in scoped["message"]
    assert (
        sap.find_posted("reversal", ["REV-3A", "REV-3B", "REV-3C"])["erp_document"].null_count()
        == 3
    )
    moved = sap.reverse_payment(reversal("REV-3E", "PAY-REV-3", reason="02"))
    assert moved["status"] == "posted", moved  # 02 allows an alternative posting date


@pytest.mark.parametrize("variant", ["refuse", "alternative_date"])
def test_reversal_of_a_payment_in_a_closed_period(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client, variant: str
) -> None:
    sap = make_sap()
    _pay(sap, "PAY-REV-4", _invoice(sap), when=LAST_MONTH)
    closed = f"{LAST_MONTH.year:04d}{LAST_MONTH.month:02d}"
    admin.put("/_mock/settings", json={"sap": {"closed_through": {"1000": closed},
                                               "reverse_closed_period": variant}}
              ).raise_for_status()  # fmt: skip
    in_closed = sap.reverse_payment(reversal("REV-4A", "PAY-REV-4", when=LAST_MONTH))
    assert in_closed["status"] == "rejected" and in_closed["message"].startswith("F5 201")
    result = sap.reverse_payment(reversal("REV-4B", "PAY-REV-4", reason="02"))
    if variant == "refuse":  # the harsher default: a clearing in a closed period stays
        assert (result["status"], result["stage"]) == ("rejected", "check"), result
        assert result["message"].startswith("F5 201")
        assert f"{LAST_MONTH.month:03d}" in result["message"]
        assert sap.find_posted("reversal", ["REV-4B"])["erp_document"][0] is None
    else:
        assert result["status"] == "posted", result
        rev = result["erp_document"]
        assert rev[14:] == f"{TODAY.year:04d}"
        assert sap.find_posted("reversal", ["REV-4B"])["erp_document"][0] == rev


def test_a_reversed_payment_is_not_reversed_twice(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    """The ERP's own F5 361 when a second reversal reaches a reversed payment (the adapter's
    look-up cannot stop it: here the payment is named by hand through the kit)."""
    sap = make_sap()
    paid = _pay(sap, "PAY-REV-5", _invoice(sap))
    assert sap.reverse_payment(reversal("REV-5", "PAY-REV-5"))["status"] == "posted"
    answer = sap.transport.call(
        "Z_OTC_AR_REVERSE", I_COMP_CODE="1000", I_DOC_NO=paid[:10], I_FISC_YEAR=paid[14:],
        I_REASON="01", I_PSTNG_DATE=TODAY.strftime("%Y%m%d"), I_REF_KEY="otc:REV-6;",
        I_TESTRUN="X", RETURN=[],
    )  # fmt: skip
    assert [(r["ID"], r["NUMBER"]) for r in answer["RETURN"]] == [("F5", "361")]
    assert table(admin, "BKPF", BUKRS="1000", XBLNR=xblnr_for("PAY-REV-5"))


def test_payment_on_account_reversed_unless_its_credit_was_used(
    make_sap: Callable[..., SapAdapter], admin: httpx.Client
) -> None:
    """A payment wholly on account (the accounting BAPI's document) reverses like a clearing;
    once its credit was cleared by a later document (here a refund), the kit refuses with
    ZOTC 023 naming that document: reset that clearing first."""
    sap = make_sap()
    item = _invoice(sap)

    def on_account(key: str) -> dict[str, Any]:
        frame = payment(key, item, [Decimal("40.00")], when=TODAY).with_columns(
            pl.lit(None, pl.String).alias("document_id"),
            pl.lit(None, pl.Int64).alias("fiscal_year"),
            pl.lit(None, pl.Int64).alias("line"),
        )
        assert sap.post_payment(frame)["status"] == "posted"
        (credit,) = table(admin, "BSID", BUKRS="1000", XBLNR=xblnr_for(key))
        return credit

    first = on_account("PAY-OA-R1")
    result = sap.reverse_payment(reversal("REV-OA-1", "PAY-OA-R1"))
    assert result["status"] == "posted", result
    assert not table(admin, "BSID", BUKRS="1000", BELNR=first["BELNR"], GJAHR=first["GJAHR"])

    second = on_account("PAY-OA-R2")
    row = {**item.row(0, named=True), "document_id": second["BELNR"].lstrip("0"),
           "fiscal_year": int(second["GJAHR"]), "line": int(second["BUZEI"])}  # fmt: skip
    refunded = sap.post_refund(refund("RF-OA-R2", [row], [Decimal("40.00")]))
    assert refunded["status"] == "posted", refunded
    refused = sap.reverse_payment(reversal("REV-OA-2", "PAY-OA-R2"))
    assert (refused["status"], refused["stage"]) == ("rejected", "check"), refused
    assert refused["message"].startswith("ZOTC 023")
    assert refunded["erp_document"][:10] in refused["message"]


def test_mock_settings_for_closed_periods_are_checked(admin: httpx.Client) -> None:
    for body, field in (
        ({"closed_through": {"1000": "2026-11"}}, "sap.closed_through.1000"),
        ({"reverse_closed_period": "sometimes"}, "sap.reverse_closed_period"),
    ):
        answer = admin.put("/_mock/settings", json={"sap": body})
        assert answer.status_code == 400 and field in answer.text, answer.text
